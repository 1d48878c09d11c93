// MESSAGE and OPTIONS through ProxyServer over real UDP sockets: relaying
// with Via handling, proxy authentication and every rejection.
#include <gtest/gtest.h>

#include "proxy/message_relay.hpp"
#include "proxy/proxy_server_test_support.hpp"
#include "sip/serializer.hpp"
#include "sip/transport/testing/test_pki.hpp"

namespace sippay::proxy {
namespace {

using namespace std::chrono_literals;
using testing::ProxyServerTest;
using testing::RequestText;

class ProxyRelayTest : public ProxyServerTest {
 protected:
  // Starts the proxy and registers bob at a peer of his own.
  void start_with_bob() {
    start_proxy();
    bob_ = &add_peer();
    ASSERT_EQ(register_user(*bob_, "bob", contact_of(*bob_, "bob"))->status_code(), 200);
    bob_->received.clear();
  }

  // Registers bob@127.0.0.1 at the proxy itself and checks that a MESSAGE
  // to him gets 482.
  void expect_loop_detected();

  sip::testing::RecordingTransport* bob_ = nullptr;
};

TEST_F(ProxyRelayTest, MessageArrivesOnceWithProxyVia) {
  start_with_bob();
  auto& carol = add_peer();
  const auto sent = sip::parse_message_owned(request_text(RequestText{}, carol));
  ASSERT_TRUE(sent.ok());
  send_raw(carol, sip::serialize(sent.value()));

  const auto relayed = wait_for_request(*bob_, 0);
  ASSERT_TRUE(relayed);
  const sip::Message& request = relayed->message;
  EXPECT_EQ(request.request_line().request_uri.text, contact_of(*bob_, "bob"));
  ASSERT_EQ(request.vias().size(), 2U);
  EXPECT_EQ(request.vias()[0].host, "127.0.0.1");
  EXPECT_EQ(request.vias()[0].port, proxy_address_.port);
  EXPECT_TRUE(request.vias()[0].branch.starts_with("z9hG4bK"));
  EXPECT_EQ(request.vias()[1].port, carol.address(sip::TransportProtocol::kUdp).port);
  EXPECT_EQ(request.max_forwards(), 69U);
  EXPECT_EQ(request.body(), "hello");

  respond(*bob_, *relayed, 200);
  const auto response = wait_for_final(carol, 0);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 200);
  ASSERT_EQ(response->vias().size(), 1U);
  EXPECT_EQ(response->vias()[0].branch, sent.value().vias()[0].branch);
  settle();
  EXPECT_EQ(requests_received(*bob_), 1U);
  EXPECT_EQ(proxy_->in_flight(), 0U);
  EXPECT_EQ(proxy_->counters().get(Counter::kForwarded), 1U);
}

TEST_F(ProxyRelayTest, TcpClientGetsResponseOnItsConnection) {
  config_.listen.push_back(sip::testing::loopback(sip::TransportProtocol::kTcp));
  start_with_bob();
  auto& carol = add_peer("127.0.0.1", /*tcp=*/true);
  sip::TransportAddress proxy_tcp = proxy_->transport().local_addresses().back();
  ASSERT_EQ(proxy_tcp.protocol, sip::TransportProtocol::kTcp);
  carol.layer.send_request(request_text(RequestText{}, carol, sip::TransportProtocol::kTcp), proxy_tcp, "", nullptr);

  const auto relayed = wait_for_request(*bob_, 0);
  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->source.protocol, sip::TransportProtocol::kUdp);
  EXPECT_EQ(relayed->message.vias()[1].transport, "TCP");
  respond(*bob_, *relayed, 200);
  const auto response = wait_for_final(carol, 0);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 200);
  EXPECT_EQ(carol.received.back().source.protocol, sip::TransportProtocol::kTcp);
}

TEST_F(ProxyRelayTest, FailureResponseIsRelayed) {
  start_with_bob();
  auto& carol = add_peer();
  send_raw(carol, request_text(RequestText{}, carol));
  const auto relayed = wait_for_request(*bob_, 0);
  ASSERT_TRUE(relayed);

  respond(*bob_, *relayed, 486);

  const auto response = wait_for_final(carol, 0);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 486);
  EXPECT_EQ(response->vias().size(), 1U);
}

TEST_F(ProxyRelayTest, LocalSenderChallengedThenRelayed) {
  start_with_bob();
  auto& alice = add_peer();
  RequestText spec;
  spec.from = "sip:alice@pay.test";

  const auto challenge = send(alice, spec);
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->status_code(), 407);
  ASSERT_EQ(challenge->proxy_authenticate().size(), 2U);
  EXPECT_EQ(requests_received(*bob_), 0U);

  spec.cseq += 1;
  spec.extra_headers = "Proxy-Authorization: " + answer(*challenge, spec, "alice", "alice-secret") + "\r\n";
  send_raw(alice, request_text(spec, alice));
  const auto relayed = wait_for_request(*bob_, 0);
  ASSERT_TRUE(relayed);
  EXPECT_TRUE(relayed->message.proxy_authorization().empty());
  respond(*bob_, *relayed, 200);
  const auto response = wait_for_final(alice, 1);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 200);
}

TEST_F(ProxyRelayTest, CredentialsOfAnotherUserGet403) {
  start_with_bob();
  auto& alice = add_peer();
  RequestText spec;
  spec.from = "sip:alice@pay.test";
  const auto challenge = send(alice, spec);
  ASSERT_TRUE(challenge);

  spec.cseq += 1;
  spec.extra_headers = "Proxy-Authorization: " + answer(*challenge, spec, "dave", "dave-secret") + "\r\n";
  const auto response = send(alice, spec);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 403);
  EXPECT_EQ(proxy_->counters().get(Counter::kIdentityMismatch), 1U);
  settle();
  EXPECT_EQ(requests_received(*bob_), 0U);
}

TEST_F(ProxyRelayTest, WrongProxyPasswordGets403) {
  start_with_bob();
  auto& alice = add_peer();
  RequestText spec;
  spec.from = "sip:alice@pay.test";
  const auto challenge = send(alice, spec);
  ASSERT_TRUE(challenge);

  spec.cseq += 1;
  spec.extra_headers = "Proxy-Authorization: " + answer(*challenge, spec, "alice", "guess") + "\r\n";
  const auto response = send(alice, spec);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 403);
  EXPECT_EQ(requests_received(*bob_), 0U);
}

TEST_F(ProxyRelayTest, ReplayedProxyCredentialsGetStaleChallenge) {
  start_with_bob();
  auto& alice = add_peer();
  RequestText spec;
  spec.from = "sip:alice@pay.test";
  const auto challenge = send(alice, spec);
  ASSERT_TRUE(challenge);
  spec.cseq += 1;
  spec.extra_headers = "Proxy-Authorization: " + answer(*challenge, spec, "alice", "alice-secret") + "\r\n";
  send_raw(alice, request_text(spec, alice));
  const auto relayed = wait_for_request(*bob_, 0);
  ASSERT_TRUE(relayed);
  respond(*bob_, *relayed, 200);
  ASSERT_EQ(wait_for_final(alice, 1)->status_code(), 200);

  const auto replayed = send(alice, spec);

  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed->status_code(), 407);
  ASSERT_FALSE(replayed->proxy_authenticate().empty());
  EXPECT_EQ(replayed->proxy_authenticate()[0].stale, "true");
  EXPECT_EQ(requests_received(*bob_), 1U);
}

TEST_F(ProxyRelayTest, ExpiredProxyNonceGetsStaleChallenge) {
  start_with_bob();
  auto& alice = add_peer();
  RequestText spec;
  spec.from = "sip:alice@pay.test";
  const auto challenge = send(alice, spec);
  ASSERT_TRUE(challenge);
  clock_ += config_.nonce_lifetime + std::chrono::seconds(1);

  spec.cseq += 1;
  spec.extra_headers = "Proxy-Authorization: " + answer(*challenge, spec, "alice", "alice-secret") + "\r\n";
  const auto stale = send(alice, spec);

  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status_code(), 407);
  ASSERT_FALSE(stale->proxy_authenticate().empty());
  EXPECT_EQ(stale->proxy_authenticate()[0].stale, "true");
  EXPECT_EQ(requests_received(*bob_), 0U);
}

TEST_F(ProxyRelayTest, ChallengeOffIsNotChallenged) {
  config_.challenge_requests = false;
  start_with_bob();
  auto& alice = add_peer();
  RequestText spec;
  spec.from = "sip:alice@pay.test";
  send_raw(alice, request_text(spec, alice));

  EXPECT_TRUE(wait_for_request(*bob_, 0));
}

TEST_F(ProxyRelayTest, ForeignSenderRejectedWhenPolicySaysSo) {
  config_.accept_from_other_domains = false;
  start_with_bob();
  auto& carol = add_peer();

  const auto response = send(carol, RequestText{});

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 403);
  EXPECT_EQ(proxy_->counters().get(Counter::kForeignSender), 1U);
}

TEST_F(ProxyRelayTest, UnknownUserGets404) {
  start_proxy();
  auto& carol = add_peer();
  RequestText spec;
  spec.request_uri = "sip:nobody@pay.test";

  const auto response = send(carol, spec);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 404);
  EXPECT_EQ(proxy_->counters().get(Counter::kNotFound), 1U);
}

TEST_F(ProxyRelayTest, UnregisteredUserGets480) {
  start_proxy();
  auto& carol = add_peer();

  const auto response = send(carol, RequestText{});

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 480);
  EXPECT_EQ(proxy_->counters().get(Counter::kUnavailable), 1U);
}

TEST_F(ProxyRelayTest, MaxForwardsZeroGets483) {
  start_with_bob();
  auto& carol = add_peer();
  RequestText spec;
  spec.max_forwards = 0;

  const auto response = send(carol, spec);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 483);
  EXPECT_EQ(requests_received(*bob_), 0U);
}

TEST_F(ProxyRelayTest, MissingMaxForwardsIsAdded) {
  start_with_bob();
  auto& carol = add_peer();
  RequestText spec;
  spec.max_forwards.reset();
  send_raw(carol, request_text(spec, carol));

  const auto relayed = wait_for_request(*bob_, 0);

  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->message.max_forwards(), 70U);
}

TEST_F(ProxyRelayTest, LoopGets482) {
  start_proxy();
  expect_loop_detected();
}

TEST_F(ProxyRelayTest, LoopBehindWildcardListenerGets482) {
  config_.listen = {{sip::TransportProtocol::kUdp, asio::ip::address_v4::any(), 0}};
  start_proxy();
  proxy_address_.address = asio::ip::address_v4::loopback();
  expect_loop_detected();
}

void ProxyRelayTest::expect_loop_detected() {
  auto& peer = add_peer();
  // bob@127.0.0.1 bound to the proxy itself: the request spirals once with
  // a new Request-URI, then comes back unchanged.
  const std::string self = "sip:bob@127.0.0.1:" + std::to_string(proxy_address_.port);
  RequestText registration = register_spec("bob", self, 600);
  registration.to = registration.from = "sip:bob@127.0.0.1";
  registration.request_uri = "sip:127.0.0.1";
  const auto challenge = send(peer, registration);
  ASSERT_TRUE(challenge);
  registration.cseq += 1;
  registration.extra_headers += "Authorization: " + answer(*challenge, registration, "bob", "bob-secret") + "\r\n";
  ASSERT_EQ(send(peer, registration)->status_code(), 200);

  const auto response = send(peer, request_to("sip:bob@127.0.0.1"));

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 482);
  EXPECT_EQ(proxy_->counters().get(Counter::kLoopDetected), 1U);
}

TEST_F(ProxyRelayTest, ProxyRequireGets420) {
  start_with_bob();
  auto& carol = add_peer();
  RequestText spec;
  spec.extra_headers = "Proxy-Require: foo\r\n";

  const auto response = send(carol, spec);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 420);
  ASSERT_EQ(response->unsupported().size(), 1U);
  EXPECT_EQ(response->unsupported()[0], "foo");
}

TEST_F(ProxyRelayTest, OtherDomainGets403) {
  start_proxy();
  auto& carol = add_peer();
  const auto response = send(carol, request_to("sip:someone@elsewhere.test"));

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 403);
  EXPECT_EQ(proxy_->counters().get(Counter::kOtherDomain), 1U);
}

TEST_F(ProxyRelayTest, OtherDomainForwardedWhenEnabled) {
  config_.forward_to_other_domains = true;
  start_proxy();
  auto& carol = add_peer();
  auto& far = add_peer("127.0.0.2");
  const sip::TransportAddress far_address = far.address(sip::TransportProtocol::kUdp);
  const RequestText spec = request_to("sip:someone@127.0.0.2:" + std::to_string(far_address.port));
  send_raw(carol, request_text(spec, carol));

  const auto relayed = wait_for_request(far, 0);

  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->message.request_line().request_uri.text, spec.request_uri);
}

TEST_F(ProxyRelayTest, OptionsToProxyGets200) {
  start_proxy();
  auto& carol = add_peer();
  RequestText spec;
  spec.method = "OPTIONS";
  spec.request_uri = spec.to = "sip:pay.test";
  spec.body.clear();

  const auto response = send(carol, spec);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 200);
  EXPECT_EQ(response->allow().size(), 3U);
}

TEST_F(ProxyRelayTest, OptionsToUserIsRelayed) {
  start_with_bob();
  auto& carol = add_peer();
  RequestText spec;
  spec.method = "OPTIONS";
  spec.body.clear();
  send_raw(carol, request_text(spec, carol));

  const auto relayed = wait_for_request(*bob_, 0);

  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->message.method(), "OPTIONS");
}

TEST_F(ProxyRelayTest, InviteGets405) {
  start_with_bob();
  auto& carol = add_peer();
  RequestText spec;
  spec.method = "INVITE";

  const auto response = send(carol, spec);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 405);
  EXPECT_FALSE(response->allow().empty());
  EXPECT_EQ(requests_received(*bob_), 0U);
}

TEST_F(ProxyRelayTest, CancelGets405) {
  start_with_bob();
  auto& carol = add_peer();
  RequestText spec;
  spec.method = "CANCEL";
  spec.body.clear();

  const auto response = send(carol, spec);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 405);
  EXPECT_EQ(response->allow().size(), 3U);
  EXPECT_EQ(requests_received(*bob_), 0U);
}

TEST_F(ProxyRelayTest, OversizedMessageGets513) {
  config_.limits.max_message_bytes = 1024;
  start_with_bob();
  auto& carol = add_peer();
  RequestText spec;
  spec.body = std::string(2000, 'x');

  const auto response = send(carol, spec);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 513);
  EXPECT_EQ(proxy_->counters().get(Counter::kMessageTooLarge), 1U);
  EXPECT_EQ(requests_received(*bob_), 0U);
}

TEST_F(ProxyRelayTest, UnparsableRequestGets400) {
  start_with_bob();
  auto& carol = add_peer();
  std::string text = request_text(RequestText{}, carol);
  text.replace(text.find("Max-Forwards: 70"), 16, "Max-Forwards: xy");
  send_raw(carol, text);

  const auto response = wait_for_final(carol, 0);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 400);
  EXPECT_NE(response->status_line().reason_phrase.find("Max-Forwards"), std::string_view::npos);
  EXPECT_EQ(proxy_->counters().get(Counter::kBadRequest), 1U);
}

TEST_F(ProxyRelayTest, MissingCallIdGets400) {
  start_with_bob();
  auto& carol = add_peer();
  std::string text = request_text(RequestText{}, carol);
  text.erase(text.find("Call-ID:"), text.find("\r\n", text.find("Call-ID:")) + 2 - text.find("Call-ID:"));
  send_raw(carol, text);

  const auto response = wait_for_final(carol, 0);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 400);
}

TEST_F(ProxyRelayTest, SilentNextHopGives408) {
  start_proxy();
  auto& carol = add_peer();
  auto& silent = add_peer();
  ASSERT_EQ(register_user(silent, "bob", contact_of(silent, "bob"))->status_code(), 200);

  const std::size_t before = carol.received.size();
  send_raw(carol, request_text(RequestText{}, carol));
  const auto response = wait_for_final(carol, before, 10s);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 408);
  EXPECT_EQ(proxy_->counters().get(Counter::kTimeout), 1U);
  EXPECT_EQ(proxy_->in_flight(), 0U);
}

TEST_F(ProxyRelayTest, TwoContactsGetOneRequestEach) {
  start_with_bob();
  auto& second = add_peer();
  ASSERT_EQ(register_user(second, "bob", contact_of(second, "bob"))->status_code(), 200);
  second.received.clear();
  auto& carol = add_peer();
  send_raw(carol, request_text(RequestText{}, carol));

  const auto first_copy = wait_for_request(*bob_, 0);
  const auto second_copy = wait_for_request(second, 0);
  ASSERT_TRUE(first_copy);
  ASSERT_TRUE(second_copy);
  respond(*bob_, *first_copy, 486);
  respond(second, *second_copy, 404);

  // §16.7: both are 4xx; the first received of the lowest class wins.
  const auto response = wait_for_final(carol, 0);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 486);
  settle();
  std::size_t finals = 0;
  for (const auto& message : carol.received) finals += message.message.is_request() ? 0 : 1;
  EXPECT_EQ(finals, 1U);
}

TEST_F(ProxyRelayTest, BurstFromOneSourceIsLimited) {
  config_.limits.rate = 0.001;
  config_.limits.burst = 3;
  start_proxy();
  auto& flood = add_peer();
  auto& other = add_peer("127.0.0.2");
  RequestText ping;
  ping.method = "OPTIONS";
  ping.request_uri = ping.to = "sip:pay.test";
  ping.body.clear();

  int flood_ok = 0;
  int flood_limited = 0;
  int other_ok = 0;
  for (int i = 0; i < 6; ++i) {
    ping.call_id = "flood-" + std::to_string(i);
    const auto response = send(flood, ping);
    ASSERT_TRUE(response);
    if (response->status_code() == 200) ++flood_ok;
    if (response->status_code() == 503) {
      ++flood_limited;
      EXPECT_NE(response->find_header("Retry-After"), nullptr);
    }
    ping.call_id = "other-" + std::to_string(i);
    if (i < 3 && send(other, ping)->status_code() == 200) ++other_ok;
  }

  EXPECT_EQ(flood_ok, 3);
  EXPECT_EQ(flood_limited, 3);
  EXPECT_EQ(other_ok, 3);
  EXPECT_EQ(proxy_->counters().get(Counter::kRateLimitedReply), 3U);
}

TEST_F(ProxyRelayTest, DropModeSendsNothing) {
  config_.limits.rate = 0.001;
  config_.limits.burst = 1;
  config_.limits.over_limit = OverLimitAction::kDrop;
  start_proxy();
  auto& flood = add_peer();
  RequestText ping;
  ping.method = "OPTIONS";
  ping.request_uri = ping.to = "sip:pay.test";
  ping.body.clear();
  ASSERT_EQ(send(flood, ping)->status_code(), 200);

  ping.call_id = "second";
  const auto dropped = send(flood, ping);

  // The client's own retransmissions are dropped too, so no response arrives.
  EXPECT_FALSE(dropped.has_value());
  EXPECT_GE(proxy_->counters().get(Counter::kRateLimitedDrop), 1U);
}

TEST_F(ProxyRelayTest, InFlightBoundGets503) {
  config_.limits.max_in_flight = 1;
  start_with_bob();
  auto& carol = add_peer();
  RequestText first;
  send_raw(carol, request_text(first, carol));
  const auto held = wait_for_request(*bob_, 0);
  ASSERT_TRUE(held);
  ASSERT_EQ(proxy_->in_flight(), 1U);

  RequestText second;
  second.call_id = "call-2@peer.test";
  const auto rejected = send(carol, second);

  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->status_code(), 503);
  EXPECT_EQ(proxy_->counters().get(Counter::kInFlightLimit), 1U);
  respond(*bob_, *held, 200);
  const std::size_t before = carol.received.size();
  ASSERT_TRUE(sip::testing::run_until(io_, [&] { return proxy_->in_flight() == 0; }));
  EXPECT_GE(carol.received.size(), before);
}

}  // namespace
}  // namespace sippay::proxy

namespace sippay::proxy {
namespace {

TEST_F(ProxyServerTest, StaticRouteUsesMutualTls) {
  sip::testing::TestPki pki;
  auto& gateway = add_tls_peer(pki, "gateway", /*require_client_certificate=*/true);
  use_proxy_certificate(pki);
  add_route("sip:gateway@pay.test", gateway.address(sip::TransportProtocol::kTls)).mutual_tls = true;
  config_.challenge_requests = false;
  start_proxy();
  auto& carol = add_peer();
  send_raw(carol, request_text(request_to("sip:gateway@pay.test", "sip:alice@pay.test"), carol));

  const auto relayed = wait_for_request(gateway, 0);
  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->source.protocol, sip::TransportProtocol::kTls);
  EXPECT_EQ(relayed->message.request_line().request_uri.text, "sip:gateway@pay.test");
  EXPECT_EQ(relayed->message.vias()[0].transport, "TLS");
  respond(gateway, *relayed, 200);
  const auto response = wait_for_final(carol, 0);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 200);
  gateway.layer.stop();
}

TEST_F(ProxyServerTest, GatewayRejectsProxyWithoutCertificate) {
  sip::testing::TestPki pki;
  auto& gateway = add_tls_peer(pki, "gateway", /*require_client_certificate=*/true);

  // A route without mutual_tls and a proxy without a certificate.
  config_.tls = sip::TlsSettings{"", "", pki.ca_file()};
  add_route("sip:gateway@pay.test", gateway.address(sip::TransportProtocol::kTls));
  config_.challenge_requests = false;
  // Timer F (64*T1) far beyond the wait, so the 500 cannot be a timeout.
  config_.timers.t1 = 10s;
  start_proxy();
  auto& carol = add_peer();
  const RequestText spec = request_to("sip:gateway@pay.test", "sip:alice@pay.test");

  const auto response = send(carol, spec);

  ASSERT_TRUE(response);
  // With TLS 1.3 the client's handshake completes before the server checks
  // the client certificate, so the write succeeds. The server then closes
  // the connection, which fails the branch as a transport error.
  EXPECT_EQ(response->status_code(), 500);
  EXPECT_EQ(proxy_->counters().get(Counter::kTransportError), 1U);
  EXPECT_EQ(requests_received(gateway), 0U);
  EXPECT_EQ(gateway.layer.stats().tls_handshake_failures, 1U);
  gateway.layer.stop();
}

}  // namespace
}  // namespace sippay::proxy

namespace sippay::proxy {
namespace {

TEST_F(ProxyServerTest, ForeignSenderCannotTakeStaticRoute) {
  auto& gateway = add_peer();
  add_route("sip:gateway@pay.test", gateway.address(sip::TransportProtocol::kUdp));
  start_proxy();
  auto& carol = add_peer();

  const auto response = send(carol, request_to("sip:gateway@pay.test"));

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 403);
  EXPECT_EQ(proxy_->counters().get(Counter::kForeignSender), 1U);
  EXPECT_EQ(requests_received(gateway), 0U);
}

TEST_F(ProxyServerTest, StaticRouteOpenWhenConfigured) {
  auto& service = add_peer();
  add_route("sip:echo@pay.test", service.address(sip::TransportProtocol::kUdp)).local_senders_only = false;
  start_proxy();
  auto& carol = add_peer();
  send_raw(carol, request_text(request_to("sip:echo@pay.test"), carol));

  const auto relayed = wait_for_request(service, 0);

  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->message.request_line().request_uri.text, "sip:echo@pay.test");
}

TEST_F(ProxyServerTest, TlsClientIsRelayedAndAnswered) {
  sip::testing::TestPki pki;
  config_.listen.push_back(sip::testing::loopback(sip::TransportProtocol::kTls));
  use_proxy_certificate(pki);
  start_proxy();
  auto& bob = add_peer();
  ASSERT_EQ(register_user(bob, "bob", contact_of(bob, "bob"))->status_code(), 200);
  bob.received.clear();

  sip::TransportSettings client_settings;
  client_settings.listen = {sip::testing::loopback(sip::TransportProtocol::kUdp)};
  client_settings.tls = sip::TlsSettings{"", "", pki.ca_file()};
  sip::testing::RecordingTransport carol(io_, client_settings);
  ASSERT_FALSE(carol.layer.start());
  const sip::TransportAddress proxy_tls = proxy_->transport().local_addresses().back();
  ASSERT_EQ(proxy_tls.protocol, sip::TransportProtocol::kTls);
  std::string text = request_text(RequestText{}, carol);
  text.replace(text.find("SIP/2.0/UDP"), 11, "SIP/2.0/TLS");
  carol.layer.send_request(text, proxy_tls, "127.0.0.1", nullptr);

  const auto relayed = wait_for_request(bob, 0);
  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->message.vias()[1].transport, "TLS");
  respond(bob, *relayed, 200);
  const auto response = wait_for_final(carol, 0);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 200);
  EXPECT_EQ(carol.received.back().source.protocol, sip::TransportProtocol::kTls);
  carol.layer.stop();
}

TEST_F(ProxyServerTest, RevokedTlsClientFailsHandshake) {
  sip::testing::TestPki pki;
  const sip::testing::CertificateFiles revoked =
      pki.issue("carol", {.common_name = "carol", .ip_addresses = {"127.0.0.1"}});
  const sip::testing::CertificateFiles valid =
      pki.issue("dave", {.common_name = "dave", .ip_addresses = {"127.0.0.1"}});
  config_.listen.push_back(sip::testing::loopback(sip::TransportProtocol::kTls));
  use_proxy_certificate(pki);
  config_.tls->require_client_certificate = true;
  config_.tls->crl_file = pki.write_crl("crl", {revoked.serial});
  start_proxy();
  auto& bob = add_peer();
  ASSERT_EQ(register_user(bob, "bob", contact_of(bob, "bob"))->status_code(), 200);
  bob.received.clear();
  const sip::TransportAddress proxy_tls = proxy_->transport().local_addresses().back();
  ASSERT_EQ(proxy_tls.protocol, sip::TransportProtocol::kTls);

  // Sends a request for bob over TLS from a client presenting `files`.
  const auto send_over_tls = [&](const sip::testing::CertificateFiles& files) {
    sip::TransportSettings settings;
    settings.listen = {sip::testing::loopback(sip::TransportProtocol::kUdp)};
    settings.tls = sip::TlsSettings{files.certificate_file, files.private_key_file, pki.ca_file()};
    auto client = std::make_unique<sip::testing::RecordingTransport>(io_, settings);
    EXPECT_FALSE(client->layer.start());
    std::string text = request_text(RequestText{}, *client);
    text.replace(text.find("SIP/2.0/UDP"), 11, "SIP/2.0/TLS");
    client->layer.send_request(text, proxy_tls, "127.0.0.1", nullptr);
    return client;
  };

  const auto carol = send_over_tls(revoked);
  ASSERT_TRUE(sip::testing::run_until(io_, [&] { return proxy_->transport().stats().tls_handshake_failures == 1; }));
  EXPECT_EQ(requests_received(bob), 0U);

  const auto dave = send_over_tls(valid);
  const auto relayed = wait_for_request(bob, 0);
  ASSERT_TRUE(relayed);
  EXPECT_EQ(relayed->message.vias()[1].transport, "TLS");
  EXPECT_EQ(proxy_->transport().stats().tls_handshake_failures, 1U);
  carol->layer.stop();
  dave->layer.stop();
}

TEST_F(ProxyServerTest, MissingCredentialFileThrows) {
  config_.credentials = folder_.path() / "missing.ha1";
  ProxyServerOptions options;

  EXPECT_THROW(ProxyServer(io_, config_, options), sip::CredentialFileError);
}

TEST_F(ProxyServerTest, ShortSecretFileNamesTheKey) {
  config_.secret_file = folder_.path() / "secret";
  std::ofstream(*config_.secret_file) << "short\n";

  try {
    ProxyServer server(io_, config_);
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("[auth] secret_file:"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace sippay::proxy
