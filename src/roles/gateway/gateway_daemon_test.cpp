// `sippay gateway` as a process: it starts on a real PKI and ledger file
// behind a real `sippay proxy`, and a bad configuration exits 2.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "ledger/sqlite_ledger.hpp"
#include "payment/pin_verification.hpp"
#include "roles/endpoint/endpoint_test_support.hpp"

namespace sippay::roles::gateway {
namespace {

class GatewayDaemonTest : public ::testing::Test {
 protected:
  // Writes gateway.toml for a gateway listening on `listen`.
  std::filesystem::path write_config(const std::string& listen, const std::string& proxy) {
    const auto root = deployment_.root();
    payment::create_pin_key_file(root / "pin.key");
    { ledger::SqliteLedger ledger(root / "ledger.db"); }
    std::ofstream toml(root / "gateway.toml");
    toml << "[identity]\nuri = \"" << gateway_.uri << "\"\ncertificate = \"" << gateway_.certificate.string()
         << "\"\nprivate_key = \"" << gateway_.key.string() << "\"\nca = \"" << deployment_.ca().string()
         << "\"\ncrl = \"" << deployment_.crl().string() << "\"\npeer_certificates = \""
         << deployment_.peers_folder().string() << "\"\n\n[sip]\nlisten = \"" << listen << "\"\nproxy = \""
         << proxy << "\"\nregister = false\naccept_only_from = \"sip:pay.test\"\n\n"
         << "[ledger]\ndatabase = \"ledger.db\"\npin_key = \"pin.key\"\nconfirmation_timeout_seconds = 60\n";
    return root / "gateway.toml";
  }

  testing::Deployment deployment_;
  testing::Party gateway_ = deployment_.issue("gateway", "sip:gateway@pay.test", security::PkiRole::gateway);
};

TEST_F(GatewayDaemonTest, StartsBehindTheProxyAndPrintsItsAddress) {
  const std::string listen = "tls:127.0.0.1:" + std::to_string(testing::free_tcp_port());
  const std::string proxy = deployment_.start_proxy(SIPPAY_BINARY, gateway_.uri, listen);
  const auto config = write_config(listen, "sips:" + proxy.substr(4));
  testing::ChildProcess gateway({SIPPAY_BINARY, "gateway", "--config", config.string()},
                                deployment_.root() / "gateway.log");
  EXPECT_EQ(gateway.read_line(), "listening " + listen);

  // The gateway's tables exist in the ledger file once it started.
  ledger::SqliteLedger ledger(deployment_.root() / "ledger.db");
  const auto tables = ledger.transact([](ledger::LedgerTransaction& tx) {
    ledger::sql::Query query(tx.connection(),
                             "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'gateway_%'");
    query->step();
    return query->column_int64(0);
  });
  EXPECT_EQ(tables, 3);
}

TEST_F(GatewayDaemonTest, BadConfigExits2NamingTheKey) {
  const auto config = write_config("tls:127.0.0.1:0", "sips:127.0.0.1:9");
  std::ofstream(config, std::ios::app) << "pin_max_failures = 0\n";
  const std::string command = std::string(SIPPAY_BINARY) + " gateway --config " + config.string() + " 2> " +
                              (deployment_.root() / "err.txt").string();
  EXPECT_EQ(WEXITSTATUS(std::system(command.c_str())), 2);
  std::ifstream err(deployment_.root() / "err.txt");
  const std::string text((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("[ledger] pin_max_failures"), std::string::npos) << text;
}

TEST_F(GatewayDaemonTest, MissingPinKeyExits2) {
  const auto config = write_config("tls:127.0.0.1:0", "sips:127.0.0.1:9");
  std::filesystem::remove(deployment_.root() / "pin.key");
  const std::string command = std::string(SIPPAY_BINARY) + " gateway --config " + config.string() + " 2> " +
                              (deployment_.root() / "err.txt").string();
  EXPECT_EQ(WEXITSTATUS(std::system(command.c_str())), 2);
  std::ifstream err(deployment_.root() / "err.txt");
  const std::string text((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("pin_key"), std::string::npos) << text;
}

}  // namespace
}  // namespace sippay::roles::gateway
