// `sippay customer` as a process: configuration errors, registration and
// the history fallback against a real `sippay proxy` over TLS.
#include <gtest/gtest.h>

#include <fstream>

#include "roles/endpoint/endpoint_test_support.hpp"
#include "roles/endpoint/payment_endpoint.hpp"

namespace sippay::roles {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;
using testing::Deployment;
using testing::Party;

class CustomerCommandTest : public ::testing::Test {
 protected:
  CustomerCommandTest() {
    alice_ = deployment_.issue("alice", "sip:alice@pay.test", security::PkiRole::customer);
    gateway_ = deployment_.issue("gateway", "sip:gateway@pay.test", security::PkiRole::gateway);
    deployment_.add_user("alice", "alice-pw");
    deployment_.add_user("gateway", "gateway-pw");
  }

  // Writes alice.toml with `extra` appended to [customer].
  std::filesystem::path write_config(const std::string& extra = {}, const std::string& sip_extra = {}) {
    const std::filesystem::path path = deployment_.root() / "alice.toml";
    const std::string proxy = deployment_.proxy_address().empty() ? "127.0.0.1:9" : deployment_.proxy_address().substr(4);
    std::ofstream file(path);
    file << "[identity]\nuri = \"sip:alice@pay.test\"\ncertificate = \"" << alice_.certificate.string()
         << "\"\nprivate_key = \"" << alice_.key.string() << "\"\nca = \"" << deployment_.ca().string()
         << "\"\ncrl = \"" << deployment_.crl().string() << "\"\npeer_certificates = \"peers\"\n\n"
         << "[sip]\nproxy = \"sips:" << proxy << "\"\nusername = \"alice\"\npassword = \"alice-pw\"\n" << sip_extra
         << "\n[customer]\naccount = \"alice\"\ntimeout = 5\n" << extra;
    return path;
  }

  // Runs sippay with `args`, running `io` meanwhile; returns the exit status.
  int run(const std::vector<std::string>& args, std::string* out = nullptr) {
    std::vector<std::string> argv{SIPPAY_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess child(argv, deployment_.root() / "customer.log");
    const int status = child.wait_exit([this] {
      if (io_.stopped()) io_.restart();
      io_.run_for(20ms);
    });
    if (out) *out = child.read_all();
    return status;
  }

  std::string log() const {
    std::ifstream file(deployment_.root() / "customer.log");
    return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  }

  asio::io_context io_;
  Deployment deployment_;
  Party alice_, gateway_;
};

TEST_F(CustomerCommandTest, BadConfigExitsTwo) {
  const auto path = write_config("colour = \"blue\"\n");
  EXPECT_EQ(run({"customer", "register", "--config", path.string()}), 2);
  EXPECT_NE(log().find("[customer] colour: unknown key; check its spelling against docs/roles.md"), std::string::npos)
      << log();
}

TEST_F(CustomerCommandTest, BadPriceExitsTwo) {
  const auto path = write_config();
  const std::filesystem::path pin = deployment_.root() / "pin";
  std::ofstream(pin) << "1234\n";
  EXPECT_EQ(run({"customer", "buy", "--config", path.string(), "--merchant", "sip:merchant@pay.test", "--item", "tea",
                 "--price", "2.505", "--pin-file", pin.string()}),
            2);
  EXPECT_NE(log().find("--price 2.505: "), std::string::npos) << log();
}

TEST_F(CustomerCommandTest, RegistersThroughProxy) {
  deployment_.start_proxy(SIPPAY_BINARY);
  std::string out;
  EXPECT_EQ(run({"customer", "register", "--config", write_config().string()}, &out), 0) << log();
  EXPECT_EQ(out.rfind("registered sip:alice@pay.test at tls:127.0.0.1:", 0), 0u) << out;
}

TEST_F(CustomerCommandTest, UnreachableProxyExitsThree) {
  const auto path = write_config({}, "t1_ms = 5\n");  // 64 x T1 = 320 ms
  EXPECT_EQ(run({"customer", "register", "--config", path.string()}), 3);
  EXPECT_NE(log().find("REGISTER failed"), std::string::npos) << log();
}

TEST_F(CustomerCommandTest, HistoryFallsBackToWallet) {
  const std::string gateway_address = "tls:127.0.0.1:" + std::to_string(testing::free_tcp_port());
  deployment_.start_proxy(SIPPAY_BINARY, gateway_.uri, gateway_address);
  EndpointConfig config = deployment_.endpoint_config(gateway_, "gateway-pw");
  config.register_contact = false;
  config.accept_only_from = "sip:pay.test";
  config.listen = gateway_address;
  PaymentEndpoint gateway(io_, config);
  ASSERT_FALSE(gateway.start());
  int inquiries = 0;
  gateway.on_message([&inquiries](const InboundMessage& message) {
    ++inquiries;
    EXPECT_NE(message.content.find("\"type\":\"history-inquiry\""), std::string::npos) << message.content;
    return Reply{403, "No History Here", {}};
  });
  std::string out;
  EXPECT_EQ(run({"customer", "history", "--config", write_config().string()}, &out), 1) << log();
  EXPECT_EQ(inquiries, 1);
  EXPECT_NE(out.find("the gateway gave no history (the gateway did not take the history inquiry: 403 No History "
                     "Here); this wallet's own records:"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace sippay::roles
