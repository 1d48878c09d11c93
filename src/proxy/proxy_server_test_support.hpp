// A ProxyServer on loopback with peers that send and receive raw SIP over
// real UDP sockets, for the proxy's tests. One io_context runs everything,
// so a test drives it with run_until.
#pragma once

#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <chrono>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/proxy_server.hpp"
#include "proxy/proxy_test_support.hpp"
#include "sip/auth/credential_store.hpp"
#include "sip/auth/digest.hpp"
#include "sip/transport/testing/test_pki.hpp"
#include "sip/transport/testing/transport_test_support.hpp"

namespace sippay::proxy::testing {

using namespace std::chrono_literals;
using sip::testing::RecordingTransport;

// A request as a test peer writes it; the Via is added when it is sent.
struct RequestText {
  std::string method = "MESSAGE";
  std::string request_uri = "sip:bob@pay.test";
  std::string from = "sip:carol@other.test";
  std::string to = "sip:bob@pay.test";
  std::string call_id = "call-1@peer.test";
  std::uint32_t cseq = 1;
  std::optional<std::uint32_t> max_forwards = 70;
  std::string extra_headers;  // whole lines, each ending in CRLF
  std::string body = "hello";
};

class ProxyServerTest : public ::testing::Test {
 protected:
  ProxyServerTest() {
    const std::filesystem::path users = folder_.path() / "users.ha1";
    std::ofstream file(users);
    for (const auto& [user, password] : {std::pair{"alice", "alice-secret"}, std::pair{"bob", "bob-secret"},
                                          std::pair{"dave", "dave-secret"}}) {
      file << sip::make_credential_line(user, "pay.test", sip::DigestAlgorithm::kSha256, password) << "\n";
      file << sip::make_credential_line(user, "pay.test", sip::DigestAlgorithm::kMd5, password) << "\n";
    }
    config_.source = folder_.path() / "proxy.toml";
    config_.domains = {"pay.test", "127.0.0.1"};
    config_.listen = {sip::testing::loopback(sip::TransportProtocol::kUdp)};
    config_.timers.t1 = 10ms;
    config_.realm = "pay.test";
    config_.credentials = users;
    config_.registrar.domains = config_.domains;
  }

  ~ProxyServerTest() override {
    if (proxy_) proxy_->transport().stop();
  }

  // Starts the proxy with config_ as the test left it.
  void start_proxy() {
    ProxyServerOptions options;
    options.now = [this] { return clock_; };
    proxy_ = std::make_unique<ProxyServer>(io_, config_, options);
    ASSERT_FALSE(proxy_->start());
    proxy_address_ = proxy_->transport().local_addresses().front();
  }

  // A peer with a UDP socket on `address` (127.0.0.1 unless given), and a
  // TCP listener when `tcp` is set.
  RecordingTransport& add_peer(const std::string& address = "127.0.0.1", bool tcp = false) {
    sip::TransportSettings settings;
    settings.listen = {{sip::TransportProtocol::kUdp, asio::ip::make_address(address), 0}};
    if (tcp) settings.listen.push_back({sip::TransportProtocol::kTcp, asio::ip::make_address(address), 0});
    peers_.push_back(std::make_unique<RecordingTransport>(io_, settings));
    EXPECT_FALSE(peers_.back()->layer.start());
    return *peers_.back();
  }

  // The request text of `spec` with a top Via naming `peer`'s listener of
  // `protocol` and a new branch.
  std::string request_text(const RequestText& spec, RecordingTransport& peer,
                           sip::TransportProtocol protocol = sip::TransportProtocol::kUdp) {
    const sip::TransportAddress via = peer.address(protocol);
    std::string text = spec.method + " " + spec.request_uri + " SIP/2.0\r\n";
    text += "Via: SIP/2.0/" + std::string(sip::to_via_token(protocol)) + " " + via.address.to_string() + ":" + std::to_string(via.port) +
            ";branch=z9hG4bK-test-" + std::to_string(next_branch_++) + ";rport\r\n";
    if (spec.max_forwards) text += "Max-Forwards: " + std::to_string(*spec.max_forwards) + "\r\n";
    text += "From: <" + spec.from + ">;tag=from-" + std::to_string(spec.cseq) + "\r\n";
    text += "To: <" + spec.to + ">\r\n";
    text += "Call-ID: " + spec.call_id + "\r\n";
    text += "CSeq: " + std::to_string(spec.cseq) + " " + spec.method + "\r\n";
    text += spec.extra_headers;
    if (!spec.body.empty()) text += "Content-Type: text/plain\r\n";
    text += "Content-Length: " + std::to_string(spec.body.size()) + "\r\n\r\n" + spec.body;
    return text;
  }

  // Issues the proxy a certificate for 127.0.0.1 from `pki` and sets
  // config_.tls to it, with the CA of `pki`.
  void use_proxy_certificate(sip::testing::TestPki& pki) {
    const sip::testing::CertificateFiles files =
        pki.issue("proxy", {.common_name = "proxy", .ip_addresses = {"127.0.0.1"}});
    config_.tls = sip::TlsSettings{files.certificate_file, files.private_key_file, pki.ca_file()};
  }

  // Starts a peer with a TLS listener on 127.0.0.1, presenting a
  // certificate for 127.0.0.1 issued by `pki` under `name`.
  RecordingTransport& add_tls_peer(sip::testing::TestPki& pki, const std::string& name,
                                   bool require_client_certificate) {
    const sip::testing::CertificateFiles files =
        pki.issue(name, {.common_name = name, .ip_addresses = {"127.0.0.1"}});
    sip::TransportSettings settings;
    settings.listen = {sip::testing::loopback(sip::TransportProtocol::kTls)};
    settings.tls = sip::TlsSettings{files.certificate_file, files.private_key_file, pki.ca_file(),
                                    require_client_certificate};
    peers_.push_back(std::make_unique<RecordingTransport>(io_, settings));
    EXPECT_FALSE(peers_.back()->layer.start());
    return *peers_.back();
  }

  // Adds a static route for `uri` to `next_hop` (its host 127.0.0.1) and
  // returns it, for the test to change before start_proxy.
  StaticRoute& add_route(const std::string& uri, const sip::TransportAddress& next_hop) {
    StaticRoute route;
    route.uri = route.aor = uri;
    route.next_hop = {next_hop, "127.0.0.1"};
    config_.routes.push_back(route);
    return config_.routes.back();
  }

  // The MESSAGE spec with `uri` as Request-URI and To, sent from `from`.
  static RequestText request_to(const std::string& uri, const std::string& from = RequestText{}.from) {
    RequestText spec;
    spec.request_uri = spec.to = uri;
    spec.from = from;
    return spec;
  }

  void send_raw(RecordingTransport& peer, std::string bytes) {
    peer.layer.send_request(std::move(bytes), proxy_address_, "", nullptr);
  }

  // Sends `spec` from `peer` and returns the first final response to it.
  std::optional<sip::Message> send(RecordingTransport& peer, const RequestText& spec) {
    const std::size_t before = peer.received.size();
    send_raw(peer, request_text(spec, peer));
    return wait_for_final(peer, before);
  }

  // The first final response `peer` receives after its first `skip` messages.
  std::optional<sip::Message> wait_for_final(RecordingTransport& peer, std::size_t skip,
                                             std::chrono::milliseconds limit = 5s) {
    std::optional<sip::Message> found;
    sip::testing::run_until(io_, [&] {
      for (std::size_t i = skip; i < peer.received.size(); ++i) {
        const sip::Message& message = peer.received[i].message;
        if (!message.is_request() && message.status_code() >= 200) {
          found = message;
          return true;
        }
      }
      return false;
    }, limit);
    return found;
  }

  // The first request `peer` receives after its first `skip` messages.
  std::optional<sip::ReceivedMessage> wait_for_request(RecordingTransport& peer, std::size_t skip,
                                                       std::chrono::milliseconds limit = 5s) {
    std::optional<sip::ReceivedMessage> found;
    sip::testing::run_until(io_, [&] {
      for (std::size_t i = skip; i < peer.received.size(); ++i) {
        if (peer.received[i].message.is_request()) {
          found = peer.received[i];
          return true;
        }
      }
      return false;
    }, limit);
    return found;
  }

  // Runs the io_context for `duration` whatever happens, to let stray
  // messages arrive before a test counts them.
  void settle(std::chrono::milliseconds duration = 100ms) {
    sip::testing::run_until(io_, [] { return false; }, duration);
  }

  // The credentials header value answering the challenge in `challenge_response`.
  static std::string answer(const sip::Message& challenge_response, const RequestText& spec,
                            const std::string& user, const std::string& password, unsigned nonce_count = 1) {
    const auto challenges = challenge_response.status_code() == 407 ? challenge_response.proxy_authenticate()
                                                                    : challenge_response.www_authenticate();
    const sip::AuthHeader* challenge = sip::choose_digest_challenge(challenges);
    EXPECT_NE(challenge, nullptr);
    if (challenge == nullptr) return {};
    auto answer = sip::answer_digest_challenge(*challenge, {user, password}, spec.method, spec.request_uri,
                                               spec.body, nonce_count, "0a4f113b");
    EXPECT_TRUE(answer.has_value());
    return answer ? answer->header_value : std::string();
  }

  // A REGISTER for `user` binding `contact`, answered with credentials;
  // returns the final response to the request with credentials.
  std::optional<sip::Message> register_user(RecordingTransport& peer, const std::string& user,
                                            const std::string& contact, std::uint32_t expires = 3600,
                                            const std::string& password = "") {
    RequestText spec = register_spec(user, contact, expires);
    const auto challenge = send(peer, spec);
    if (!challenge || challenge->status_code() != 401) return challenge;
    spec.cseq += 1;
    spec.extra_headers += "Authorization: " + answer(*challenge, spec, user, password.empty() ? user + "-secret" : password) + "\r\n";
    return send(peer, spec);
  }

  RequestText register_spec(const std::string& user, const std::string& contact, std::uint32_t expires) {
    RequestText spec;
    spec.method = "REGISTER";
    spec.request_uri = "sip:pay.test";
    spec.from = "sip:" + user + "@pay.test";
    spec.to = spec.from;
    spec.call_id = "register-" + user + "@peer.test";
    spec.cseq = next_register_cseq_;
    next_register_cseq_ += 2;
    spec.body.clear();
    spec.extra_headers = "Contact: <" + contact + ">\r\nExpires: " + std::to_string(expires) + "\r\n";
    return spec;
  }

  // The contact URI of `peer`'s UDP socket for `user`.
  static std::string contact_of(RecordingTransport& peer, const std::string& user) {
    const sip::TransportAddress address = peer.address(sip::TransportProtocol::kUdp);
    return "sip:" + user + "@" + address.address.to_string() + ":" + std::to_string(address.port);
  }

  // Sends the response to `request` from `peer`, copying its Via, From,
  // To (with a tag), Call-ID and CSeq.
  void respond(RecordingTransport& peer, const sip::ReceivedMessage& request, int status) {
    std::string text = "SIP/2.0 " + std::to_string(status) + " Whatever\r\n";
    for (const sip::HeaderField& field : request.message.headers()) {
      if (field.id == sip::HeaderId::kVia || field.id == sip::HeaderId::kFrom || field.id == sip::HeaderId::kCallId ||
          field.id == sip::HeaderId::kCSeq) {
        text += std::string(field.name) + ": " + std::string(field.value) + "\r\n";
      }
    }
    text += "To: " + std::string(request.message.to()->text) + ";tag=uas\r\n";
    text += "Content-Length: 0\r\n\r\n";
    peer.layer.send_response(std::move(text), request, nullptr);
  }

  TimePoint binding_time() const { return std::chrono::time_point_cast<std::chrono::milliseconds>(clock_); }

  std::size_t requests_received(const RecordingTransport& peer) const {
    std::size_t count = 0;
    for (const auto& message : peer.received) count += message.message.is_request() ? 1 : 0;
    return count;
  }

  TemporaryFolder folder_;
  ProxyConfig config_;
  asio::io_context io_;
  std::chrono::system_clock::time_point clock_ = std::chrono::system_clock::now();
  std::unique_ptr<ProxyServer> proxy_;
  sip::TransportAddress proxy_address_;
  std::vector<std::unique_ptr<RecordingTransport>> peers_;
  int next_branch_ = 1;
  std::uint32_t next_register_cseq_ = 1;
};

}  // namespace sippay::proxy::testing
