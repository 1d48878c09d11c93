#include "sip/ua/user_agent.hpp"

#include <gtest/gtest.h>

#include <asio/ip/udp.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sip/auth/digest.hpp"
#include "sip/scanner.hpp"
#include "sip/transport/testing/test_pki.hpp"
#include "sip/ua/registration.hpp"
#include "sip/ua/response_builder.hpp"

namespace sippay::sip {
namespace {

using namespace std::chrono_literals;

// Runs `io` until `done` returns true or `limit` passes.
bool run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(5ms);
  }
  return done();
}

UserAgentSettings settings_for(std::string_view bind) {
  UserAgentSettings settings;
  settings.transport.listen = {*parse_transport_address(bind)};
  settings.timers.t1 = 20ms;
  return settings;
}

std::string uri_of(const UserAgent& agent, std::string_view user, std::string_view suffix = "") {
  const TransportAddress address = const_cast<UserAgent&>(agent).transport().local_addresses().front();
  return "sip:" + std::string(user) + "@127.0.0.1:" + std::to_string(address.port) + std::string(suffix);
}

struct Received {
  int count = 0;
  std::string body;
  std::string content_type;
};

class UserAgentPair : public ::testing::Test {
 protected:
  void start(std::string_view server_bind, std::string_view client_bind) {
    server_ = std::make_unique<UserAgent>(io_, settings_for(server_bind));
    client_ = std::make_unique<UserAgent>(io_, settings_for(client_bind));
    server_->on_message([this](const ReceivedMessage& request) {
      ++received_.count;
      received_.body = std::string(request.message.body());
      const MediaType* type = request.message.content_type();
      received_.content_type = std::string(type->type) + "/" + std::string(type->subtype);
      return reply_;
    });
    ASSERT_FALSE(server_->start());
    ASSERT_FALSE(client_->start());
  }

  RequestOutcome send(OutgoingMessage message) {
    std::optional<RequestOutcome> outcome;
    client_->send_message(std::move(message), [&](const RequestOutcome& result) { outcome = result; });
    EXPECT_TRUE(run_until(io_, [&] { return outcome.has_value(); }));
    return outcome.value_or(RequestOutcome{});
  }

  OutgoingMessage message_to(std::string uri, std::string body = "pay 12.50 EUR") {
    OutgoingMessage message;
    message.to_uri = std::move(uri);
    message.from_uri = "sip:alice@pay.test";
    message.body = std::move(body);
    return message;
  }

  asio::io_context io_;
  std::unique_ptr<UserAgent> server_;
  std::unique_ptr<UserAgent> client_;
  Received received_;
  UserAgent::MessageReply reply_;
};

TEST_F(UserAgentPair, MessageOverUdp) {
  start("udp:127.0.0.1:0", "udp:127.0.0.1:0");
  const RequestOutcome outcome = send(message_to(uri_of(*server_, "merchant")));
  EXPECT_EQ(outcome.status_code, 200);
  EXPECT_EQ(outcome.reason_phrase, "OK");
  EXPECT_EQ(received_.count, 1);
  EXPECT_EQ(received_.body, "pay 12.50 EUR");
  EXPECT_EQ(received_.content_type, "text/plain");
}

TEST_F(UserAgentPair, MessageOverTcp) {
  start("tcp:127.0.0.1:0", "tcp:127.0.0.1:0");
  const RequestOutcome outcome = send(message_to(uri_of(*server_, "merchant", ";transport=tcp")));
  EXPECT_EQ(outcome.status_code, 200);
  EXPECT_EQ(received_.count, 1);
}

TEST_F(UserAgentPair, HandlerChoosesFailureCode) {
  start("udp:127.0.0.1:0", "udp:127.0.0.1:0");
  reply_ = {486, "Busy Here", {}};
  const RequestOutcome outcome = send(message_to(uri_of(*server_, "merchant")));
  EXPECT_EQ(outcome.status_code, 486);
  EXPECT_EQ(outcome.reason_phrase, "Busy Here");
  EXPECT_FALSE(outcome.succeeded());
}

TEST_F(UserAgentPair, UnsupportedContentTypeIs415) {
  start("udp:127.0.0.1:0", "udp:127.0.0.1:0");
  OutgoingMessage message = message_to(uri_of(*server_, "merchant"));
  message.content_type = "application/unknown";
  EXPECT_EQ(send(std::move(message)).status_code, 415);
  EXPECT_EQ(received_.count, 0);
}

TEST_F(UserAgentPair, OversizedBodyIs413) {
  start("tcp:127.0.0.1:0", "tcp:127.0.0.1:0");
  const RequestOutcome outcome =
      send(message_to(uri_of(*server_, "merchant", ";transport=tcp"), std::string(20000, 'x')));
  EXPECT_EQ(outcome.status_code, 413);
  EXPECT_EQ(received_.count, 0);
}

TEST_F(UserAgentPair, LargeUdpRequestMovesToTcp) {
  // §18.1.1: 2,000 bytes exceed the 1,300-byte bound, so the request goes
  // over TCP to the same address and port. The server listens on both, at
  // the port number the kernel gave its first UDP socket.
  std::uint16_t port = 0;
  {
    UserAgent probe(io_, settings_for("udp:127.0.0.1:0"));
    ASSERT_FALSE(probe.start());
    port = probe.transport().local_addresses().front().port;
  }
  UserAgentSettings server_settings = settings_for("udp:127.0.0.1:" + std::to_string(port));
  server_settings.transport.listen.push_back(*parse_transport_address("tcp:127.0.0.1:" + std::to_string(port)));
  server_ = std::make_unique<UserAgent>(io_, server_settings);
  std::string transport_seen;
  server_->on_message([&](const ReceivedMessage& request) {
    transport_seen = std::string(request.message.vias().front().transport);
    return UserAgent::MessageReply{};
  });
  if (server_->start()) GTEST_SKIP() << "port " << port << " was taken in the meantime";

  UserAgentSettings client_settings = settings_for("udp:127.0.0.1:0");
  client_settings.transport.listen.push_back(*parse_transport_address("tcp:127.0.0.1:0"));
  client_ = std::make_unique<UserAgent>(io_, client_settings);
  ASSERT_FALSE(client_->start());
  const RequestOutcome outcome =
      send(message_to("sip:merchant@127.0.0.1:" + std::to_string(port), std::string(2000, 'y')));
  EXPECT_EQ(outcome.status_code, 200) << outcome.summary();
  EXPECT_EQ(transport_seen, "TCP");
}

TEST_F(UserAgentPair, NoListenerTimesOut) {
  start("udp:127.0.0.1:0", "udp:127.0.0.1:0");
  const std::string target = uri_of(*server_, "merchant");
  server_.reset();  // closes its socket: nothing responds any more
  const RequestOutcome outcome = send(message_to(target));
  EXPECT_EQ(outcome.status_code, 0);
  ASSERT_TRUE(outcome.failure.has_value());
}

TEST_F(UserAgentPair, TlsWithCheckedCertificate) {
  testing::TestPki pki;
  const auto server_files = pki.issue("server", {"localhost", {"localhost"}, {"127.0.0.1"}, {}});
  UserAgentSettings server_settings = settings_for("tls:127.0.0.1:0");
  server_settings.transport.tls = TlsSettings{server_files.certificate_file, server_files.private_key_file,
                                              pki.ca_file(), false, true};
  UserAgentSettings client_settings = settings_for("tls:127.0.0.1:0");
  client_settings.transport.tls = TlsSettings{server_files.certificate_file, server_files.private_key_file,
                                              pki.ca_file(), false, true};
  server_ = std::make_unique<UserAgent>(io_, server_settings);
  client_ = std::make_unique<UserAgent>(io_, client_settings);
  server_->on_message([this](const ReceivedMessage& request) {
    ++received_.count;
    received_.body = std::string(request.message.body());
    return UserAgent::MessageReply{};
  });
  ASSERT_FALSE(server_->start());
  ASSERT_FALSE(client_->start());
  const std::uint16_t port = server_->transport().local_addresses().front().port;
  const RequestOutcome outcome = send(message_to("sips:merchant@127.0.0.1:" + std::to_string(port)));
  EXPECT_EQ(outcome.status_code, 200) << outcome.summary();
  EXPECT_EQ(received_.count, 1);
  EXPECT_EQ(received_.body, "pay 12.50 EUR");
}

TEST_F(UserAgentPair, LateAnswerAfterRetransmissions) {
  start("udp:127.0.0.1:0", "udp:127.0.0.1:0");
  std::optional<UserAgent::MessageResponder> waiting;
  std::string body_copy;
  server_->on_message_async([&](const ReceivedMessage& request, UserAgent::MessageResponder responder) {
    body_copy = std::string(request.message.body());
    waiting = std::move(responder);
  });
  std::optional<RequestOutcome> outcome;
  client_->send_message(message_to(uri_of(*server_, "merchant")), [&](const RequestOutcome& result) {
    outcome = result;
  });
  ASSERT_TRUE(run_until(io_, [&] { return waiting.has_value(); }));
  // The client retransmits every T1 (20 ms here) while the server waits;
  // the server transaction absorbs the copies without a second delivery.
  ASSERT_TRUE(run_until(io_, [&] { return server_->transactions().counters().absorbed_retransmissions >= 2; }));
  EXPECT_FALSE(outcome.has_value());
  EXPECT_EQ(server_->transactions().unfinished_transactions(), 1u);

  EXPECT_TRUE(waiting->respond({202, "Queued", "X-Queue-Position: 3\r\n"}));
  EXPECT_FALSE(waiting->pending());
  ASSERT_TRUE(run_until(io_, [&] { return outcome.has_value(); }));
  EXPECT_EQ(outcome->status_code, 202);
  EXPECT_EQ(outcome->reason_phrase, "Queued");
  bool header_seen = false;
  for (const auto& [name, value] : outcome->headers) header_seen = header_seen || (name == "X-Queue-Position" && value == "3");
  EXPECT_TRUE(header_seen);
  EXPECT_EQ(body_copy, "pay 12.50 EUR");
  EXPECT_FALSE(waiting->respond({200, {}, {}}));
}

// A UDP peer written in the test: it reads raw requests and responds to them
// with what the test says.
class RawUdpPeer {
 public:
  explicit RawUdpPeer(asio::io_context& io) : socket_(io, asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  std::uint16_t port() const { return socket_.local_endpoint().port(); }

  void send_to(const std::string& bytes, std::uint16_t port) {
    socket_.send_to(asio::buffer(bytes), asio::ip::udp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  // Receives one datagram within the io loop, or returns nullopt after 5 s
  // or as soon as `stop` returns true.
  std::optional<std::string> receive(asio::io_context& io, const std::function<bool()>& stop = {}) {
    std::optional<std::string> datagram;
    buffer_.resize(65535);
    socket_.async_receive_from(asio::buffer(buffer_), sender_, [&](std::error_code error, std::size_t size) {
      if (!error) datagram = buffer_.substr(0, size);
    });
    run_until(io, [&] { return datagram.has_value() || (stop && stop()); });
    if (!datagram) socket_.cancel();
    return datagram;
  }

  void answer(const std::string& bytes) { socket_.send_to(asio::buffer(bytes), sender_); }

 private:
  asio::ip::udp::socket socket_;
  asio::ip::udp::endpoint sender_;
  std::string buffer_;
};

TEST_F(UserAgentPair, AnswersDigestChallengeOnce) {
  start("udp:127.0.0.1:0", "udp:127.0.0.1:0");
  RawUdpPeer proxy(io_);
  OutgoingMessage message = message_to("sip:merchant@127.0.0.1:" + std::to_string(proxy.port()));
  message.credentials = DigestCredentials{"alice", "alicepw"};
  std::optional<RequestOutcome> outcome;
  client_->send_message(message, [&](const RequestOutcome& result) { outcome = result; });

  const auto first = proxy.receive(io_);
  ASSERT_TRUE(first.has_value());
  auto first_request = parse_message(*first);
  ASSERT_TRUE(first_request.ok());
  EXPECT_EQ(first_request->cseq()->number, 1u);
  ResponseExtras challenge;
  challenge.to_tag = "proxy";
  challenge.extra_headers =
      "Proxy-Authenticate: Digest realm=\"pay.test\", nonce=\"abc123\", algorithm=SHA-256, qop=\"auth\"\r\n";
  proxy.answer(build_response(*first_request, 407, "Proxy Authentication Required", challenge));

  // Retransmissions of the first request may arrive before the retry.
  std::optional<Message> second;
  std::string second_bytes;
  for (int i = 0; i < 10 && !second; ++i) {
    const auto datagram = proxy.receive(io_);
    ASSERT_TRUE(datagram.has_value());
    second_bytes = *datagram;
    auto parsed = parse_message(second_bytes);
    ASSERT_TRUE(parsed.ok());
    if (parsed->cseq()->number == 2) second = std::move(parsed).value();
  }
  ASSERT_TRUE(second.has_value());
  ASSERT_EQ(second->proxy_authorization().size(), 1u);
  const AuthHeader& credentials = second->proxy_authorization()[0];
  EXPECT_EQ(credentials.username, "\"alice\"");
  EXPECT_EQ(credentials.algorithm, "SHA-256");
  EXPECT_EQ(credentials.nonce_count, "00000001");
  EXPECT_EQ(second->call_id(), first_request->call_id());
  EXPECT_NE(second->vias().front().branch, first_request->vias().front().branch);

  DigestInputs inputs;
  inputs.algorithm = {DigestAlgorithm::kSha256, false};
  inputs.username = "alice";
  inputs.realm = "pay.test";
  inputs.password = "alicepw";
  inputs.nonce = "abc123";
  const std::string cnonce = unquote(credentials.cnonce);
  inputs.cnonce = cnonce;
  inputs.nonce_count = "00000001";
  inputs.qop = "auth";
  inputs.method = "MESSAGE";
  inputs.digest_uri = message.to_uri;
  EXPECT_EQ(unquote(credentials.response), digest_response(inputs));

  proxy.answer(build_response(*second, 200, "OK", {"proxy", "", "", ""}));
  ASSERT_TRUE(run_until(io_, [&] { return outcome.has_value(); }));
  EXPECT_EQ(outcome->status_code, 200);
}

TEST_F(UserAgentPair, SecondChallengeEndsTheRequest) {
  start("udp:127.0.0.1:0", "udp:127.0.0.1:0");
  RawUdpPeer proxy(io_);
  OutgoingMessage message = message_to("sip:merchant@127.0.0.1:" + std::to_string(proxy.port()));
  message.credentials = DigestCredentials{"alice", "wrong"};
  std::optional<RequestOutcome> outcome;
  client_->send_message(message, [&](const RequestOutcome& result) { outcome = result; });
  ResponseExtras challenge;
  challenge.to_tag = "proxy";
  challenge.extra_headers = "Proxy-Authenticate: Digest realm=\"pay.test\", nonce=\"n\"\r\n";
  for (int i = 0; i < 20 && !outcome; ++i) {
    const auto datagram = proxy.receive(io_);
    if (!datagram) break;
    auto request = parse_message(*datagram);
    ASSERT_TRUE(request.ok());
    proxy.answer(build_response(*request, 407, "Proxy Authentication Required", challenge));
    io_.restart();
    io_.run_for(10ms);
  }
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->status_code, 407);
}

// A UDP server written in the test that challenges with Digest: a request
// without credentials for the current nonce gets 401 or 407, any other gets
// 200. It records every new request and counts the challenges it sent.
class ChallengingPeer {
 public:
  ChallengingPeer(asio::io_context& io, int challenge_code) : io_(io), peer_(io), code_(challenge_code) {}

  std::uint16_t port() const { return peer_.port(); }
  std::string uri(std::string_view user) const { return "sip:" + std::string(user) + "@127.0.0.1:" + std::to_string(port()); }

  // Responds to requests until `done` returns true. Retransmissions get the
  // response sent before.
  void serve(const std::function<bool()>& done) {
    while (!done()) {
      const auto datagram = peer_.receive(io_, done);
      if (!datagram) return;
      auto parsed = parse_message(*datagram);
      ASSERT_TRUE(parsed.ok());
      const std::string branch(parsed->vias().front().branch);
      if (!answers_.contains(branch)) {
        requests.push_back(*datagram);
        answers_[branch] = answer(*parsed);
      }
      peer_.answer(answers_[branch]);
    }
  }

  // The credentials of request `index` for this peer's kind of challenge.
  std::vector<AuthHeader> credentials_of(std::size_t index) {
    parsed_ = parse_message(requests.at(index)).value();
    const auto headers = code_ == 407 ? parsed_->proxy_authorization() : parsed_->authorization();
    return {headers.begin(), headers.end()};
  }

  std::string realm = "pay.test";
  std::string nonce = "nonce-1";
  std::string qop = ", qop=\"auth\"";
  std::string stale;  // ", stale=true" when the current nonce replaced another
  std::vector<std::string> requests;
  int challenges_sent = 0;

 private:
  std::string answer(const Message& request) {
    const auto credentials = code_ == 407 ? request.proxy_authorization() : request.authorization();
    const bool current = !credentials.empty() && unquote(credentials[0].nonce) == nonce &&
                         unquote(credentials[0].realm) == realm;
    ResponseExtras extras;
    extras.to_tag = "peer";
    if (current) return build_response(request, 200, "OK", extras);
    ++challenges_sent;
    extras.extra_headers = std::string(code_ == 407 ? "Proxy-Authenticate" : "WWW-Authenticate") +
                           ": Digest realm=\"" + realm + "\", nonce=\"" + nonce + "\", algorithm=SHA-256" + qop +
                           stale + "\r\n";
    return build_response(request, code_, code_ == 407 ? "Proxy Authentication Required" : "Unauthorized", extras);
  }

  asio::io_context& io_;
  RawUdpPeer peer_;
  int code_;
  std::map<std::string, std::string> answers_;
  std::optional<Message> parsed_;
};

class UserAgentDigestReuse : public UserAgentPair {
 protected:
  void SetUp() override { start("udp:127.0.0.1:0", "udp:127.0.0.1:0"); }

  // Sends a MESSAGE with alice's credentials to `peer` and serves it until
  // the outcome arrives.
  RequestOutcome send_through(ChallengingPeer& peer, std::string_view user = "merchant") {
    OutgoingMessage message = message_to(peer.uri(user));
    message.credentials = DigestCredentials{"alice", "alicepw"};
    std::optional<RequestOutcome> outcome;
    client_->send_message(message, [&](const RequestOutcome& result) { outcome = result; });
    peer.serve([&] { return outcome.has_value(); });
    return outcome.value_or(RequestOutcome{});
  }
};

TEST_F(UserAgentDigestReuse, SecondMessageSendsNextNonceCount) {
  ChallengingPeer proxy(io_, 407);
  EXPECT_EQ(send_through(proxy).status_code, 200);
  ASSERT_EQ(proxy.requests.size(), 2U);
  EXPECT_EQ(proxy.challenges_sent, 1);

  EXPECT_EQ(send_through(proxy).status_code, 200);
  ASSERT_EQ(proxy.requests.size(), 3U);
  EXPECT_EQ(proxy.challenges_sent, 1);
  const auto credentials = proxy.credentials_of(2);
  ASSERT_EQ(credentials.size(), 1U);
  EXPECT_EQ(credentials[0].nonce_count, "00000002");
  EXPECT_EQ(unquote(credentials[0].nonce), "nonce-1");
  EXPECT_EQ(credentials[0].qop, "auth");

  DigestInputs inputs;
  inputs.algorithm = {DigestAlgorithm::kSha256, false};
  inputs.username = "alice";
  inputs.realm = "pay.test";
  inputs.password = "alicepw";
  inputs.nonce = "nonce-1";
  const std::string cnonce = unquote(credentials[0].cnonce);
  inputs.cnonce = cnonce;
  inputs.nonce_count = "00000002";
  inputs.qop = "auth";
  inputs.method = "MESSAGE";
  const std::string digest_uri = proxy.uri("merchant");
  inputs.digest_uri = digest_uri;
  EXPECT_EQ(unquote(credentials[0].response), digest_response(inputs));

  EXPECT_EQ(send_through(proxy).status_code, 200);
  ASSERT_EQ(proxy.requests.size(), 4U);
  EXPECT_EQ(proxy.credentials_of(3).at(0).nonce_count, "00000003");
  EXPECT_EQ(proxy.challenges_sent, 1);
}

TEST_F(UserAgentDigestReuse, StaleNonceGetsOneChallenge) {
  ChallengingPeer proxy(io_, 407);
  ASSERT_EQ(send_through(proxy).status_code, 200);
  proxy.nonce = "nonce-2";
  proxy.stale = ", stale=true";

  EXPECT_EQ(send_through(proxy).status_code, 200);
  ASSERT_EQ(proxy.requests.size(), 4U);
  EXPECT_EQ(proxy.challenges_sent, 2);
  EXPECT_EQ(unquote(proxy.credentials_of(2).at(0).nonce), "nonce-1");
  EXPECT_EQ(proxy.credentials_of(2).at(0).nonce_count, "00000002");
  EXPECT_EQ(unquote(proxy.credentials_of(3).at(0).nonce), "nonce-2");
  EXPECT_EQ(proxy.credentials_of(3).at(0).nonce_count, "00000001");

  // The new nonce replaced the old one.
  EXPECT_EQ(send_through(proxy).status_code, 200);
  ASSERT_EQ(proxy.requests.size(), 5U);
  EXPECT_EQ(proxy.challenges_sent, 2);
  EXPECT_EQ(unquote(proxy.credentials_of(4).at(0).nonce), "nonce-2");
  EXPECT_EQ(proxy.credentials_of(4).at(0).nonce_count, "00000002");
}

TEST_F(UserAgentDigestReuse, NewRealmReplacesKeptChallenge) {
  ChallengingPeer proxy(io_, 407);
  ASSERT_EQ(send_through(proxy).status_code, 200);
  proxy.realm = "other.test";

  EXPECT_EQ(send_through(proxy).status_code, 200);
  ASSERT_EQ(proxy.requests.size(), 4U);
  EXPECT_EQ(proxy.challenges_sent, 2);
  EXPECT_EQ(unquote(proxy.credentials_of(3).at(0).realm), "other.test");
  EXPECT_EQ(proxy.credentials_of(3).at(0).nonce_count, "00000001");

  EXPECT_EQ(send_through(proxy).status_code, 200);
  ASSERT_EQ(proxy.requests.size(), 5U);
  EXPECT_EQ(unquote(proxy.credentials_of(4).at(0).realm), "other.test");
  EXPECT_EQ(proxy.credentials_of(4).at(0).nonce_count, "00000002");
}

TEST_F(UserAgentDigestReuse, OtherNextHopGetsNoCredentials) {
  ChallengingPeer first(io_, 407);
  ChallengingPeer second(io_, 407);
  ASSERT_EQ(send_through(first).status_code, 200);

  EXPECT_EQ(send_through(second).status_code, 200);
  ASSERT_EQ(second.requests.size(), 2U);
  EXPECT_TRUE(second.credentials_of(0).empty());
  EXPECT_EQ(second.challenges_sent, 1);
}

TEST_F(UserAgentDigestReuse, ChallengeWithoutQopIsNotReused) {
  ChallengingPeer proxy(io_, 407);
  proxy.qop.clear();
  ASSERT_EQ(send_through(proxy).status_code, 200);

  EXPECT_EQ(send_through(proxy).status_code, 200);
  ASSERT_EQ(proxy.requests.size(), 4U);
  EXPECT_TRUE(proxy.credentials_of(2).empty());
  EXPECT_EQ(proxy.challenges_sent, 2);
}

TEST_F(UserAgentDigestReuse, WwwChallengeKeptPerRequestUri) {
  // A 401 comes from the UAS the Request-URI names, so another user at the
  // same address gets no credentials.
  ChallengingPeer server(io_, 401);
  ASSERT_EQ(send_through(server, "merchant").status_code, 200);

  EXPECT_EQ(send_through(server, "merchant").status_code, 200);
  ASSERT_EQ(server.requests.size(), 3U);
  EXPECT_EQ(server.credentials_of(2).at(0).nonce_count, "00000002");

  EXPECT_EQ(send_through(server, "shop").status_code, 200);
  ASSERT_EQ(server.requests.size(), 5U);
  EXPECT_TRUE(server.credentials_of(3).empty());
  EXPECT_EQ(server.challenges_sent, 2);
}

TEST_F(UserAgentDigestReuse, RegisterRefreshAnswers401AtOnce) {
  ChallengingPeer registrar(io_, 401);
  RegistrationSettings settings;
  settings.registrar_uri = "sip:127.0.0.1:" + std::to_string(registrar.port());
  settings.aor = "sip:alice@pay.test";
  settings.contact_uri = uri_of(*client_, "alice");
  settings.credentials = DigestCredentials{"alice", "alicepw"};
  std::vector<int> results;
  auto registration = Registration::create(*client_, settings, [&](const RequestOutcome& outcome) {
    results.push_back(outcome.status_code);
  });
  registration->start();
  registrar.serve([&] { return !results.empty(); });
  ASSERT_EQ(results, std::vector<int>{200});
  EXPECT_EQ(registrar.challenges_sent, 1);

  // Removing the binding is the next REGISTER of the same registration.
  std::optional<RequestOutcome> removed;
  registration->stop([&](const RequestOutcome& outcome) { removed = outcome; });
  registrar.serve([&] { return removed.has_value(); });
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->status_code, 200);
  ASSERT_EQ(registrar.requests.size(), 3U);
  EXPECT_EQ(registrar.challenges_sent, 1);
  const auto credentials = registrar.credentials_of(2);
  ASSERT_EQ(credentials.size(), 1U);
  EXPECT_EQ(credentials[0].nonce_count, "00000002");
}

class UserAgentRaw : public ::testing::Test {
 protected:
  void SetUp() override {
    agent_ = std::make_unique<UserAgent>(io_, settings_for("udp:127.0.0.1:0"));
    agent_->on_message([this](const ReceivedMessage&) {
      ++deliveries_;
      return UserAgent::MessageReply{};
    });
    ASSERT_FALSE(agent_->start());
    port_ = agent_->transport().local_addresses().front().port;
  }

  // Sends `request` from a raw socket and returns the parsed response.
  std::optional<std::string> exchange(const std::string& request) {
    peer_.send_to(request, port_);
    return peer_.receive(io_);
  }

  std::string request(std::string_view method, std::string extra = {}, std::string_view uri = "sip:m@127.0.0.1",
                      std::string_view branch = "z9hG4bK-raw-1") {
    return std::string(method) + " " + std::string(uri) + " SIP/2.0\r\n" +
           "Via: SIP/2.0/UDP 127.0.0.1:" + std::to_string(peer_.port()) + ";branch=" + std::string(branch) + "\r\n" +
           "Max-Forwards: 70\r\nFrom: <sip:a@pay.test>;tag=1\r\nTo: <sip:m@pay.test>\r\n"
           "Call-ID: raw-" + std::string(branch) + "\r\nCSeq: 1 " + std::string(method) + "\r\n" + extra +
           "Content-Length: 0\r\n\r\n";
  }

  asio::io_context io_;
  RawUdpPeer peer_{io_};
  std::unique_ptr<UserAgent> agent_;
  std::uint16_t port_ = 0;
  int deliveries_ = 0;
};

TEST_F(UserAgentRaw, OptionsListsAllowAndAccept) {
  const auto reply = exchange(request("OPTIONS"));
  ASSERT_TRUE(reply.has_value());
  auto response = parse_message(*reply);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status_code(), 200);
  ASSERT_EQ(response->allow().size(), 2u);
  EXPECT_EQ(response->allow()[0], "MESSAGE");
  EXPECT_EQ(response->allow()[1], "OPTIONS");
  EXPECT_NE(response->find_header("Accept"), nullptr);
  EXPECT_TRUE(response->to()->has_tag);
}

TEST_F(UserAgentRaw, InviteGets405) {
  auto response = parse_message_owned(exchange(request("INVITE")).value_or(""));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status_code(), 405);
  EXPECT_EQ(response->allow().size(), 2u);
}

TEST_F(UserAgentRaw, UnknownMethodGets405) {
  auto response = parse_message_owned(exchange(request("PUBLISH")).value_or(""));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status_code(), 405);
}

TEST_F(UserAgentRaw, RequireGets420WithUnsupported) {
  auto response = parse_message_owned(exchange(request("MESSAGE", "Require: foo, bar\r\n")).value_or(""));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status_code(), 420);
  ASSERT_EQ(response->unsupported().size(), 2u);
  EXPECT_EQ(response->unsupported()[1], "bar");
  EXPECT_EQ(deliveries_, 0);
}

TEST_F(UserAgentRaw, TelRequestUriGets416) {
  auto response = parse_message_owned(exchange(request("MESSAGE", {}, "tel:+15551234")).value_or(""));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status_code(), 416);
}

TEST_F(UserAgentRaw, MissingCallIdGets400) {
  std::string broken = request("MESSAGE");
  broken.erase(broken.find("Call-ID"), broken.find("CSeq") - broken.find("Call-ID"));
  auto response = parse_message_owned(exchange(broken).value_or(""));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status_code(), 400);
  EXPECT_NE(response->status_line().reason_phrase.find("Call-ID"), std::string_view::npos);
}

TEST_F(UserAgentRaw, RetransmissionAnsweredOnce) {
  const std::string message = request("MESSAGE");
  const auto first = exchange(message);
  const auto second = exchange(message);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*first, *second);  // the stored response, resent
  EXPECT_EQ(deliveries_, 1);
  EXPECT_EQ(agent_->transactions().counters().absorbed_retransmissions, 1u);
}

TEST_F(UserAgentRaw, DrainingAnswers503) {
  // A MESSAGE to a peer that never responds keeps one client transaction
  // open, so the shutdown waits for its limit.
  RawUdpPeer silent(io_);
  OutgoingMessage pending;
  pending.to_uri = "sip:nobody@127.0.0.1:" + std::to_string(silent.port());
  pending.body = "x";
  agent_->send_message(pending, [](const RequestOutcome&) {});
  bool stopped = false;
  agent_->shutdown(1s, [&] { stopped = true; });

  auto response = parse_message_owned(exchange(request("MESSAGE")).value_or(""));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status_code(), 503);
  EXPECT_NE(response->find_header("Retry-After"), nullptr);
  EXPECT_EQ(deliveries_, 0);
  EXPECT_TRUE(run_until(io_, [&] { return stopped; }));
}

// A UA whose MESSAGE handler responds later: it keeps every responder.
class UserAgentAsync : public UserAgentRaw {
 protected:
  void SetUp() override {
    UserAgentRaw::SetUp();
    agent_->on_message_async([this](const ReceivedMessage& request, UserAgent::MessageResponder responder) {
      ++deliveries_;
      call_ids_.emplace_back(request.message.call_id());
      if (keep_responders_) responders_.push_back(std::move(responder));
    });
  }

  // Sends `bytes` and runs the loop until the handler saw `deliveries` requests.
  void deliver(const std::string& bytes, int deliveries) {
    peer_.send_to(bytes, port_);
    ASSERT_TRUE(run_until(io_, [&] { return deliveries_ >= deliveries; }));
  }

  static int status_of(const std::optional<std::string>& datagram) {
    if (!datagram) return 0;
    auto response = parse_message_owned(*datagram);
    return response.ok() ? response->status_code() : -1;
  }

  bool keep_responders_ = true;
  std::vector<std::string> call_ids_;
  std::vector<UserAgent::MessageResponder> responders_;
};

TEST_F(UserAgentAsync, LateAnswerWithHeaders) {
  deliver(request("MESSAGE"), 1);
  ASSERT_EQ(responders_.size(), 1u);
  EXPECT_EQ(call_ids_[0], "raw-z9hG4bK-raw-1");
  EXPECT_EQ(agent_->transactions().unfinished_transactions(), 1u);

  EXPECT_TRUE(responders_[0].respond({486, "Busy Here", "Retry-After: 30\r\n"}));
  const auto datagram = peer_.receive(io_);
  ASSERT_TRUE(datagram.has_value());
  auto response = parse_message_owned(*datagram);
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status_code(), 486);
  EXPECT_EQ(response->status_line().reason_phrase, "Busy Here");
  EXPECT_NE(response->find_header("Retry-After"), nullptr);
  EXPECT_TRUE(response->to()->has_tag);
  EXPECT_EQ(agent_->transactions().unfinished_transactions(), 0u);
}

TEST_F(UserAgentAsync, SecondRespondSendsNothing) {
  deliver(request("MESSAGE"), 1);
  EXPECT_TRUE(responders_[0].respond({200, {}, {}}));
  EXPECT_FALSE(responders_[0].respond({500, {}, {}}));
  EXPECT_EQ(status_of(peer_.receive(io_)), 200);
}

TEST_F(UserAgentAsync, RetransmissionWhileWaitingIsAbsorbed) {
  const std::string message = request("MESSAGE");
  deliver(message, 1);
  peer_.send_to(message, port_);
  ASSERT_TRUE(run_until(io_, [&] { return agent_->transactions().counters().absorbed_retransmissions == 1; }));
  EXPECT_EQ(deliveries_, 1);

  // Trying discards the retransmission (§17.2.2), so the first datagram
  // the peer gets is the final response.
  ASSERT_TRUE(responders_[0].respond({200, {}, {}}));
  const auto first = peer_.receive(io_);
  EXPECT_EQ(status_of(first), 200);

  // Completed resends the same response to a later retransmission.
  peer_.send_to(message, port_);
  const auto second = peer_.receive(io_);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(deliveries_, 1);
}

TEST_F(UserAgentAsync, DroppedResponderAnswers500) {
  keep_responders_ = false;
  const auto datagram = exchange(request("MESSAGE"));
  EXPECT_EQ(status_of(datagram), 500);
  EXPECT_EQ(deliveries_, 1);
  EXPECT_EQ(agent_->transactions().unfinished_transactions(), 0u);
}

TEST_F(UserAgentAsync, ResponderDroppedLaterAnswers500) {
  deliver(request("MESSAGE"), 1);
  responders_.clear();
  EXPECT_EQ(status_of(peer_.receive(io_)), 500);
  EXPECT_EQ(agent_->transactions().unfinished_transactions(), 0u);
}

TEST_F(UserAgentAsync, ResponderOverwrittenAnswers500) {
  deliver(request("MESSAGE"), 1);
  responders_[0] = UserAgent::MessageResponder();
  EXPECT_FALSE(responders_[0].pending());
  EXPECT_EQ(status_of(peer_.receive(io_)), 500);
}

TEST_F(UserAgentAsync, ShutdownWaitsForPendingAnswer) {
  deliver(request("MESSAGE"), 1);
  bool stopped = false;
  agent_->shutdown(5s, [&] { stopped = true; });
  // The shutdown polls every 20 ms, so 200 ms of loop give it many chances
  // to stop early. The pending response must prevent that.
  run_until(io_, [&] { return stopped; }, 200ms);
  EXPECT_FALSE(stopped);

  // A new request meanwhile gets 503; the one in progress is answered.
  const auto refused = exchange(request("MESSAGE", {}, "sip:m@127.0.0.1", "z9hG4bK-raw-2"));
  EXPECT_EQ(status_of(refused), 503);
  EXPECT_EQ(deliveries_, 1);

  ASSERT_TRUE(responders_[0].respond({200, {}, {}}));
  EXPECT_EQ(status_of(peer_.receive(io_)), 200);
  EXPECT_TRUE(run_until(io_, [&] { return stopped; }));
}

TEST_F(UserAgentAsync, ShutdownLimitEndsWait) {
  deliver(request("MESSAGE"), 1);
  bool stopped = false;
  agent_->shutdown(50ms, [&] { stopped = true; });
  EXPECT_TRUE(run_until(io_, [&] { return stopped; }));
  EXPECT_TRUE(responders_[0].pending());
}

TEST_F(UserAgentAsync, ResponderOutlivingAgentSendsNothing) {
  deliver(request("MESSAGE"), 1);
  UserAgent::MessageResponder responder = std::move(responders_[0]);
  EXPECT_FALSE(responders_[0].pending());
  agent_.reset();
  EXPECT_TRUE(responder.pending());
  EXPECT_FALSE(responder.respond({200, {}, {}}));
}

TEST_F(UserAgentAsync, SyncHandlerStillAnswersAtOnce) {
  agent_->on_message([](const ReceivedMessage&) { return UserAgent::MessageReply{202, {}, {}}; });
  EXPECT_EQ(status_of(exchange(request("MESSAGE"))), 202);
  EXPECT_EQ(deliveries_, 0);
}

}  // namespace
}  // namespace sippay::sip
