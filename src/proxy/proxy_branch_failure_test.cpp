// A static route's next hop whose TCP or TLS connection fails: the proxy
// answers upstream with 500 Next Hop Unavailable as soon as the transport
// reports the failure. T1 is 10 s here, so Timer F (64*T1) is far beyond
// the 5 s each test waits, and any final response came before it.
#include <gtest/gtest.h>

#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/socket_base.hpp>

#include "proxy/proxy_server_test_support.hpp"
#include "sip/transport/testing/test_pki.hpp"

namespace sippay::proxy {
namespace {

using namespace std::chrono_literals;
using testing::ProxyServerTest;

class ProxyBranchFailureTest : public ProxyServerTest {
 protected:
  ProxyBranchFailureTest() {
    config_.timers.t1 = 10s;
    config_.challenge_requests = false;
  }

  // Starts the proxy with a route to `next_hop` and sends a MESSAGE to it
  // from a UDP peer, which the test returns.
  sip::testing::RecordingTransport& start_and_send(const sip::TransportAddress& next_hop) {
    add_route("sip:gateway@pay.test", next_hop);
    start_proxy();
    auto& carol = add_peer();
    send_raw(carol, request_text(request_to("sip:gateway@pay.test", "sip:alice@pay.test"), carol));
    return carol;
  }

  // Checks that `carol` got 500 Next Hop Unavailable for a branch that
  // failed by transport error, and that nothing waits for Timer F.
  void expect_next_hop_unavailable(sip::testing::RecordingTransport& carol) {
    const auto response = wait_for_final(carol, 0);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status_code(), 500);
    EXPECT_EQ(response->status_line().reason_phrase, "Next Hop Unavailable");
    EXPECT_EQ(proxy_->counters().get(Counter::kTransportError), 1U);
    EXPECT_EQ(proxy_->counters().get(Counter::kTimeout), 0U);
    EXPECT_EQ(proxy_->in_flight(), 0U);
  }
};

// The next hop takes the request and goes away before answering, as a
// merchant that crashes does: the kernel closes its connection.
TEST_F(ProxyBranchFailureTest, NextHopClosingTcpGets500) {
  auto& gateway = add_peer("127.0.0.1", /*tcp=*/true);
  auto& carol = start_and_send(gateway.address(sip::TransportProtocol::kTcp));
  ASSERT_TRUE(wait_for_request(gateway, 0));

  gateway.layer.stop();

  expect_next_hop_unavailable(carol);
}

TEST_F(ProxyBranchFailureTest, NextHopClosingTlsGets500) {
  sip::testing::TestPki pki;
  auto& gateway = add_tls_peer(pki, "gateway", /*require_client_certificate=*/false);
  config_.tls = sip::TlsSettings{"", "", pki.ca_file()};
  auto& carol = start_and_send(gateway.address(sip::TransportProtocol::kTls));
  ASSERT_TRUE(wait_for_request(gateway, 0));

  gateway.layer.stop();

  expect_next_hop_unavailable(carol);
}

// A next hop that aborts the connection with a TCP reset.
TEST_F(ProxyBranchFailureTest, NextHopResetGets500) {
  asio::ip::tcp::acceptor acceptor(io_, {asio::ip::address_v4::loopback(), 0});
  asio::ip::tcp::socket gateway(io_);
  std::array<char, 16> start{};
  bool request_arrived = false;
  acceptor.async_accept(gateway, [&](std::error_code error) {
    ASSERT_FALSE(error) << error.message();
    asio::async_read(gateway, asio::buffer(start), [&](std::error_code read_error, std::size_t) {
      request_arrived = !read_error;
    });
  });
  auto& carol = start_and_send(
      {sip::TransportProtocol::kTcp, asio::ip::address_v4::loopback(), acceptor.local_endpoint().port()});
  ASSERT_TRUE(sip::testing::run_until(io_, [&] { return request_arrived; }));

  gateway.set_option(asio::socket_base::linger(true, 0));
  gateway.close();

  expect_next_hop_unavailable(carol);
}

// Nothing listens at the next hop: the connect fails and so does the branch.
TEST_F(ProxyBranchFailureTest, RefusedConnectGets500) {
  asio::ip::tcp::acceptor probe(io_, {asio::ip::address_v4::loopback(), 0});
  const std::uint16_t closed_port = probe.local_endpoint().port();
  probe.close();

  auto& carol = start_and_send({sip::TransportProtocol::kTcp, asio::ip::address_v4::loopback(), closed_port});

  expect_next_hop_unavailable(carol);
}

// A final response that arrived before the close is relayed, and the close
// that follows changes nothing.
TEST_F(ProxyBranchFailureTest, CloseAfterFinalResponseIsHarmless) {
  auto& gateway = add_peer("127.0.0.1", /*tcp=*/true);
  auto& carol = start_and_send(gateway.address(sip::TransportProtocol::kTcp));
  const auto relayed = wait_for_request(gateway, 0);
  ASSERT_TRUE(relayed);
  respond(gateway, *relayed, 200);
  const auto response = wait_for_final(carol, 0);
  ASSERT_TRUE(response);

  gateway.layer.stop();
  settle();

  EXPECT_EQ(response->status_code(), 200);
  std::size_t finals = 0;
  for (const sip::ReceivedMessage& message : carol.received) {
    if (!message.message.is_request() && message.message.status_code() >= 200) ++finals;
  }
  EXPECT_EQ(finals, 1U);
  EXPECT_EQ(proxy_->counters().get(Counter::kTransportError), 0U);
  EXPECT_EQ(proxy_->in_flight(), 0U);
}

}  // namespace
}  // namespace sippay::proxy
