// The registrar over SqliteLocation: registrations survive a restart.
#include <gtest/gtest.h>

#include "proxy/proxy_test_support.hpp"
#include "proxy/registrar.hpp"
#include "proxy/sqlite_location.hpp"

namespace sippay::proxy {
namespace {

using namespace std::chrono_literals;
using testing::kStart;
using testing::make_register;

RegistrarSettings pay_test_settings() {
  RegistrarSettings settings;
  settings.domains = {"pay.test"};
  return settings;
}

class RegistrarRestartTest : public ::testing::Test {
 protected:
  RegistrarResult process_after_start(const testing::RegisterSpec& spec, TimePoint now) {
    SqliteLocation location(path_, now);
    Registrar registrar(pay_test_settings(), location);
    return registrar.process(make_register(spec), now);
  }

  testing::TemporaryFolder folder_;
  std::filesystem::path path_ = folder_.path() / "location.db";
};

TEST_F(RegistrarRestartTest, RestartKeepsRegistrations) {
  ASSERT_EQ(process_after_start({.call_id = "phone", .contacts = {"<sip:a@192.0.2.7>;q=0.5"}, .expires = 600},
                                kStart)
                .status,
            200);
  ASSERT_EQ(process_after_start({.call_id = "laptop", .contacts = {"<sip:b@192.0.2.8>"}, .expires = 60},
                                kStart + 1s)
                .status,
            200);

  const RegistrarResult query = process_after_start({.call_id = "query"}, kStart + 10s);

  ASSERT_EQ(query.status, 200);
  ASSERT_EQ(query.bindings.size(), 2U);
  EXPECT_EQ(query.bindings[0].contact_uri, "sip:b@192.0.2.8");
  EXPECT_EQ(query.bindings[1].contact_uri, "sip:a@192.0.2.7");
  EXPECT_NE(query.extra_headers.find("Contact: <sip:a@192.0.2.7>;expires=590;q=0.5\r\n"), std::string::npos)
      << query.extra_headers;
}

TEST_F(RegistrarRestartTest, RestartDropsExpiredRegistrations) {
  ASSERT_EQ(process_after_start({.call_id = "phone", .contacts = {"<sip:a@192.0.2.7>"}, .expires = 600}, kStart)
                .status,
            200);
  ASSERT_EQ(process_after_start({.call_id = "laptop", .contacts = {"<sip:b@192.0.2.8>"}, .expires = 60}, kStart)
                .status,
            200);

  {
    SqliteLocation location(path_, kStart + 61s);
    EXPECT_EQ(location.size(), 1U);
  }
  const RegistrarResult query = process_after_start({.call_id = "query"}, kStart + 61s);
  ASSERT_EQ(query.bindings.size(), 1U);
  EXPECT_EQ(query.bindings[0].contact_uri, "sip:a@192.0.2.7");
}

TEST_F(RegistrarRestartTest, RestartKeepsCSeqOrdering) {
  ASSERT_EQ(process_after_start({.cseq = 8, .contacts = {"<sip:a@192.0.2.7>"}}, kStart).status, 200);

  const RegistrarResult stale = process_after_start({.cseq = 7, .contacts = {"<sip:a@192.0.2.7>"}}, kStart + 1s);
  const RegistrarResult next = process_after_start({.cseq = 9, .contacts = {"<sip:a@192.0.2.7>"}}, kStart + 2s);

  EXPECT_EQ(stale.status, 500);
  EXPECT_EQ(next.status, 200);
}

}  // namespace
}  // namespace sippay::proxy
