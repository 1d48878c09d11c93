// Two endpoints exchanging sealed MESSAGEs through a real `sippay proxy`
// process over TLS on 127.0.0.1, and the rejections of bodies that are
// not theirs to accept.
#include "roles/endpoint/payment_endpoint.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <asio/post.hpp>
#include <asio/thread_pool.hpp>

#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include "payment/message_codec.hpp"
#include "roles/endpoint/endpoint_test_support.hpp"
#include "security/pki_operations.hpp"
#include "security/smime_body.hpp"
#include "security/trust_store.hpp"
#include "sip/ua/user_agent.hpp"

namespace sippay::roles {
namespace {

using namespace std::chrono_literals;
using testing::Deployment;
using testing::Party;
using testing::run_until;

constexpr const char* kContent = R"({"type":"test","version":1,"amount":100})";

std::optional<std::string> header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

class PaymentEndpointTest : public ::testing::Test {
 protected:
  PaymentEndpointTest() {
    alice_ = deployment_.issue("alice", "sip:alice@pay.test", security::PkiRole::customer);
    merchant_ = deployment_.issue("merchant", "sip:merchant@pay.test", security::PkiRole::merchant);
    gateway_ = deployment_.issue("gateway", "sip:gateway@pay.test", security::PkiRole::gateway);
    mallory_ = deployment_.issue("mallory", "sip:mallory@pay.test", security::PkiRole::customer);
    deployment_.add_user("alice", "alice-secret");
    deployment_.add_user("merchant", "merchant-secret");
    deployment_.add_user("gateway", "gateway-secret");
  }

  // Starts the gateway (not registered, behind the proxy's static route),
  // the proxy, then alice and the merchant, registered.
  void start() {
    const std::string gateway_address = "tls:127.0.0.1:" + std::to_string(testing::free_tcp_port());
    deployment_.start_proxy(SIPPAY_BINARY, gateway_.uri, gateway_address);
    EndpointConfig gateway_config = deployment_.endpoint_config(gateway_, "gateway-secret");
    gateway_config.crypto_threads = crypto_threads_;
    gateway_config.register_contact = false;
    gateway_config.accept_only_from = "sip:pay.test";
    gateway_config.listen = gateway_address;
    gateway_endpoint_ = std::make_unique<PaymentEndpoint>(io_, gateway_config);
    ASSERT_FALSE(gateway_endpoint_->start());
    gateway_endpoint_->on_message([this](const InboundMessage& message) { return record(message, Reply{}); });
    alice_endpoint_ = start_registered(alice_, "alice-secret");
    merchant_endpoint_ = start_registered(merchant_, "merchant-secret");
    merchant_endpoint_->on_message([this](const InboundMessage& message) { return record(message, merchant_reply_); });
  }

  std::unique_ptr<PaymentEndpoint> start_registered(const Party& party, const std::string& password) {
    EndpointConfig config = deployment_.endpoint_config(party, password);
    config.crypto_threads = crypto_threads_;
    auto endpoint = std::make_unique<PaymentEndpoint>(io_, config);
    std::optional<SendResult> registered;
    endpoint->on_registration([&registered](const SendResult& result) { registered = result; });
    EXPECT_FALSE(endpoint->start());
    EXPECT_TRUE(run_until(io_, [&] { return registered.has_value(); }, 20s));
    EXPECT_EQ(registered ? registered->status : 0, 200) << (registered ? registered->summary() : "no answer");
    endpoint->on_registration(nullptr);
    return endpoint;
  }

  Reply record(const InboundMessage& message, Reply reply) {
    received_.push_back(message);
    return reply;
  }

  SendResult send_and_wait(PaymentEndpoint& from, const std::string& to, std::string content,
                           HeaderList headers = {}) {
    std::optional<SendResult> result;
    from.send(to, std::move(content), std::move(headers), [&result](const SendResult& r) { result = r; });
    EXPECT_TRUE(run_until(io_, [&] { return result.has_value(); }, 20s));
    return result.value_or(SendResult{});
  }

  // Sends `body` with `content_type` as alice, through a plain UA with
  // alice's TLS certificate, to `to` via the proxy, or straight to `direct`.
  sip::RequestOutcome send_raw(const std::string& to, std::string content_type, std::string body,
                               const std::string& direct = {}) {
    sip::UserAgentSettings settings;
    settings.transport.listen = {*sip::parse_transport_address("tls:127.0.0.1:0")};
    settings.transport.tls = sip::TlsSettings{alice_.certificate.string(), alice_.key.string(),
                                              deployment_.ca().string(), false, true};
    settings.timers.t1 = 100ms;
    sip::UserAgent agent(io_, settings);
    EXPECT_FALSE(agent.start());
    sip::OutgoingMessage message;
    message.to_uri = direct.empty() ? to : "sips:" + direct.substr(4);
    message.from_uri = alice_.uri;
    if (direct.empty()) message.proxy_uri = alice_endpoint_->config().proxy;
    message.content_type = std::move(content_type);
    message.body = std::move(body);
    message.credentials = sip::DigestCredentials{"alice", "alice-secret"};
    std::optional<sip::RequestOutcome> outcome;
    agent.send_message(std::move(message), [&outcome](const sip::RequestOutcome& o) { outcome = o; });
    EXPECT_TRUE(run_until(io_, [&] { return outcome.has_value(); }, 20s));
    agent.transport().stop();
    return outcome.value_or(sip::RequestOutcome{});
  }

  // Seals `content` signed by `signer` for `recipient`.
  security::SmimeBody seal(const Party& signer, const Party& recipient, std::string content,
                           std::string content_type = std::string(payment::kContentType)) {
    auto trust = security::TrustStore::load(deployment_.ca(), deployment_.crl());
    security::SignerCredentials credentials{security::Certificate::load_pem_file(signer.certificate).value(),
                                            security::PrivateKey::load_pem_file(signer.key).value(),
                                            {}};
    auto body = security::seal_body({{std::move(content_type), std::move(content)}}, credentials,
                                    {security::Certificate::load_pem_file(recipient.certificate).value()},
                                    trust.value());
    EXPECT_TRUE(body.ok()) << (body.ok() ? "" : body.error().to_string());
    return body.value();
  }

  asio::io_context io_;
  Deployment deployment_;
  Party alice_, merchant_, gateway_, mallory_;
  std::unique_ptr<PaymentEndpoint> alice_endpoint_, merchant_endpoint_, gateway_endpoint_;
  std::vector<InboundMessage> received_;
  Reply merchant_reply_;
  unsigned crypto_threads_ = 0;  // 0: one per hardware thread
};

TEST_F(PaymentEndpointTest, DeliversSealedMessageThroughProxy) {
  start();
  merchant_reply_.headers = {{"Authentication-Info", "nextnonce=\"Qx8aaaaaaaaaaaaaaaaa\""}};
  const SendResult result = send_and_wait(*alice_endpoint_, merchant_.uri, kContent,
                                          {{"Authorization", "SipPay realm=\"shop\", nonce=\"n\""}});
  ASSERT_EQ(result.status, 200) << result.summary();
  EXPECT_EQ(header(result.headers, "Authentication-Info"), "nextnonce=\"Qx8aaaaaaaaaaaaaaaaa\"");
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].sender_uri, "sip:alice@pay.test");
  EXPECT_EQ(received_[0].content, kContent);
  EXPECT_TRUE(received_[0].signer_verified);
  EXPECT_EQ(received_[0].authorization, "SipPay realm=\"shop\", nonce=\"n\"");
  EXPECT_FALSE(received_[0].call_id.empty());
}

TEST_F(PaymentEndpointTest, HandlerChallengeReachesSender) {
  start();
  merchant_reply_ = Reply{401, "", {{"WWW-Authenticate", "SipPay realm=\"shop\", nonce=\"abcdefghijklmnopqr\", version=1"}}};
  const SendResult result = send_and_wait(*alice_endpoint_, merchant_.uri, kContent);
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(header(result.headers, "WWW-Authenticate"), "SipPay realm=\"shop\", nonce=\"abcdefghijklmnopqr\", version=1");
}

TEST_F(PaymentEndpointTest, GatewayAcceptsOnlyThroughProxy) {
  start();
  const SendResult via_proxy = send_and_wait(*alice_endpoint_, gateway_.uri, kContent);
  ASSERT_EQ(via_proxy.status, 200) << via_proxy.summary();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].sender_uri, "sip:alice@pay.test");

  const security::SmimeBody body = seal(alice_, gateway_, kContent);
  const sip::RequestOutcome direct =
      send_raw(gateway_.uri, body.content_type, body.der, gateway_endpoint_->local_address());
  EXPECT_EQ(direct.status_code, 403) << direct.summary();
  EXPECT_EQ(received_.size(), 1u);
}

TEST_F(PaymentEndpointTest, GatewaySendsThroughProxy) {
  start();
  alice_endpoint_->on_message([this](const InboundMessage& message) { return record(message, Reply{}); });
  const SendResult result = send_and_wait(*gateway_endpoint_, alice_.uri, kContent);
  ASSERT_EQ(result.status, 200) << result.summary();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].sender_uri, "sip:gateway@pay.test");
  EXPECT_EQ(received_[0].content, kContent);
}

TEST_F(PaymentEndpointTest, RejectsWrongSigner) {
  start();
  const security::SmimeBody body = seal(mallory_, merchant_, kContent);
  EXPECT_EQ(send_raw(merchant_.uri, body.content_type, body.der).status_code, 403);
  EXPECT_TRUE(received_.empty());
}

// Revokes `party`'s certificate with a new CRL file, as `sippay pki revoke` does.
void revoke(const Deployment& deployment, const Party& party) {
  security::PkiRevokeOptions options;
  options.uri = party.uri;
  const auto revoked = security::pki_revoke(deployment.pki(), options);
  ASSERT_TRUE(revoked.ok()) << revoked.error().detail;
}

// Calls reload_crl on `endpoint` and returns its outcome.
security::Result<security::CrlInfo> reload_and_wait(asio::io_context& io, PaymentEndpoint& endpoint) {
  std::optional<security::Result<security::CrlInfo>> outcome;
  endpoint.reload_crl([&outcome](const security::Result<security::CrlInfo>& result) { outcome = result; });
  EXPECT_TRUE(run_until(io, [&] { return outcome.has_value(); }, 20s));
  return outcome.value_or(security::Error{security::ErrorCode::io, "reload_crl did not finish"});
}

TEST_F(PaymentEndpointTest, ReloadedCrlRejectsRevokedSigner) {
  start();
  const security::SmimeBody body = seal(alice_, merchant_, kContent);
  ASSERT_EQ(send_raw(merchant_.uri, body.content_type, body.der).status_code, 200);

  revoke(deployment_, alice_);
  const auto reloaded = reload_and_wait(io_, *merchant_endpoint_);

  ASSERT_TRUE(reloaded.ok()) << reloaded.error().detail;
  EXPECT_EQ(reloaded.value().revoked_count, 1u);
  const security::SmimeBody again = seal(alice_, merchant_, kContent);
  EXPECT_EQ(send_raw(merchant_.uri, again.content_type, again.der).status_code, 403);
  EXPECT_EQ(received_.size(), 1u);
}

TEST_F(PaymentEndpointTest, ReloadedCrlFailsRevokedPeerHandshake) {
  start();
  const security::SmimeBody body = seal(alice_, gateway_, kContent);
  // Before the revocation the mutual TLS handshake succeeds, and the
  // gateway responds 403 because alice is not the proxy.
  const sip::RequestOutcome before =
      send_raw(gateway_.uri, body.content_type, body.der, gateway_endpoint_->local_address());
  ASSERT_EQ(before.status_code, 403) << before.summary();

  revoke(deployment_, alice_);
  const auto reloaded = reload_and_wait(io_, *gateway_endpoint_);
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().detail;

  // The gateway's TLS now rejects alice's certificate, so no response comes.
  const sip::RequestOutcome after =
      send_raw(gateway_.uri, body.content_type, body.der, gateway_endpoint_->local_address());
  EXPECT_EQ(after.status_code, 0) << after.summary();
  EXPECT_TRUE(received_.empty());
}

TEST_F(PaymentEndpointTest, InvalidCrlKeepsCrlInUse) {
  start();
  revoke(deployment_, alice_);
  ASSERT_TRUE(reload_and_wait(io_, *merchant_endpoint_).ok());
  std::ofstream(deployment_.crl(), std::ios::trunc) << "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n";

  const auto reloaded = reload_and_wait(io_, *merchant_endpoint_);

  ASSERT_FALSE(reloaded.ok());
  EXPECT_NE(reloaded.error().detail.find(deployment_.crl().string()), std::string::npos) << reloaded.error().detail;
  EXPECT_TRUE(merchant_endpoint_->trust()->current()->has_crl());
  EXPECT_EQ(merchant_endpoint_->trust()->current()->crl_info()->revoked_count, 1u);
}

TEST_F(PaymentEndpointTest, ChangedCrlFileIsReloaded) {
  EndpointConfig config = deployment_.endpoint_config(merchant_);
  config.register_contact = false;
  config.crl_check_interval = 20ms;
  PaymentEndpoint endpoint(io_, config);
  ASSERT_FALSE(endpoint.start());
  EXPECT_EQ(endpoint.trust()->current()->crl_info()->revoked_count, 0u);

  revoke(deployment_, alice_);

  EXPECT_TRUE(run_until(io_, [&] { return endpoint.trust()->current()->crl_info()->revoked_count == 1; }, 20s));
  bool stopped = false;
  endpoint.shutdown(1s, [&stopped] { stopped = true; });
  EXPECT_TRUE(run_until(io_, [&] { return stopped; }, 20s));
}

TEST_F(PaymentEndpointTest, RejectsEnvelopeForAnotherRecipient) {
  start();
  const security::SmimeBody body = seal(alice_, gateway_, kContent);
  EXPECT_EQ(send_raw(merchant_.uri, body.content_type, body.der).status_code, 493);
  std::string garbage = seal(alice_, merchant_, kContent).der;
  garbage[garbage.size() / 2] = static_cast<char>(garbage[garbage.size() / 2] ^ 0x20);
  EXPECT_EQ(send_raw(merchant_.uri, body.content_type, garbage).status_code, 493);
  EXPECT_TRUE(received_.empty());
}

TEST_F(PaymentEndpointTest, RejectsOtherContentTypes) {
  start();
  EXPECT_EQ(send_raw(merchant_.uri, "text/plain", "hello").status_code, 415);
  const security::SmimeBody inner_text = seal(alice_, merchant_, "hello", "text/plain");
  EXPECT_EQ(send_raw(merchant_.uri, inner_text.content_type, inner_text.der).status_code, 415);
  EXPECT_TRUE(received_.empty());
}

TEST_F(PaymentEndpointTest, SendFailsWithoutRecipientCertificate) {
  start();
  const SendResult result = send_and_wait(*alice_endpoint_, "sip:nobody@pay.test", kContent);
  EXPECT_EQ(result.status, 0);
  EXPECT_NE(result.error.find("no certificate for sip:nobody@pay.test"), std::string::npos) << result.error;
}

TEST_F(PaymentEndpointTest, HandlerExceptionGives500) {
  start();
  merchant_endpoint_->on_message([](const InboundMessage&) -> Reply { throw std::runtime_error("store is full"); });
  const SendResult result = send_and_wait(*alice_endpoint_, merchant_.uri, kContent);
  EXPECT_EQ(result.status, 500) << result.summary();
}

TEST_F(PaymentEndpointTest, NoHandlerGives503) {
  start();
  merchant_endpoint_->on_message(nullptr);
  const SendResult result = send_and_wait(*alice_endpoint_, merchant_.uri, kContent);
  // The proxy turns a 503 into 500 (RFC 3261 §16.7).
  EXPECT_TRUE(result.status == 503 || result.status == 500) << result.summary();
  EXPECT_TRUE(received_.empty());
}

TEST_F(PaymentEndpointTest, ShutdownWaitsForCryptoInFlight) {
  start();
  constexpr int kMessages = 12;
  bool stopped = false;
  int handled = 0;
  merchant_endpoint_->on_message([&](const InboundMessage& message) {
    if (handled++ == 0) merchant_endpoint_->shutdown(10s, [&stopped] { stopped = true; });
    return record(message, Reply{});
  });

  std::vector<SendResult> results;
  for (int i = 0; i < kMessages; ++i) {
    alice_endpoint_->send(merchant_.uri, fmt::format(R"({{"type":"test","version":1,"amount":{}}})", i), {},
                          [&results](const SendResult& result) { results.push_back(result); });
  }
  run_until(io_, [&] { return stopped && results.size() == kMessages; }, 30s);
  ASSERT_TRUE(stopped);
  ASSERT_EQ(results.size(), static_cast<std::size_t>(kMessages));

  // Every message the merchant accepted with 2xx reached its handler once.
  // The rest were rejected: 503, which the proxy passes on as 500, or 480
  // or 404 once the merchant removed its binding.
  int accepted = 0;
  for (const SendResult& result : results) {
    if (result.succeeded()) {
      ++accepted;
    } else {
      EXPECT_TRUE(result.status == 500 || result.status == 503 || result.status == 480 || result.status == 404)
          << result.summary();
    }
  }
  EXPECT_EQ(accepted, handled);
  EXPECT_EQ(received_.size(), static_cast<std::size_t>(handled));
  EXPECT_GE(handled, 1);
}

TEST_F(PaymentEndpointTest, DestroyWithSealingInFlight) {
  start();
  int done_calls = 0;
  for (int i = 0; i < 8; ++i) {
    alice_endpoint_->send(merchant_.uri, kContent, {}, [&done_calls](const SendResult&) { ++done_calls; });
  }
  // The I/O loop has not run, so no result has come back: destroying the
  // endpoint drops the jobs, and their late results find it gone.
  alice_endpoint_.reset();
  run_until(io_, [] { return false; }, 300ms);
  EXPECT_EQ(done_calls, 0);
  EXPECT_TRUE(received_.empty());
}

TEST_F(PaymentEndpointTest, ShutdownWaitsForSealingSend) {
  start();
  alice_endpoint_->on_message([this](const InboundMessage& message) { return record(message, Reply{}); });
  std::optional<SendResult> result;
  gateway_endpoint_->send(alice_.uri, kContent, {}, [&result](const SendResult& r) { result = r; });
  // The body is still being sealed when the shutdown starts, so the
  // shutdown waits for it and then for its transaction.
  bool stopped = false;
  gateway_endpoint_->shutdown(20s, [&stopped] { stopped = true; });
  EXPECT_FALSE(stopped);

  ASSERT_TRUE(run_until(io_, [&] { return stopped; }, 30s));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status, 200) << result->summary();
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].content, kContent);
}

TEST_F(PaymentEndpointTest, SealedAfterShutdownFailsSend) {
  start();
  std::optional<SendResult> result;
  gateway_endpoint_->send(alice_.uri, kContent, {}, [&result](const SendResult& r) { result = r; });
  // The gateway does not register, so a shutdown with no time left ends
  // inside this call, before the sealed body comes back.
  bool stopped = false;
  gateway_endpoint_->shutdown(0ms, [&stopped] { stopped = true; });
  EXPECT_TRUE(stopped);

  ASSERT_TRUE(run_until(io_, [&] { return result.has_value(); }, 20s));
  EXPECT_EQ(result->status, 0);
  EXPECT_EQ(result->error, "not sent to sip:alice@pay.test: the endpoint has shut down");
  EXPECT_TRUE(received_.empty());
}

TEST_F(PaymentEndpointTest, AsyncReplyFromAnotherThread) {
  start();
  asio::thread_pool workers(2);
  merchant_endpoint_->on_message_async([this, &workers](const InboundMessage& message, PendingReply reply) {
    received_.push_back(message);
    asio::post(workers, [reply = std::move(reply)]() mutable {
      reply.send(Reply{202, "Queued Later", {{"Authentication-Info", "nextnonce=\"abc\""}}});
    });
  });
  const SendResult result = send_and_wait(*alice_endpoint_, merchant_.uri, kContent);
  EXPECT_EQ(result.status, 202) << result.summary();
  EXPECT_EQ(result.reason, "Queued Later");
  EXPECT_EQ(header(result.headers, "Authentication-Info"), "nextnonce=\"abc\"");
  ASSERT_EQ(received_.size(), 1u);
  EXPECT_EQ(received_[0].content, kContent);
  workers.join();
}

TEST_F(PaymentEndpointTest, AsyncReplySentOnlyOnce) {
  start();
  std::optional<bool> pending_after_send;
  merchant_endpoint_->on_message_async([&](const InboundMessage&, PendingReply reply) {
    reply.send(Reply{200, {}, {}});
    pending_after_send = reply.pending();
    reply.send(Reply{500, "Second Answer", {}});
  });
  const SendResult result = send_and_wait(*alice_endpoint_, merchant_.uri, kContent);
  EXPECT_EQ(result.status, 200) << result.summary();
  ASSERT_TRUE(pending_after_send.has_value());
  EXPECT_FALSE(*pending_after_send);
}

TEST_F(PaymentEndpointTest, DroppedAsyncReplyGives500) {
  start();
  asio::thread_pool workers(1);
  merchant_endpoint_->on_message_async([&workers](const InboundMessage&, PendingReply reply) {
    asio::post(workers, [reply = std::move(reply)] {});
  });
  const SendResult result = send_and_wait(*alice_endpoint_, merchant_.uri, kContent);
  EXPECT_EQ(result.status, 500) << result.summary();
  workers.join();
}

TEST_F(PaymentEndpointTest, AsyncHandlerExceptionGives500) {
  start();
  merchant_endpoint_->on_message_async(
      [](const InboundMessage&, PendingReply) { throw std::runtime_error("store is full"); });
  const SendResult result = send_and_wait(*alice_endpoint_, merchant_.uri, kContent);
  EXPECT_EQ(result.status, 500) << result.summary();
}

TEST_F(PaymentEndpointTest, ShutdownWaitsForPendingReply) {
  start();
  PendingReply held;
  bool stopped = false;
  merchant_endpoint_->on_message_async([&](const InboundMessage& message, PendingReply reply) {
    received_.push_back(message);
    held = std::move(reply);
    merchant_endpoint_->shutdown(20s, [&stopped] { stopped = true; });
  });
  std::optional<SendResult> result;
  alice_endpoint_->send(merchant_.uri, kContent, {}, [&result](const SendResult& r) { result = r; });
  ASSERT_TRUE(run_until(io_, [&] { return held.pending(); }, 20s));
  // The shutdown has unregistered by now, and it still waits for the reply.
  run_until(io_, [] { return false; }, 300ms);
  EXPECT_FALSE(stopped);
  EXPECT_FALSE(result.has_value());

  std::thread([&held] { held.send(Reply{200, {}, {}}); }).join();
  ASSERT_TRUE(run_until(io_, [&] { return stopped && result.has_value(); }, 30s));
  EXPECT_EQ(result->status, 200) << result->summary();
  EXPECT_EQ(received_.size(), 1u);
}

TEST_F(PaymentEndpointTest, ReplyAfterEndpointDestroyedSendsNothing) {
  start();
  PendingReply held;
  merchant_endpoint_->on_message_async([&held](const InboundMessage&, PendingReply reply) { held = std::move(reply); });
  std::optional<SendResult> result;
  alice_endpoint_->send(merchant_.uri, kContent, {}, [&result](const SendResult& r) { result = r; });
  ASSERT_TRUE(run_until(io_, [&] { return held.pending(); }, 20s));

  merchant_endpoint_.reset();
  std::thread([&held] { held.send(Reply{200, {}, {}}); }).join();
  EXPECT_FALSE(held.pending());
  // The reply finds the endpoint gone; nothing may answer 200 for it.
  run_until(io_, [&] { return result.has_value(); }, 2s);
  if (result) {
    EXPECT_NE(result->status, 200) << result->summary();
  }
}

// Many messages in both directions at once, with crypto pools of 1 and 4
// threads: each arrives once, with its exact content.
class PaymentEndpointPoolTest : public PaymentEndpointTest, public ::testing::WithParamInterface<unsigned> {};

TEST_P(PaymentEndpointPoolTest, ConcurrentMessagesArriveIntact) {
  crypto_threads_ = GetParam();
  start();
  alice_endpoint_->on_message([this](const InboundMessage& message) { return record(message, Reply{}); });
  constexpr int kPerDirection = 24;
  std::set<std::string> sent_to_merchant, sent_to_alice;
  std::vector<SendResult> results;
  auto collect = [&results](const SendResult& result) { results.push_back(result); };
  for (int i = 0; i < kPerDirection; ++i) {
    const std::string to_merchant = fmt::format(R"({{"type":"test","version":1,"order":"m-{}"}})", i);
    const std::string to_alice = fmt::format(R"({{"type":"test","version":1,"order":"a-{}"}})", i);
    sent_to_merchant.insert(to_merchant);
    sent_to_alice.insert(to_alice);
    alice_endpoint_->send(merchant_.uri, to_merchant, {}, collect);
    merchant_endpoint_->send(alice_.uri, to_alice, {}, collect);
  }
  ASSERT_TRUE(run_until(io_, [&] { return results.size() == 2 * kPerDirection; }, 60s)) << results.size();
  for (const SendResult& result : results) EXPECT_EQ(result.status, 200) << result.summary();

  std::multiset<std::string> at_merchant, at_alice;
  for (const InboundMessage& message : received_) {
    EXPECT_TRUE(message.signer_verified);
    if (message.sender_uri == alice_.uri) {
      at_merchant.insert(message.content);
    } else {
      EXPECT_EQ(message.sender_uri, merchant_.uri);
      at_alice.insert(message.content);
    }
  }
  EXPECT_EQ(at_merchant, std::multiset<std::string>(sent_to_merchant.begin(), sent_to_merchant.end()));
  EXPECT_EQ(at_alice, std::multiset<std::string>(sent_to_alice.begin(), sent_to_alice.end()));
}

INSTANTIATE_TEST_SUITE_P(CryptoThreads, PaymentEndpointPoolTest, ::testing::Values(1u, 4u));

TEST(EndpointConfigTest, ReadsKeysAndNamesBadOnes) {
  Deployment deployment;
  const auto root = toml::parse(R"(
[identity]
uri = "sip:alice@pay.test"
certificate = "alice.pem"
private_key = "alice.key"
ca = "ca.pem"
peer_certificates = "peers"
[sip]
listen = "tls:127.0.0.1:0"
proxy = "sips:127.0.0.1:5061"
username = "alice"
password = "secret"
)");
  const EndpointConfig config = load_endpoint_config(root, deployment.root(), "alice.toml");
  EXPECT_EQ(config.uri, "sip:alice@pay.test");
  EXPECT_EQ(config.certificate, deployment.root() / "alice.pem");
  EXPECT_EQ(config.username, "alice");
  EXPECT_TRUE(config.register_contact);
  EXPECT_FALSE(config.crl.has_value());
  EXPECT_EQ(config.crypto_threads, 0u);

  auto error_of = [&](std::string text) {
    try {
      load_endpoint_config(toml::parse(text), deployment.root(), "alice.toml");
    } catch (const ConfigError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  const std::string identity =
      "[identity]\nuri = \"sip:alice@pay.test\"\ncertificate = \"a\"\nprivate_key = \"k\"\nca = \"c\"\n"
      "peer_certificates = \"peers\"\n";
  EXPECT_EQ(error_of(identity + "[sip]\nlisten = \"udp:127.0.0.1:0\"\nproxy = \"sips:127.0.0.1:5061\"\n"),
            "alice.toml: [sip] listen: \"udp:127.0.0.1:0\" is not a TLS address; write tls:127.0.0.1:5071 (port 0 "
            "picks one)");
  EXPECT_EQ(error_of(identity + "[sip]\nproxy = \"sip:127.0.0.1:5060\"\n"),
            "alice.toml: [sip] proxy: \"sip:127.0.0.1:5060\" is not a sips: URI; write sips:127.0.0.1:5061");
  EXPECT_EQ(error_of(identity + "[sip]\nproxy = \"sips:127.0.0.1\"\nusername = \"alice\"\n"),
            "alice.toml: [sip] password: username and password go together; set both or neither");
  EXPECT_EQ(error_of(identity + "[sip]\nproxy = \"sips:127.0.0.1\"\nregister_expires = 5\n"),
            "alice.toml: [sip] register_expires: 5 is out of range; use an integer from 60 to 86400");
  EXPECT_EQ(error_of(identity + "[sip]\nproxy = \"sips:127.0.0.1\"\nlisten_on = \"x\"\n"),
            "alice.toml: [sip] listen_on: unknown key; check its spelling against docs/roles.md");
  const EndpointConfig four_threads = load_endpoint_config(
      toml::parse(identity + "[sip]\nproxy = \"sips:127.0.0.1\"\ncrypto_threads = 4\n"), deployment.root(),
      "alice.toml");
  EXPECT_EQ(four_threads.crypto_threads, 4u);
  EXPECT_EQ(error_of(identity + "[sip]\nproxy = \"sips:127.0.0.1\"\ncrypto_threads = 0\n"),
            "alice.toml: [sip] crypto_threads: 0 is out of range; use an integer from 1 to 64");
  EXPECT_EQ(error_of(identity + "[sip]\nproxy = \"sips:127.0.0.1\"\ncrypto_threads = 65\n"),
            "alice.toml: [sip] crypto_threads: 65 is out of range; use an integer from 1 to 64");
  EXPECT_EQ(error_of("[sip]\nproxy = \"sips:127.0.0.1\"\n"), "alice.toml: [identity] is required");
  EXPECT_EQ(config.crl_check_interval, 5s);
  const EndpointConfig no_polling = load_endpoint_config(
      toml::parse(identity + "crl_check_seconds = 0\n[sip]\nproxy = \"sips:127.0.0.1\"\n"), deployment.root(),
      "alice.toml");
  EXPECT_EQ(no_polling.crl_check_interval, 0s);
  EXPECT_EQ(error_of(identity + "crl_check_seconds = 3601\n[sip]\nproxy = \"sips:127.0.0.1\"\n"),
            "alice.toml: [identity] crl_check_seconds: 3601 is out of range; use an integer from 0 to 3600");
  EXPECT_EQ(error_of(identity + "crl_check_second = 5\n[sip]\nproxy = \"sips:127.0.0.1\"\n"),
            "alice.toml: [identity] crl_check_second: unknown key; check its spelling against docs/roles.md "
            "(did you mean crl_check_seconds?)");
  EXPECT_EQ(error_of("[identity]\nuri = \"sip:pay.test\"\n[sip]\n"),
            "alice.toml: [identity] uri: \"sip:pay.test\" is not a sip: or sips: URI with a user part "
            "(sip:alice@pay.test)");
  EXPECT_EQ(error_of("[identity]\nuri = \"sip:a@pay.test\"\ncertificate = \"a\"\nprivate_key = \"k\"\nca = \"c\"\n"
                     "peer_certificates = \"missing\"\n[sip]\n")
                .rfind("alice.toml: [identity] peer_certificates: ", 0),
            0u);
}

TEST(EndpointConfigTest, RejectsCertificateOfAnotherUri) {
  Deployment deployment;
  const Party bob = deployment.issue("bob", "sip:bob@pay.test", security::PkiRole::customer);
  EndpointConfig config = deployment.endpoint_config(bob);
  config.uri = "sip:alice@pay.test";
  config.proxy = "sips:127.0.0.1:9";
  asio::io_context io;
  try {
    PaymentEndpoint endpoint(io, config);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("[identity] uri: sip:alice@pay.test is not named by the certificate"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace sippay::roles
