#include "proxy/binding.hpp"

#include <gtest/gtest.h>

#include "proxy/proxy_test_support.hpp"
#include "proxy/registrar_response.hpp"

namespace sippay::proxy {
namespace {

using namespace std::chrono_literals;
using testing::kStart;

Binding binding_of(std::string uri, int q, TimePoint updated_at) {
  Binding binding;
  binding.contact_uri = std::move(uri);
  binding.q_thousandths = q;
  binding.updated_at = updated_at;
  binding.expires_at = updated_at + 3600s;
  return binding;
}

TEST(BindingOrder, HigherQFirst) {
  EXPECT_TRUE(binding_precedes(binding_of("sip:a@h", 800, kStart), binding_of("sip:b@h", 500, kStart + 1s)));
  EXPECT_FALSE(binding_precedes(binding_of("sip:b@h", 500, kStart + 1s), binding_of("sip:a@h", 800, kStart)));
}

TEST(BindingOrder, AbsentQCountsAsOne) {
  EXPECT_FALSE(binding_precedes(binding_of("sip:a@h", 1000, kStart), binding_of("sip:b@h", -1, kStart + 1s)));
  EXPECT_TRUE(binding_precedes(binding_of("sip:b@h", -1, kStart + 1s), binding_of("sip:a@h", 1000, kStart)));
  EXPECT_TRUE(binding_precedes(binding_of("sip:b@h", -1, kStart), binding_of("sip:a@h", 999, kStart + 1s)));
}

TEST(BindingOrder, RecentFirstThenUri) {
  EXPECT_TRUE(binding_precedes(binding_of("sip:z@h", 500, kStart + 1s), binding_of("sip:a@h", 500, kStart)));
  EXPECT_TRUE(binding_precedes(binding_of("sip:a@h", 500, kStart), binding_of("sip:z@h", 500, kStart)));
  EXPECT_FALSE(binding_precedes(binding_of("sip:a@h", 500, kStart), binding_of("sip:a@h", 500, kStart)));
}

TEST(RemainingSeconds, RoundsUpAndStopsAtZero) {
  Binding binding = binding_of("sip:a@h", -1, kStart);
  binding.expires_at = kStart + 10s;

  EXPECT_EQ(remaining_seconds(binding, kStart), 10U);
  EXPECT_EQ(remaining_seconds(binding, kStart + 1ms), 10U);
  EXPECT_EQ(remaining_seconds(binding, kStart + 9999ms), 1U);
  EXPECT_EQ(remaining_seconds(binding, kStart + 10s), 0U);
  EXPECT_EQ(remaining_seconds(binding, kStart + 11s), 0U);
}

TEST(ContactHeaders, WriteQAsQvalue) {
  const std::vector<Binding> bindings = {binding_of("sip:a@h", 1000, kStart), binding_of("sip:b@h", 500, kStart),
                                         binding_of("sip:c@h", 125, kStart), binding_of("sip:d@h", 0, kStart),
                                         binding_of("sip:e@h", -1, kStart)};

  EXPECT_EQ(format_contact_headers(bindings, kStart),
            "Contact: <sip:a@h>;expires=3600;q=1\r\n"
            "Contact: <sip:b@h>;expires=3600;q=0.5\r\n"
            "Contact: <sip:c@h>;expires=3600;q=0.125\r\n"
            "Contact: <sip:d@h>;expires=3600;q=0\r\n"
            "Contact: <sip:e@h>;expires=3600\r\n");
}

TEST(SipDate, FormatsRfc1123) {
  EXPECT_EQ(format_sip_date(kStart), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(format_sip_date(TimePoint(0ms)), "Thu, 01 Jan 1970 00:00:00 GMT");
  // 2024-02-29 is a leap day; the milliseconds are dropped.
  EXPECT_EQ(format_sip_date(TimePoint(1'709'251'199'999ms)), "Thu, 29 Feb 2024 23:59:59 GMT");
}

}  // namespace
}  // namespace sippay::proxy
