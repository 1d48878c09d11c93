#include "roles/merchant/merchant_config.hpp"

#include <gtest/gtest.h>

#include "roles/merchant/merchant_test_support.hpp"

namespace sippay::roles::merchant {
namespace {

using namespace std::chrono_literals;

class MerchantConfigTest : public ::testing::Test {
 protected:
  MerchantConfigTest() { std::filesystem::create_directory(folder_.path() / "peers"); }

  // A complete file with `merchant_keys` as the [merchant] section.
  std::string text(const std::string& merchant_keys = "gateway = \"sip:gateway@pay.test\"\n") {
    return "[identity]\nuri = \"sip:merchant@shop.test\"\ncertificate = \"m.pem\"\n"
           "private_key = \"m.key\"\nca = \"ca.pem\"\npeer_certificates = \"peers\"\n"
           "[sip]\nproxy = \"sips:127.0.0.1:5061\"\n"
           "[merchant]\n" +
           merchant_keys + "[catalog]\nfile = \"catalog.toml\"\n[store]\npath = \"m.sqlite\"\n";
  }

  MerchantDaemonConfig parse(const std::string& content) {
    return merchant_config_from(toml::parse(content), folder_.path(), "merchant.toml");
  }

  std::string error_of(const std::string& content) {
    try {
      parse(content);
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "";
  }

  testing::TempFolder folder_;
};

TEST_F(MerchantConfigTest, Defaults) {
  const MerchantDaemonConfig config = parse(text());
  EXPECT_EQ(config.machine.uri, "sip:merchant@shop.test");
  EXPECT_EQ(config.machine.realm, "shop.test");
  EXPECT_EQ(config.machine.gateway, "sip:gateway@pay.test");
  EXPECT_EQ(config.machine.reservation_timeout, 300s);
  EXPECT_EQ(config.machine.order_clock_window, 300s);
  EXPECT_EQ(config.nonce_lifetime, 300s);
  EXPECT_EQ(config.sweep_interval, 10s);
  EXPECT_EQ(config.catalog, folder_.path() / "catalog.toml");
  EXPECT_EQ(config.store, folder_.path() / "m.sqlite");
  EXPECT_TRUE(config.endpoint.accept_unsigned);
}

TEST_F(MerchantConfigTest, ReadsEveryKey) {
  const MerchantDaemonConfig config = parse(text(
      "gateway = \"sip:gw@pay.test\"\nrealm = \"shop\"\nreservation_timeout_seconds = 600\n"
      "nonce_lifetime_seconds = 60\norder_clock_window_seconds = 120\n"
      "sweep_interval_seconds = 2\n"));
  EXPECT_EQ(config.machine.realm, "shop");
  EXPECT_EQ(config.machine.reservation_timeout, 600s);
  EXPECT_EQ(config.nonce_lifetime, 60s);
  EXPECT_EQ(config.machine.order_clock_window, 120s);
  EXPECT_EQ(config.sweep_interval, 2s);
}

TEST_F(MerchantConfigTest, GatewayIsRequired) {
  EXPECT_EQ(error_of(text("")), "merchant.toml: [merchant] gateway: is required");
}

TEST_F(MerchantConfigTest, ShortReservationTimeoutIsRejected) {
  EXPECT_EQ(error_of(text("gateway = \"sip:gw@pay.test\"\nreservation_timeout_seconds = 59\n")),
            "merchant.toml: [merchant] reservation_timeout_seconds: 59 is out of range; use an "
            "integer from 60 to 86400");
}

TEST_F(MerchantConfigTest, QuoteInRealmIsRejected) {
  const std::string message = error_of(text("gateway = \"sip:gw@pay.test\"\nrealm = \"a\\\"b\"\n"));
  EXPECT_NE(message.find("[merchant] realm: "), std::string::npos) << message;
}

TEST_F(MerchantConfigTest, UnknownKeyIsRejected) {
  const std::string message = error_of(text("gateway = \"sip:gw@pay.test\"\ntimeout = 1\n"));
  EXPECT_NE(message.find("[merchant] timeout: unknown key"), std::string::npos) << message;
}

TEST_F(MerchantConfigTest, UnknownSectionIsRejected) {
  const std::string message = error_of(text() + "[ledger]\ndatabase = \"x\"\n");
  EXPECT_NE(message.find("[ledger]: unknown section"), std::string::npos) << message;
}

TEST_F(MerchantConfigTest, StorePathIsRequired) {
  std::string content = text();
  content.erase(content.find("[store]"));
  EXPECT_EQ(error_of(content), "merchant.toml: [store] path: is required");
}

}  // namespace
}  // namespace sippay::roles::merchant
