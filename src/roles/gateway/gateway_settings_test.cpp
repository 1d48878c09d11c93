// The [ledger] section and the gateway's own requirements on [sip].
#include "roles/gateway/gateway_settings.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "security/security_test_support.hpp"

namespace sippay::roles::gateway {
namespace {

class GatewaySettingsTest : public ::testing::Test {
 protected:
  GatewaySettingsTest() { std::filesystem::create_directory(folder_.path() / "peers"); }

  // Writes a config with `sip_extra` in [sip] and `ledger` as [ledger], and loads it.
  GatewaySettings load(const std::string& sip_extra, const std::string& ledger) {
    const auto path = folder_.path() / "gateway.toml";
    std::ofstream(path) << "[identity]\nuri = \"sip:gateway@pay.test\"\ncertificate = \"g.pem\"\n"
                        << "private_key = \"g.key\"\nca = \"ca.pem\"\npeer_certificates = \"peers\"\n"
                        << "[sip]\nproxy = \"sips:127.0.0.1:5061\"\n" << sip_extra << "\n[ledger]\n" << ledger;
    return load_gateway_settings(path);
  }
  std::string error_of(const std::string& sip_extra, const std::string& ledger) {
    try {
      load(sip_extra, ledger);
    } catch (const ConfigError& error) {
      return error.what();
    }
    ADD_FAILURE() << "expected a ConfigError";
    return {};
  }

  security::testing::TempDir folder_;
};

constexpr const char* kProxyOnly = "accept_only_from = \"sip:pay.test\"";

TEST_F(GatewaySettingsTest, DefaultsAndRelativePaths) {
  const auto settings = load(kProxyOnly, "database = \"ledger.db\"\npin_key = \"pin.key\"\n");
  EXPECT_EQ(settings.database, (folder_.path() / "ledger.db").string());
  EXPECT_EQ(settings.pin_key, folder_.path() / "pin.key");
  EXPECT_EQ(settings.policy.machine.confirmation_timeout, std::chrono::seconds(120));
  EXPECT_EQ(settings.policy.pin.max_failures, 3);
  EXPECT_EQ(settings.policy.pin.lockout, std::chrono::seconds(900));
  EXPECT_EQ(settings.sweep_interval, std::chrono::seconds(5));
  EXPECT_EQ(settings.worker_threads, 8u);
  EXPECT_EQ(settings.max_waiting_messages, 1000u);
}

TEST_F(GatewaySettingsTest, ReadsEveryLedgerKey) {
  const auto settings = load(kProxyOnly,
                             "database = \"/var/db/l.db\"\npin_key = \"k\"\nconfirmation_timeout_seconds = 60\n"
                             "pin_max_failures = 5\npin_lockout_seconds = 30\nexpiry_sweep_seconds = 2\n"
                             "worker_threads = 3\nmax_waiting_messages = 0\n");
  EXPECT_EQ(settings.database, "/var/db/l.db");
  EXPECT_EQ(settings.policy.machine.confirmation_timeout, std::chrono::seconds(60));
  EXPECT_EQ(settings.policy.pin.max_failures, 5);
  EXPECT_EQ(settings.policy.pin.lockout, std::chrono::seconds(30));
  EXPECT_EQ(settings.sweep_interval, std::chrono::seconds(2));
  EXPECT_EQ(settings.worker_threads, 3u);
  EXPECT_EQ(settings.max_waiting_messages, 0u);
}

TEST_F(GatewaySettingsTest, RequiresAcceptOnlyFrom) {
  EXPECT_NE(error_of("", "database = \"l.db\"\npin_key = \"k\"\n").find("[sip] accept_only_from"),
            std::string::npos);
}

TEST_F(GatewaySettingsTest, ErrorsNameTheKey) {
  EXPECT_NE(error_of(kProxyOnly, "pin_key = \"k\"\n").find("[ledger] database: is required"), std::string::npos);
  EXPECT_NE(error_of(kProxyOnly, "database = \"l\"\npin_key = \"k\"\nconfirmation_timeout_seconds = 5\n")
                .find("confirmation_timeout_seconds: 5 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of(kProxyOnly, "database = \"l\"\npin_key = \"k\"\npin_max_failures = 0\n")
                .find("pin_max_failures"),
            std::string::npos);
  EXPECT_NE(error_of(kProxyOnly, "database = \"l\"\npin_key = \"k\"\nworker_threads = 0\n")
                .find("worker_threads: 0 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of(kProxyOnly, "database = \"l\"\npin_key = \"k\"\nworker_threads = 65\n")
                .find("worker_threads: 65 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of(kProxyOnly, "database = \"l\"\npin_key = \"k\"\nmax_waiting_messages = 100001\n")
                .find("max_waiting_messages: 100001 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of(kProxyOnly, "database = \"l\"\npin_key = \"k\"\nmax_waiting_messages = -1\n")
                .find("max_waiting_messages: -1 is out of range"),
            std::string::npos);
  EXPECT_NE(error_of(kProxyOnly, "database = \"l\"\npin_key = \"k\"\npin_lockout = 5\n").find("unknown key"),
            std::string::npos);
}

TEST_F(GatewaySettingsTest, UnknownSectionIsRejected) {
  const std::string message = error_of(kProxyOnly, "database = \"l\"\npin_key = \"k\"\n[ledgers]\n");
  EXPECT_NE(message.find("gateway.toml: [ledgers]: unknown section; did you mean [ledger]?"), std::string::npos)
      << message;
}

}  // namespace
}  // namespace sippay::roles::gateway
