#include "proxy/proxy_server.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <spdlog/spdlog.h>

#include "proxy/aor.hpp"
#include "proxy/in_memory_location.hpp"
#include "proxy/message_relay.hpp"
#include "proxy/registrar_response.hpp"
#include "proxy/sqlite_location.hpp"
#include "proxy/unparsable_reply.hpp"
#include "sip/ua/identifiers.hpp"
#include "sip/ua/response_builder.hpp"

namespace sippay::proxy {
namespace {

constexpr std::string_view kAllow = "Allow: MESSAGE, OPTIONS, REGISTER\r\n";
constexpr std::chrono::milliseconds kShutdownPoll{50};
// Rate-limit rejections are logged in full up to this many, then one in kLogEvery.
constexpr std::uint64_t kRateLimitLogsInFull = 10;
constexpr std::uint64_t kLogEvery = 1000;

std::unique_ptr<LocationService> open_location(const ProxyConfig& config, TimePoint now) {
  if (config.database) return std::make_unique<SqliteLocation>(*config.database, now);
  return std::make_unique<InMemoryLocation>();
}

std::vector<unsigned char> choose_secret(const ProxyConfig& config, std::vector<unsigned char> given) {
  if (!given.empty()) return given;
  if (config.secret_file) {
    try {
      return sip::load_server_secret(*config.secret_file);
    } catch (const std::runtime_error& error) {
      throw ConfigError(fmt::format("{}: [auth] secret_file: {}", config.source.string(), error.what()));
    }
  }
  return sip::generate_server_secret();
}

sip::DigestServerConfig digest_config(const ProxyConfig& config) {
  sip::DigestServerConfig digest;
  digest.algorithms = config.algorithms;
  digest.nonce.lifetime = config.nonce_lifetime;
  digest.nonce.max_tracked_nonces = config.max_tracked_nonces;
  return digest;
}

sip::TransportSettings transport_settings(const ProxyConfig& config) {
  sip::TransportSettings settings;
  settings.listen = config.listen;
  settings.tls = config.tls;
  settings.limits.max_message_bytes = config.limits.max_message_bytes;
  return settings;
}

std::string_view role_name(sip::AuthRole role) {
  return role == sip::AuthRole::kProxy ? "proxy" : "registrar";
}

// Whether the user part of `uri` equals `username`, escapes decoded.
bool user_matches(const sip::Uri& uri, std::string_view username) {
  return uri.is_sip_or_sips() && uri.has_user && sip::unescape(uri.user) == username;
}

}  // namespace

ProxyServer::ProxyServer(asio::io_context& io, ProxyConfig config, ProxyServerOptions options)
    : io_(io),
      config_(std::move(config)),
      options_(std::move(options)),
      credentials_(std::make_shared<const sip::CredentialStore>(sip::CredentialStore::load(config_.credentials))),
      location_(open_location(config_, binding_now())),
      registrar_(std::make_unique<Registrar>(config_.registrar, *location_)),
      authenticator_(std::make_unique<sip::DigestAuthenticator>(
          credentials_, choose_secret(config_, std::move(options_.secret)), now(), digest_config(config_))),
      router_(config_, *location_, credentials_),
      limiter_(config_.limits.rate, config_.limits.burst, config_.limits.max_sources),
      instance_(sip::random_hex(4)),
      sweep_timer_(io),
      shutdown_timer_(io) {
  transport_ = std::make_unique<sip::TransportLayer>(
      io_, transport_settings(config_), [this](sip::ReceivedMessage message) { receive(std::move(message)); });
  transport_->on_parse_error([this](const sip::UnparsableMessage& message) { handle_unparsable(message); });
  // A branch whose connection dies fails at once, and the relay answers
  // upstream as for any failed branch (see relay_failure).
  transport_->on_connection_closed([this](std::uint64_t connection_id, std::error_code reason) {
    if (transactions_) transactions_->connection_closed(connection_id, reason);
  });
  transaction_transport_ = std::make_unique<sip::TransportLayerAdapter>(*transport_);
  timers_ = std::make_unique<sip::AsioTimerService>(io_);
  sip::TransactionLayer::Handlers handlers;
  handlers.on_request = [this](ServerId id, const sip::ReceivedMessage& request) { handle_request(id, request); };
  handlers.on_stateless_request = [this](const sip::ReceivedMessage& request) { handle_stateless_request(request); };
  transactions_ = std::make_unique<sip::TransactionLayer>(*timers_, *transaction_transport_, config_.timers,
                                                          std::move(handlers));
}

ProxyServer::~ProxyServer() {
  // The transaction layer's timers and the transport call back into this
  // object: stop them before the members they use go away.
  transactions_.reset();
  transport_.reset();
}

std::chrono::system_clock::time_point ProxyServer::now() const {
  return options_.now ? options_.now() : std::chrono::system_clock::now();
}

TimePoint ProxyServer::binding_now() const { return std::chrono::time_point_cast<std::chrono::milliseconds>(now()); }

std::error_code ProxyServer::start() {
  if (std::error_code error = transport_->start()) return error;
  local_addresses_ = transport_->local_addresses();
  schedule_sweep();
  spdlog::info("proxy: serving {} with {} credential lines and {} bindings", fmt::join(config_.domains, ", "),
               credentials_->size(), location_->size());
  return {};
}

void ProxyServer::shutdown(std::chrono::milliseconds limit, std::function<void()> done) {
  draining_ = true;
  sweep_timer_.cancel();
  spdlog::info("proxy: shutting down with {} requests in progress", relays_.size());
  poll_shutdown(std::chrono::steady_clock::now() + limit, std::move(done));
}

void ProxyServer::poll_shutdown(std::chrono::steady_clock::time_point deadline, std::function<void()> done) {
  if (relays_.empty() || std::chrono::steady_clock::now() >= deadline) {
    if (!relays_.empty()) spdlog::warn("proxy: stopping with {} requests unanswered", relays_.size());
    transport_->stop();
    done();
    return;
  }
  shutdown_timer_.expires_after(kShutdownPoll);
  shutdown_timer_.async_wait([this, deadline, done = std::move(done)](std::error_code error) mutable {
    if (!error) poll_shutdown(deadline, std::move(done));
  });
}

void ProxyServer::schedule_sweep() {
  sweep_timer_.expires_after(config_.sweep_interval);
  sweep_timer_.async_wait([this](std::error_code error) {
    if (error) return;
    try {
      const std::size_t removed = location_->sweep(binding_now());
      if (removed > 0) spdlog::info("proxy: removed {} expired bindings", removed);
    } catch (const LocationError& sweep_error) {
      spdlog::error("proxy: sweeping expired bindings failed: {}", sweep_error.what());
    }
    schedule_sweep();
  });
}

// --- Receiving

void ProxyServer::receive(sip::ReceivedMessage message) {
  if (!message.message.is_request()) {
    counters_.add(Counter::kResponsesReceived);
    transactions_->receive(std::move(message));
    return;
  }
  counters_.add(Counter::kRequests);
  if (!limiter_.allow(message.source.address, std::chrono::steady_clock::now())) {
    if (config_.limits.over_limit == OverLimitAction::kDrop) {
      counters_.add(Counter::kRateLimitedDrop);
      log_rejection(message, 0, Counter::kRateLimitedDrop);
      return;
    }
    if (message.message.method() == "ACK") return;  // ACK gets no response
    reject_statelessly(message, 503, "Service Unavailable", Counter::kRateLimitedReply,
                       fmt::format("Retry-After: {}\r\n", config_.limits.retry_after));
    return;
  }
  transactions_->receive(std::move(message));
}

void ProxyServer::handle_unparsable(const sip::UnparsableMessage& message) {
  // A response that fails to parse is only dropped, as the transport logged it.
  if (message.bytes.starts_with("SIP/")) return;
  counters_.add(Counter::kRequests);
  const int status = message.error->status_code;
  const Counter reason = status == 513 ? Counter::kMessageTooLarge : Counter::kBadRequest;
  counters_.add(reason);
  spdlog::info("proxy: rejected a message from {} with {} ({}): {}", message.source.to_string(), status,
               counter_name(reason), message.error->to_string());
  const std::string phrase = status == 513 ? std::string("Message Too Large")
                                           : to_reason_phrase("Bad Request: " + message.error->to_string());
  if (auto reply = build_unparsable_reply(message.bytes, status, phrase)) {
    transport_->send_to_source(std::move(*reply), message, nullptr);
  }
}

void ProxyServer::handle_stateless_request(const sip::ReceivedMessage& request) {
  const sip::Message& message = request.message;
  if (message.method() == "ACK") return;
  if (const sip::ParseError* error = message.semantic_error()) {
    counters_.add(Counter::kBadRequest);
    spdlog::info("proxy: rejected {} from {} with 400 (bad_request): {}", message.method(),
                 request.source.to_string(), error->to_string());
    const std::string phrase = to_reason_phrase("Bad Request: " + error->to_string());
    transport_->send_response(sip::build_response_best_effort(message, 400, phrase), request, nullptr);
    return;
  }
  // INVITE: this proxy relays no sessions.
  reject_statelessly(request, 405, "Method Not Allowed", Counter::kMethodNotAllowed, std::string(kAllow));
}

void ProxyServer::handle_request(ServerId id, const sip::ReceivedMessage& request) {
  const std::string_view method = request.message.method();
  if (draining_) {
    reject(id, request, 503, "Service Unavailable", Counter::kShuttingDown,
           fmt::format("Retry-After: {}\r\n", config_.limits.retry_after));
    return;
  }
  if (method == "MESSAGE" || method == "OPTIONS") {
    handle_relayed_method(id, request);
  } else if (method == "REGISTER") {
    handle_register(id, request);
  } else {
    reject(id, request, 405, "Method Not Allowed", Counter::kMethodNotAllowed, std::string(kAllow));
  }
}

// --- Rejections

void ProxyServer::log_rejection(const sip::ReceivedMessage& request, int status, Counter reason) {
  if (reason == Counter::kRateLimitedReply || reason == Counter::kRateLimitedDrop) {
    ++rate_limit_logs_;
    if (rate_limit_logs_ > kRateLimitLogsInFull && rate_limit_logs_ % kLogEvery != 0) return;
  }
  const std::string_view action = status == 0 ? "dropped" : "rejected";
  spdlog::info("proxy: {} {} from {} with {} ({}), Call-ID {}", action, request.message.method(),
               request.source.to_string(), status, counter_name(reason), request.message.call_id());
}

void ProxyServer::reject(ServerId id, const sip::ReceivedMessage& request, int status,
                         std::string_view reason_phrase, Counter reason, std::string extra_headers) {
  counters_.add(reason);
  log_rejection(request, status, reason);
  sip::ResponseExtras extras;
  extras.to_tag = sip::new_tag();
  extras.extra_headers = std::move(extra_headers);
  transactions_->respond(id, status, sip::build_response(request.message, status, reason_phrase, extras));
}

void ProxyServer::reject_statelessly(const sip::ReceivedMessage& request, int status,
                                     std::string_view reason_phrase, Counter reason, std::string extra_headers) {
  counters_.add(reason);
  log_rejection(request, status, reason);
  if (request.message.semantic_error() != nullptr) {
    transport_->send_response(sip::build_response_best_effort(request.message, status, reason_phrase), request,
                              nullptr);
    return;
  }
  sip::ResponseExtras extras;
  extras.to_tag = sip::new_tag();
  extras.extra_headers = std::move(extra_headers);
  transport_->send_response(sip::build_response(request.message, status, reason_phrase, extras), request, nullptr);
}

void ProxyServer::reject_credentials(ServerId id, const sip::ReceivedMessage& request,
                                     const sip::DigestVerification& verification, sip::AuthRole role) {
  const std::optional<sip::AuthRejection> rejection = sip::rejection_for(verification.result, role);
  std::string headers;
  if (rejection->challenge) {
    const std::string_view name = sip::challenge_header_name(role);
    for (const std::string& value : authenticator_->challenge_headers(config_.realm, rejection->stale, now())) {
      headers += fmt::format("{}: {}\r\n", name, value);
    }
  }
  const Counter reason = rejection->challenge ? Counter::kAuthChallenge : Counter::kAuthFailed;
  if (verification.result != sip::AuthResult::kMissingCredentials) {
    spdlog::info("proxy: {} credentials of user {} from {} failed: {}", role_name(role), verification.username,
                 request.source.to_string(), sip::to_string(verification.result));
  }
  const int status = rejection->status_code;
  reject(id, request, status, sip::default_reason_phrase(status), reason, std::move(headers));
}

// --- REGISTER

void ProxyServer::handle_register(ServerId id, const sip::ReceivedMessage& request) {
  const sip::Message& message = request.message;
  const sip::Uri& request_uri = message.request_line().request_uri;
  const bool for_this_registrar = request_uri.is_sip_or_sips() &&
                                  (router_.is_local_domain(request_uri.host) ||
                                   route_names_proxy(request_uri, router_, local_addresses_));
  if (!for_this_registrar) {
    reject(id, request, 403, "Registration for Other Domains Not Allowed", Counter::kOtherDomain);
    return;
  }
  const sip::DigestVerification verification =
      authenticator_->verify_request(message, sip::AuthRole::kUserAgentServer, config_.realm, now());
  if (verification.result != sip::AuthResult::kAuthenticated) {
    reject_credentials(id, request, verification, sip::AuthRole::kUserAgentServer);
    return;
  }
  // §10.3 step 4: a user registers only its own address of record.
  if (!user_matches(message.to()->uri, verification.username)) {
    reject(id, request, 403, "Authenticated User Does Not Match To", Counter::kIdentityMismatch);
    return;
  }
  const RegistrarResult result = registrar_->process(message, binding_now(), request.source.to_string());
  if (result.status == 200) {
    counters_.add(Counter::kRegistered);
  } else {
    counters_.add(Counter::kRegisterRejected);
    log_rejection(request, result.status, Counter::kRegisterRejected);
  }
  transactions_->respond(id, result.status, build_registrar_response(message, result));
}

// --- MESSAGE and OPTIONS

void ProxyServer::handle_relayed_method(ServerId id, const sip::ReceivedMessage& request) {
  const sip::Message& message = request.message;
  const std::size_t routes_removed = [&] {
    std::size_t count = 0;
    while (count < message.routes().size() &&
           route_names_proxy(message.routes()[count].uri, router_, local_addresses_)) {
      ++count;
    }
    return count;
  }();

  // OPTIONS to the proxy itself (§11) gets 200, even with Max-Forwards 0.
  if (message.method() == "OPTIONS" && routes_removed == message.routes().size() &&
      router_.names_this_proxy(message.request_line().request_uri)) {
    counters_.add(Counter::kOptionsAnswered);
    sip::ResponseExtras extras;
    extras.to_tag = sip::new_tag();
    extras.extra_headers = std::string(kAllow);
    transactions_->respond(id, 200, sip::build_response(message, 200, "OK", extras));
    return;
  }
  if (!validate(id, request)) return;
  std::optional<std::size_t> consumed;
  if (!authorize_sender(id, request, consumed)) return;

  RoutingResult routing = router_.route(message, routes_removed, binding_now());
  if (routing.status != 0) {
    reject(id, request, routing.status, routing.reason_phrase, routing.reason);
    return;
  }
  if (routing.static_route != nullptr && routing.static_route->local_senders_only &&
      !is_local_sender(message)) {
    reject(id, request, 403, "Route Open to Local Users Only", Counter::kForeignSender);
    return;
  }
  if (relays_.size() >= config_.limits.max_in_flight) {
    reject(id, request, 503, "Service Unavailable", Counter::kInFlightLimit,
           fmt::format("Retry-After: {}\r\n", config_.limits.retry_after));
    return;
  }
  start_relay(id, request, std::move(routing.targets), routes_removed, consumed);
}

bool ProxyServer::is_own_sent_by(const sip::Via& via) const {
  const std::uint16_t port = via.has_port ? via.port : sip::default_port(sip::TransportProtocol::kUdp);
  return std::any_of(own_sent_by_.begin(), own_sent_by_.end(), [&](const auto& sent_by) {
    return sent_by.second == port && sent_by.first == via.host;
  });
}

bool ProxyServer::validate(ServerId id, const sip::ReceivedMessage& request) {
  const sip::Message& message = request.message;
  if (message.max_forwards() && *message.max_forwards() == 0) {
    reject(id, request, 483, "Too Many Hops", Counter::kTooManyHops);
    return false;
  }
  // §16.3 step 4: this proxy's Via with the same loop hash means the
  // request came back unchanged.
  std::optional<std::uint64_t> hash;
  for (const sip::Via& via : message.vias()) {
    if (!via.has_branch || !is_own_sent_by(via)) continue;
    if (!hash) hash = loop_detection_hash(message);
    if (branch_has_loop_hash(via.branch, *hash)) {
      reject(id, request, 482, "Loop Detected", Counter::kLoopDetected);
      return false;
    }
  }
  if (!message.proxy_require().empty()) {
    reject(id, request, 420, "Bad Extension", Counter::kBadExtension,
           fmt::format("Unsupported: {}\r\n", fmt::join(message.proxy_require(), ", ")));
    return false;
  }
  return true;
}

bool ProxyServer::is_local_sender(const sip::Message& request) const {
  const sip::Uri& from = request.from()->uri;
  return from.is_sip_or_sips() && router_.is_local_domain(from.host);
}

bool ProxyServer::authorize_sender(ServerId id, const sip::ReceivedMessage& request,
                                   std::optional<std::size_t>& consumed) {
  const sip::Message& message = request.message;
  const sip::Uri& from = message.from()->uri;
  if (!is_local_sender(message)) {
    if (config_.accept_from_other_domains) return true;
    reject(id, request, 403, "Senders of Other Domains Not Accepted", Counter::kForeignSender);
    return false;
  }
  if (!config_.challenge_requests) return true;

  const sip::DigestVerification verification =
      authenticator_->verify_request(message, sip::AuthRole::kProxy, config_.realm, now());
  if (verification.result != sip::AuthResult::kAuthenticated) {
    reject_credentials(id, request, verification, sip::AuthRole::kProxy);
    return false;
  }
  if (!user_matches(from, verification.username)) {
    reject(id, request, 403, "Authenticated User Does Not Match From", Counter::kIdentityMismatch);
    return false;
  }
  consumed = verification.credentials_index;
  return true;
}

}  // namespace sippay::proxy
