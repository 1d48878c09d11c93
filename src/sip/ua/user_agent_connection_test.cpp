// A UA's request over TCP or TLS whose connection fails: it ends with a
// transport error as soon as the transport reports it, not at Timer F.
// Timer F is 64 * 10 s here, far beyond the 5 s each test waits, so an
// outcome at all shows that it came before Timer F.
#include <gtest/gtest.h>

#include <asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "sip/transport/testing/test_pki.hpp"
#include "sip/transport/testing/transport_test_support.hpp"
#include "sip/ua/user_agent.hpp"

namespace sippay::sip {
namespace {

using namespace std::chrono_literals;
using testing::run_until;

constexpr std::chrono::milliseconds kLongT1 = 10s;

UserAgentSettings settings_for(std::string_view bind) {
  UserAgentSettings settings;
  settings.transport.listen = {*parse_transport_address(bind)};
  settings.timers.t1 = kLongT1;
  return settings;
}

class UserAgentConnection : public ::testing::Test {
 protected:
  // Starts the server and client UAs. The server keeps each MESSAGE's
  // responder and never responds.
  void start(UserAgentSettings server_settings, UserAgentSettings client_settings) {
    server_ = std::make_unique<UserAgent>(io_, std::move(server_settings));
    client_ = std::make_unique<UserAgent>(io_, std::move(client_settings));
    server_->on_message_async([this](const ReceivedMessage&, UserAgent::MessageResponder responder) {
      responders_.push_back(std::move(responder));
    });
    ASSERT_FALSE(server_->start());
    ASSERT_FALSE(client_->start());
  }

  void send(const std::string& to_uri) {
    OutgoingMessage message;
    message.to_uri = to_uri;
    message.from_uri = "sip:alice@pay.test";
    message.body = "pay 12.50 EUR";
    client_->send_message(std::move(message), [this](const RequestOutcome& result) { outcome_ = result; });
  }

  // Destroys the server UA, as a crash would, once it received the request.
  void crash_server_after_request() {
    ASSERT_TRUE(run_until(io_, [&] { return !responders_.empty(); }));
    server_.reset();
    responders_.clear();
  }

  void expect_transport_error() {
    ASSERT_TRUE(run_until(io_, [&] { return outcome_.has_value(); }));
    EXPECT_EQ(outcome_->status_code, 0);
    ASSERT_TRUE(outcome_->failure.has_value());
    EXPECT_EQ(*outcome_->failure, TransactionFailure::kTransportError);
    EXPECT_EQ(client_->transactions().counters().transport_errors, 1u);
    EXPECT_EQ(client_->transactions().counters().timeouts, 0u);
    EXPECT_EQ(client_->transactions().client_transactions(), 0u);
  }

  std::uint16_t server_port() { return server_->transport().local_addresses().front().port; }

  asio::io_context io_;
  std::unique_ptr<UserAgent> server_;
  std::unique_ptr<UserAgent> client_;
  std::vector<UserAgent::MessageResponder> responders_;
  std::optional<RequestOutcome> outcome_;
};

TEST_F(UserAgentConnection, ServerCrashOverTcpFailsRequest) {
  start(settings_for("tcp:127.0.0.1:0"), settings_for("tcp:127.0.0.1:0"));
  send("sip:merchant@127.0.0.1:" + std::to_string(server_port()) + ";transport=tcp");
  crash_server_after_request();
  expect_transport_error();
}

TEST_F(UserAgentConnection, ServerCrashOverTlsFailsRequest) {
  testing::TestPki pki;
  const auto files = pki.issue("server", {"server", {}, {"127.0.0.1"}, {}});
  UserAgentSettings server_settings = settings_for("tls:127.0.0.1:0");
  server_settings.transport.tls = TlsSettings{files.certificate_file, files.private_key_file, pki.ca_file()};
  UserAgentSettings client_settings = settings_for("tls:127.0.0.1:0");
  client_settings.transport.tls = server_settings.transport.tls;
  start(server_settings, client_settings);
  send("sips:merchant@127.0.0.1:" + std::to_string(server_port()));
  crash_server_after_request();
  expect_transport_error();
}

TEST_F(UserAgentConnection, RefusedConnectionFailsRequest) {
  start(settings_for("tcp:127.0.0.1:0"), settings_for("tcp:127.0.0.1:0"));
  const std::uint16_t port = server_port();
  server_.reset();  // nothing listens on the port any more
  send("sip:merchant@127.0.0.1:" + std::to_string(port) + ";transport=tcp");
  expect_transport_error();
}

}  // namespace
}  // namespace sippay::sip
