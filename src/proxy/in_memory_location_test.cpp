#include "proxy/in_memory_location.hpp"

#include <gtest/gtest.h>

#include "proxy/proxy_test_support.hpp"

namespace sippay::proxy {
namespace {

using namespace std::chrono_literals;
using testing::kStart;

Binding binding_of(std::string aor, std::string uri, TimePoint expires_at, int q = -1) {
  Binding binding;
  binding.aor = std::move(aor);
  binding.contact_uri = std::move(uri);
  binding.q_thousandths = q;
  binding.expires_at = expires_at;
  binding.registered_at = kStart;
  binding.updated_at = kStart;
  return binding;
}

TEST(InMemoryLocation, LookupReturnsLiveBindingsInOrder) {
  InMemoryLocation location;
  location.replace("sip:alice@pay.test", {binding_of("sip:alice@pay.test", "sip:a@h", kStart + 10s, 200),
                                          binding_of("sip:alice@pay.test", "sip:b@h", kStart + 5s, 900),
                                          binding_of("sip:alice@pay.test", "sip:c@h", kStart + 20s, 500)});

  const std::vector<Binding> at_start = location.lookup("sip:alice@pay.test", kStart);
  const std::vector<Binding> later = location.lookup("sip:alice@pay.test", kStart + 5s);

  ASSERT_EQ(at_start.size(), 3U);
  EXPECT_EQ(at_start[0].contact_uri, "sip:b@h");
  EXPECT_EQ(at_start[1].contact_uri, "sip:c@h");
  EXPECT_EQ(at_start[2].contact_uri, "sip:a@h");
  ASSERT_EQ(later.size(), 2U);
  EXPECT_EQ(later[0].contact_uri, "sip:c@h");
  EXPECT_TRUE(location.lookup("sip:bob@pay.test", kStart).empty());
}

TEST(InMemoryLocation, ReplaceOverwritesOneAor) {
  InMemoryLocation location;
  location.replace("sip:alice@pay.test", {binding_of("sip:alice@pay.test", "sip:a@h", kStart + 10s)});
  location.replace("sip:bob@pay.test", {binding_of("sip:bob@pay.test", "sip:b@h", kStart + 10s)});

  location.replace("sip:alice@pay.test", {binding_of("sip:alice@pay.test", "sip:c@h", kStart + 10s),
                                          binding_of("sip:alice@pay.test", "sip:d@h", kStart + 10s)});

  EXPECT_EQ(location.size(), 3U);
  EXPECT_EQ(location.lookup("sip:alice@pay.test", kStart).size(), 2U);
  EXPECT_EQ(location.lookup("sip:bob@pay.test", kStart).size(), 1U);

  location.replace("sip:alice@pay.test", {});
  EXPECT_EQ(location.size(), 1U);
  EXPECT_TRUE(location.lookup("sip:alice@pay.test", kStart).empty());
}

TEST(InMemoryLocation, SweepRemovesExpired) {
  InMemoryLocation location;
  location.replace("sip:alice@pay.test", {binding_of("sip:alice@pay.test", "sip:a@h", kStart + 10s),
                                          binding_of("sip:alice@pay.test", "sip:b@h", kStart + 20s)});
  location.replace("sip:bob@pay.test", {binding_of("sip:bob@pay.test", "sip:c@h", kStart + 10s)});

  EXPECT_EQ(location.sweep(kStart + 9s), 0U);
  EXPECT_EQ(location.sweep(kStart + 10s), 2U);
  EXPECT_EQ(location.size(), 1U);
  EXPECT_EQ(location.lookup("sip:alice@pay.test", kStart).size(), 1U);
  EXPECT_TRUE(location.lookup("sip:bob@pay.test", kStart).empty());
}

}  // namespace
}  // namespace sippay::proxy
