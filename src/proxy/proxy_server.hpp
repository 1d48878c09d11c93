// The operator's SIP server behind `sippay proxy`: a registrar with Digest
// authentication (401) and a stateful proxy (RFC 3261 §16) for MESSAGE and
// OPTIONS with proxy authentication (407), static routes, per-source rate
// limits and a bound on requests in progress. docs/proxy.md describes every
// decision and the response it sends.
//
// Runs on one asio::io_context thread. Not thread safe.
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "proxy/location_service.hpp"
#include "proxy/proxy_config.hpp"
#include "proxy/proxy_counters.hpp"
#include "proxy/proxy_router.hpp"
#include "proxy/registrar.hpp"
#include "proxy/source_rate_limiter.hpp"
#include "sip/auth/authenticator.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/transport.hpp"

namespace sippay::proxy {

struct ProxyServerOptions {
  // The wall clock for bindings and nonces; tests move it. Empty: system_clock.
  std::function<std::chrono::system_clock::time_point()> now;
  // The nonce secret. Empty: read from the configured secret_file, or generated.
  std::vector<unsigned char> secret;
};

struct ViaKeyHash {
  std::size_t operator()(const std::pair<sip::TransportProtocol, asio::ip::address>& key) const noexcept {
    return std::hash<asio::ip::address>()(key.second) ^ static_cast<std::size_t>(key.first);
  }
};

class ProxyServer {
 public:
  // Loads the credentials and opens the location database. Throws
  // ConfigError, sip::CredentialFileError or LocationError, whose messages
  // name the file and the problem.
  ProxyServer(asio::io_context& io, ProxyConfig config, ProxyServerOptions options = {});
  ~ProxyServer();
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  // Opens the listeners and starts the location sweeps.
  std::error_code start();
  // Answers new requests with 503 from now on, waits until every relayed
  // request has its final response or `limit` passes, then closes the
  // transport and calls `done`.
  void shutdown(std::chrono::milliseconds limit, std::function<void()> done);

  const ProxyCounters& counters() const { return counters_; }
  sip::TransportLayer& transport() { return *transport_; }
  LocationService& location() { return *location_; }
  // Requests relayed that have no final response yet.
  std::size_t in_flight() const { return relays_.size(); }
  const ProxyConfig& config() const { return config_; }

 private:
  using ServerId = sip::TransactionLayer::ServerTransactionId;

  // One request being relayed: the server transaction it came on and the
  // client transactions of its branches (§16: the response context).
  struct Relay {
    std::uint64_t id = 0;
    ServerId server = 0;
    sip::Message request;  // shares the received bytes
    std::size_t pending = 0;  // branches without a final response
    bool starting = true;     // branches are still being sent
    bool final_sent = false;
    int best_status = 0;
    std::string best_response;  // empty: build one from `request` with best_status
  };

  std::chrono::system_clock::time_point now() const;
  TimePoint binding_now() const;

  void receive(sip::ReceivedMessage message);
  void handle_request(ServerId id, const sip::ReceivedMessage& request);
  void handle_stateless_request(const sip::ReceivedMessage& request);
  void handle_unparsable(const sip::UnparsableMessage& message);
  void handle_register(ServerId id, const sip::ReceivedMessage& request);
  void handle_relayed_method(ServerId id, const sip::ReceivedMessage& request);
  // The §16.3 checks: Max-Forwards, loops, Proxy-Require. False after a rejection.
  bool validate(ServerId id, const sip::ReceivedMessage& request);
  // Whether the From URI is in a local domain.
  bool is_local_sender(const sip::Message& request) const;
  // Proxy authentication and the From policy. False after a rejection; on
  // success sets `consumed` to the credentials checked, if any.
  bool authorize_sender(ServerId id, const sip::ReceivedMessage& request,
                        std::optional<std::size_t>& consumed);
  // Sends a 401/407 challenge or the failure for a failed Digest check.
  void reject_credentials(ServerId id, const sip::ReceivedMessage& request,
                          const sip::DigestVerification& verification, sip::AuthRole role);

  void start_relay(ServerId id, const sip::ReceivedMessage& request, std::vector<RouteTarget> targets,
                   std::size_t routes_removed, std::optional<std::size_t> consumed);
  void relay_response(std::uint64_t relay_id, const sip::ReceivedMessage& response);
  void relay_failure(std::uint64_t relay_id, sip::TransactionFailure failure);
  void consider_final(Relay& relay, int status, std::string response);
  void finish_relay_if_done(std::uint64_t relay_id);
  // The Via value for a request to `next_hop` with `branch`.
  std::string via_for(const sip::Target& next_hop, std::string_view branch);
  std::string make_via_prefix(const sip::Target& next_hop);

  // Responds through server transaction `id`, counts `reason` and logs the rejection.
  void reject(ServerId id, const sip::ReceivedMessage& request, int status, std::string_view reason_phrase,
              Counter reason, std::string extra_headers = {});
  void log_rejection(const sip::ReceivedMessage& request, int status, Counter reason);
  void reject_statelessly(const sip::ReceivedMessage& request, int status, std::string_view reason_phrase,
                          Counter reason, std::string extra_headers = {});

  void schedule_sweep();
  void poll_shutdown(std::chrono::steady_clock::time_point deadline, std::function<void()> done);
  bool is_own_sent_by(const sip::Via& via) const;

  asio::io_context& io_;
  ProxyConfig config_;
  ProxyServerOptions options_;
  std::shared_ptr<const sip::CredentialStore> credentials_;
  std::unique_ptr<LocationService> location_;
  std::unique_ptr<Registrar> registrar_;
  std::unique_ptr<sip::DigestAuthenticator> authenticator_;
  Router router_;
  SourceRateLimiter limiter_;
  ProxyCounters counters_;

  std::unique_ptr<sip::TransportLayer> transport_;
  std::unique_ptr<sip::TransactionTransport> transaction_transport_;
  std::unique_ptr<sip::AsioTimerService> timers_;
  std::unique_ptr<sip::TransactionLayer> transactions_;
  std::vector<sip::TransportAddress> local_addresses_;

  // "SIP/2.0/UDP 127.0.0.1:5060;branch=" by protocol and next-hop address,
  // because finding the source address of a wildcard listener costs a
  // socket. Cleared when it reaches kMaxViaPrefixes entries.
  std::unordered_map<std::pair<sip::TransportProtocol, asio::ip::address>, std::string, ViaKeyHash> via_prefixes_;
  // Every host and port this proxy wrote as a Via sent-by, for loop
  // detection behind wildcard listeners. Local addresses only, so few.
  std::vector<std::pair<std::string, std::uint16_t>> own_sent_by_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Relay>> relays_;
  std::uint64_t next_relay_id_ = 1;
  std::uint64_t next_branch_ = 1;
  std::string instance_;  // random hex in every branch this process makes
  std::uint64_t rate_limit_logs_ = 0;
  bool draining_ = false;
  asio::steady_timer sweep_timer_;
  asio::steady_timer shutdown_timer_;
};

}  // namespace sippay::proxy
