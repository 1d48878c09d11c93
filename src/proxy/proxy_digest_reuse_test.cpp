// A real UserAgent sending MESSAGEs through ProxyServer with alice's
// credentials: after the first 407 it reuses the proxy's nonce with
// increasing nonce counts, and the proxy accepts them without a challenge.
#include <gtest/gtest.h>

#include "proxy/proxy_server_test_support.hpp"
#include "sip/ua/user_agent.hpp"

namespace sippay::proxy {
namespace {

using namespace std::chrono_literals;
using testing::ProxyServerTest;

class ProxyDigestReuseTest : public ProxyServerTest {
 protected:
  // Starts the proxy on UDP and TCP, registers bob at a peer of his own and
  // starts alice's UA.
  void start_all() {
    config_.listen.push_back(sip::testing::loopback(sip::TransportProtocol::kTcp));
    start_proxy();
    bob_ = &add_peer();
    ASSERT_EQ(register_user(*bob_, "bob", contact_of(*bob_, "bob"))->status_code(), 200);
    bob_->received.clear();
    challenges_before_ = proxy_->counters().get(Counter::kAuthChallenge);

    sip::UserAgentSettings settings;
    settings.transport.listen = {sip::testing::loopback(sip::TransportProtocol::kUdp),
                                 sip::testing::loopback(sip::TransportProtocol::kTcp)};
    settings.timers.t1 = 10ms;
    alice_ = std::make_unique<sip::UserAgent>(io_, settings);
    ASSERT_FALSE(alice_->start());
  }

  ~ProxyDigestReuseTest() override {
    if (alice_) alice_->transport().stop();
  }

  // The proxy's URI for `protocol`, as alice's UA routes through it.
  std::string proxy_uri(sip::TransportProtocol protocol) {
    for (const sip::TransportAddress& address : proxy_->transport().local_addresses()) {
      if (address.protocol != protocol) continue;
      return "sip:127.0.0.1:" + std::to_string(address.port) +
             (protocol == sip::TransportProtocol::kTcp ? ";transport=tcp" : "");
    }
    ADD_FAILURE() << "the proxy has no listener for the protocol";
    return {};
  }

  // Sends `count` MESSAGEs from alice to bob at once, answers each with 200
  // at bob, and returns their final status codes in the order sent.
  std::vector<int> send_messages(int count, sip::TransportProtocol protocol = sip::TransportProtocol::kUdp) {
    std::vector<std::optional<sip::RequestOutcome>> outcomes(static_cast<std::size_t>(count));
    for (auto& outcome : outcomes) {
      sip::OutgoingMessage message;
      message.to_uri = "sip:bob@pay.test";
      message.from_uri = "sip:alice@pay.test";
      message.proxy_uri = proxy_uri(protocol);
      message.body = "pay 12.50 EUR";
      message.credentials = sip::DigestCredentials{"alice", "alice-secret"};
      alice_->send_message(message, [&outcome](const sip::RequestOutcome& result) { outcome = result; });
    }
    std::size_t answered = 0;
    sip::testing::run_until(io_, [&] {
      for (; answered < bob_->received.size(); ++answered) {
        if (bob_->received[answered].message.is_request()) respond(*bob_, bob_->received[answered], 200);
      }
      for (const auto& outcome : outcomes) {
        if (!outcome) return false;
      }
      return true;
    }, 5s);
    std::vector<int> codes;
    for (const auto& outcome : outcomes) codes.push_back(outcome ? outcome->status_code : 0);
    return codes;
  }

  // Challenges the proxy sent since start_all, without bob's 401.
  std::uint64_t challenges() const { return proxy_->counters().get(Counter::kAuthChallenge) - challenges_before_; }

  sip::testing::RecordingTransport* bob_ = nullptr;
  std::unique_ptr<sip::UserAgent> alice_;
  std::uint64_t challenges_before_ = 0;
};

TEST_F(ProxyDigestReuseTest, SecondMessageNotChallenged) {
  start_all();
  ASSERT_EQ(send_messages(1), std::vector<int>{200});
  EXPECT_EQ(challenges(), 1U);

  ASSERT_EQ(send_messages(1), std::vector<int>{200});
  EXPECT_EQ(challenges(), 1U);
  ASSERT_EQ(requests_received(*bob_), 2U);
  EXPECT_TRUE(bob_->received.back().message.proxy_authorization().empty());
}

TEST_F(ProxyDigestReuseTest, ConcurrentMessagesOverTcpNotChallenged) {
  // nc is assigned at send time, and one TCP connection keeps the send
  // order, so the proxy sees increasing counts.
  start_all();
  ASSERT_EQ(send_messages(1, sip::TransportProtocol::kTcp), std::vector<int>{200});
  ASSERT_EQ(challenges(), 1U);

  EXPECT_EQ(send_messages(6, sip::TransportProtocol::kTcp), std::vector<int>(6, 200));
  EXPECT_EQ(challenges(), 1U);
  EXPECT_EQ(requests_received(*bob_), 7U);
}

TEST_F(ProxyDigestReuseTest, ExpiredNonceCostsOneChallenge) {
  start_all();
  ASSERT_EQ(send_messages(1), std::vector<int>{200});
  clock_ += config_.nonce_lifetime + 1s;

  EXPECT_EQ(send_messages(1), std::vector<int>{200});
  EXPECT_EQ(challenges(), 2U);

  EXPECT_EQ(send_messages(1), std::vector<int>{200});
  EXPECT_EQ(challenges(), 2U);
  EXPECT_EQ(requests_received(*bob_), 3U);
}

}  // namespace
}  // namespace sippay::proxy
