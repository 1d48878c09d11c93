#include "sip/ua/user_agent.hpp"

#include <asio/post.hpp>
#include <fmt/format.h>

#include <utility>

#include "sip/charset.hpp"
#include "sip/ua/identifiers.hpp"
#include "sip/ua/response_builder.hpp"
#include "sip/ua/target.hpp"

namespace sippay::sip {
namespace {

constexpr std::string_view kAllow = "Allow: MESSAGE, OPTIONS\r\n";

std::string with_loose_route(const std::string& proxy_uri) {
  auto uri = parse_uri(proxy_uri);
  if (uri && uri->params.contains("lr")) return proxy_uri;
  return proxy_uri + ";lr";
}

// The lifetime the registrar granted our contact (§10.2.4): the contact's
// expires parameter, else the Expires header.
std::optional<std::uint32_t> granted_expires(const Message& response, const std::string& contact) {
  auto ours = parse_uri(contact);
  for (const Contact& binding : response.contacts()) {
    if (ours && uri_equivalent(binding.address.uri, *ours) && binding.expires) return binding.expires;
  }
  return response.expires();
}

RequestOutcome error_outcome(std::string error) {
  RequestOutcome outcome;
  outcome.error = std::move(error);
  return outcome;
}

RequestOutcome failure_outcome(TransactionFailure failure) {
  RequestOutcome outcome;
  outcome.failure = failure;
  return outcome;
}

}  // namespace

std::string RequestOutcome::summary() const {
  if (!error.empty()) return error;
  if (failure) return std::string(to_string(*failure));
  return fmt::format("{} {}", status_code, reason_phrase);
}

UserAgent::UserAgent(asio::io_context& io, UserAgentSettings settings)
    : io_(io), settings_(std::move(settings)), shutdown_timer_(io) {
  timers_ = std::make_unique<AsioTimerService>(io_);
  transport_ = std::make_unique<TransportLayer>(io_, settings_.transport, [this](ReceivedMessage message) {
    transactions_->receive(std::move(message));
  });
  // A request whose connection dies before its final response fails at
  // once with kTransportError instead of waiting for Timer F.
  transport_->on_connection_closed([this](std::uint64_t connection_id, std::error_code reason) {
    if (transactions_) transactions_->connection_closed(connection_id, reason);
  });
  transaction_transport_ = std::make_unique<TransportLayerAdapter>(*transport_);
  TransactionLayer::Handlers handlers;
  handlers.on_request = [this](TransactionLayer::ServerTransactionId id, const ReceivedMessage& request) {
    handle_request(id, request);
  };
  handlers.on_stateless_request = [this](const ReceivedMessage& request) {
    handle_stateless_request(request);
  };
  transactions_ = std::make_unique<TransactionLayer>(*timers_, *transaction_transport_,
                                                     settings_.timers, std::move(handlers));
}

UserAgent::MessageResponder::MessageResponder(MessageResponder&& other) noexcept
    : agent_(std::move(other.agent_)), id_(std::exchange(other.id_, 0)) {}

UserAgent::MessageResponder& UserAgent::MessageResponder::operator=(MessageResponder&& other) noexcept {
  if (this != &other) {
    if (pending()) respond({500, {}, {}});
    agent_ = std::move(other.agent_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

UserAgent::MessageResponder::~MessageResponder() {
  if (pending()) respond({500, {}, {}});
}

bool UserAgent::MessageResponder::respond(MessageReply reply) {
  const ServerTransactionId id = std::exchange(id_, 0);
  if (id == 0) return false;
  const std::shared_ptr<UserAgent*> agent = agent_.lock();
  if (!agent || *agent == nullptr) return false;
  return (*agent)->respond_to_message(id, std::move(reply));
}

UserAgent::~UserAgent() {
  // Responders that outlive the UA, or run while its members are destroyed,
  // must find it gone.
  *lifetime_ = nullptr;
  lifetime_.reset();
}

std::error_code UserAgent::start() { return transport_->start(); }

void UserAgent::on_message(MessageHandler handler) {
  if (!handler) {
    message_handler_ = nullptr;
    return;
  }
  message_handler_ = [handler = std::move(handler)](const ReceivedMessage& request, MessageResponder responder) {
    responder.respond(handler(request));
  };
}

void UserAgent::on_message_async(AsyncMessageHandler handler) { message_handler_ = std::move(handler); }

void UserAgent::send_message(OutgoingMessage message, OutcomeHandler done) {
  auto request = std::make_shared<UacRequest>();
  RequestSpec& spec = request->spec;
  spec.method = "MESSAGE";
  spec.request_uri = message.to_uri;
  spec.to_uri = message.to_uri;
  spec.from_uri = message.from_uri;
  spec.from_tag = new_tag();
  spec.call_id = new_call_id();
  spec.cseq = 1;
  spec.user_agent = settings_.user_agent;
  spec.content_type = message.content_type;
  spec.body = std::move(message.body);
  spec.extra_headers = std::move(message.extra_headers);
  request->base_extra_headers = spec.extra_headers;
  request->proxy_uri = message.proxy_uri;
  request->credentials = message.credentials;
  request->done = std::move(done);
  send_request(std::move(request));
}

void UserAgent::send_request(std::shared_ptr<UacRequest> request) {
  std::string error;
  const std::string& next_hop = request->proxy_uri ? *request->proxy_uri : request->spec.request_uri;
  auto target = resolve_target(next_hop, error);
  if (!target) {
    request->done(error_outcome(error));
    return;
  }
  if (request->proxy_uri) request->spec.route = {with_loose_route(*request->proxy_uri)};

  auto local = transport_->local_address_for(target->address.protocol, target->address.address);
  if (!local && is_reliable(target->address.protocol)) {
    // A TCP or TLS client needs no listener of its own, because the
    // responses come back on the connection (§18.2.2). The Via sent-by then
    // names the address of another listener.
    for (TransportProtocol other : {TransportProtocol::kTcp, TransportProtocol::kUdp, TransportProtocol::kTls}) {
      local = transport_->local_address_for(other, target->address.address);
      if (local) break;
    }
    if (local) local->protocol = target->address.protocol;
  }
  if (!local) {
    request->done(error_outcome("no local " + std::string(to_via_token(target->address.protocol)) +
                                " address to send to " + target->address.to_string()));
    return;
  }
  request->next_hop = target->address.to_string();
  if (request->credentials) add_credentials(*request);
  if (request->spec.from_uri.empty()) {
    request->spec.from_uri = fmt::format("sip:anonymous@{}", local->address.is_v6()
                                                                 ? "[" + local->address.to_string() + "]"
                                                                 : local->address.to_string());
  }
  BuiltRequest built = build_request(request->spec, target->address.protocol, *local);
  const TransportProtocol protocol =
      transport_->protocol_for_request(target->address.protocol, built.bytes.size());
  if (protocol != target->address.protocol) {
    // §18.1.1: too large for UDP, so the request goes over TCP and its Via names TCP.
    target->address.protocol = protocol;
    if (auto tcp_local = transport_->local_address_for(protocol, target->address.address)) local = tcp_local;
    built = build_request(request->spec, protocol, *local);
  }

  TransactionLayer::ClientRequest client_request{std::move(built.bytes), target->address,
                                                 target->tls_server_name, std::move(built.branch),
                                                 request->spec.method};
  transactions_->send_request(
      std::move(client_request),
      [this, request](const ReceivedMessage& response) {
        if (response.message.status_code() >= 200) finish_request(request, response);
      },
      [request](TransactionFailure failure) { request->done(failure_outcome(failure)); });
}

void UserAgent::add_credentials(UacRequest& request) {
  request.preemptive.clear();
  std::string lines = request.challenge_answer;
  for (const bool proxy : {true, false}) {
    // The retry already answers a fresh challenge of this kind.
    if (request.answered_space && request.answered_space->proxy == proxy) continue;
    const ProtectionSpace space{proxy, request.next_hop, proxy ? std::string() : request.spec.request_uri};
    auto kept = challenges_.answer(space, *request.credentials, request.spec.method, request.spec.request_uri,
                                   request.spec.body, random_hex(8));
    if (!kept) continue;
    lines += kept->header_line;
    request.preemptive.push_back(std::move(*kept));
  }
  request.spec.extra_headers = request.base_extra_headers + lines;
}

void UserAgent::finish_request(const std::shared_ptr<UacRequest>& request, const ReceivedMessage& response) {
  const Message& message = response.message;
  const int code = message.status_code();
  const bool challenged = code == 401 || code == 407;
  if (challenged) {
    // The server rejected credentials from a kept challenge (a stale nonce,
    // a replayed nonce count or anything else), so that challenge is dropped.
    for (const PreemptiveCredentials& used : request->preemptive) {
      if (used.space.proxy == (code == 407)) challenges_.forget(used.space, used.nonce);
    }
  }
  if (challenged && request->credentials && request->authentication_attempts == 0) {
    const auto challenges = code == 401 ? message.www_authenticate() : message.proxy_authenticate();
    if (const AuthHeader* challenge = choose_digest_challenge(challenges)) {
      const auto answer = answer_digest_challenge(*challenge, *request->credentials, request->spec.method,
                                                  request->spec.request_uri, request->spec.body, 1,
                                                  random_hex(8));
      if (answer) {
        ++request->authentication_attempts;
        request->challenge_answer =
            (code == 401 ? "Authorization: " : "Proxy-Authorization: ") + answer->header_value + "\r\n";
        request->answered_space = ProtectionSpace{code == 407, request->next_hop,
                                                  code == 407 ? std::string() : request->spec.request_uri};
        request->answered_challenge = StoredChallenge::from(*challenge);
        ++request->spec.cseq;
        // Deferred so that the finished transaction is cleaned up first.
        asio::post(io_, [this, request] { send_request(request); });
        return;
      }
    }
  }
  if (code >= 200 && code < 300 && request->answered_space && request->answered_challenge) {
    challenges_.store(*request->answered_space, request->answered_challenge->header(), 1);
  }
  RequestOutcome outcome;
  outcome.status_code = code;
  outcome.reason_phrase = std::string(message.status_line().reason_phrase);
  if (request->spec.method == "REGISTER" && code >= 200 && code < 300) {
    outcome.granted_expires = granted_expires(message, request->spec.contact_uri);
  }
  outcome.min_expires = message.min_expires();
  for (const HeaderField& field : message.headers()) outcome.headers.emplace_back(field.name, field.value);
  request->done(outcome);
}

void UserAgent::respond(TransactionLayer::ServerTransactionId id, const ReceivedMessage& request, int code,
                        std::string_view reason, std::string extra_headers) {
  ResponseExtras extras;
  extras.to_tag = new_tag();
  extras.extra_headers = fmt::format("Server: {}\r\n{}", settings_.user_agent, extra_headers);
  const std::string_view phrase = reason.empty() ? default_reason_phrase(code) : reason;
  transactions_->respond(id, code, build_response(request.message, code, phrase, extras));
}

void UserAgent::handle_request(TransactionLayer::ServerTransactionId id, const ReceivedMessage& request) {
  const Message& message = request.message;
  if (draining_) {
    respond(id, request, 503, {}, "Retry-After: 5\r\n");
    return;
  }
  // §8.2.2.1: only sip and sips Request-URIs are served here.
  if (!message.request_line().request_uri.is_sip_or_sips()) {
    respond(id, request, 416);
    return;
  }
  // §8.2.2.3: this UA supports no extensions, so any Require is unsupported.
  if (!message.require().empty()) {
    std::string unsupported = "Unsupported: ";
    for (std::size_t i = 0; i < message.require().size(); ++i) {
      unsupported += (i > 0 ? ", " : "") + std::string(message.require()[i]);
    }
    respond(id, request, 420, {}, unsupported + "\r\n");
    return;
  }
  const std::string_view method = message.method();
  if (method == "MESSAGE") {
    handle_message_request(id, request);
  } else if (method == "OPTIONS") {
    std::string accept = "Accept: ";
    for (std::size_t i = 0; i < settings_.accepted_content_types.size(); ++i) {
      accept += (i > 0 ? ", " : "") + settings_.accepted_content_types[i];
    }
    respond(id, request, 200, {}, std::string(kAllow) + accept + "\r\n");
  } else if (method == "CANCEL" || method == "BYE") {
    respond(id, request, 481);  // no INVITE transactions or dialogs exist here
  } else {
    respond(id, request, 405, {}, std::string(kAllow));
  }
}

void UserAgent::handle_message_request(TransactionLayer::ServerTransactionId id,
                                       const ReceivedMessage& request) {
  const Message& message = request.message;
  // RFC 3428 §7 and §8.2.3: the body must be of a type this UA accepts.
  if (!message.body().empty()) {
    const MediaType* type = message.content_type();
    bool accepted = false;
    for (const std::string& wanted : settings_.accepted_content_types) {
      if (type == nullptr) break;
      const std::string full = std::string(type->type) + "/" + std::string(type->subtype);
      accepted = accepted || charset::iequals(full, wanted);
    }
    if (!accepted) {
      std::string accept = "Accept: ";
      for (std::size_t i = 0; i < settings_.accepted_content_types.size(); ++i) {
        accept += (i > 0 ? ", " : "") + settings_.accepted_content_types[i];
      }
      respond(id, request, 415, {}, accept + "\r\n");
      return;
    }
  }
  if (!message.content_encoding().empty() &&
      !(message.content_encoding().size() == 1 && charset::iequals(message.content_encoding()[0], "identity"))) {
    respond(id, request, 415, {}, "Accept-Encoding: identity\r\n");
    return;
  }
  if (message.body().size() > settings_.max_message_body_bytes) {
    respond(id, request, 413);
    return;
  }
  MessageResponder responder(lifetime_, id);
  if (!message_handler_) {
    responder.respond({});
    return;
  }
  message_handler_(request, std::move(responder));
}

bool UserAgent::respond_to_message(ServerTransactionId id, MessageReply reply) {
  const ReceivedMessage* request = transactions_->pending_request(id);
  if (request == nullptr) return false;
  respond(id, *request, reply.status_code, reply.reason_phrase, std::move(reply.extra_headers));
  return true;
}

void UserAgent::handle_stateless_request(const ReceivedMessage& request) {
  const Message& message = request.message;
  if (message.method() == "ACK" || message.vias().empty()) return;  // nothing can be sent back
  std::string response;
  if (const ParseError* problem = message.semantic_error()) {
    response = build_response_best_effort(message, 400, problem->to_string());
  } else if (message.method() == "INVITE") {
    // This UA takes no calls: a stateless final response (§8.2.7).
    ResponseExtras extras;
    extras.to_tag = new_tag();
    extras.extra_headers = std::string(kAllow);
    response = build_response(message, 405, default_reason_phrase(405), extras);
  } else {
    return;
  }
  transport_->send_response(std::move(response), request, [](std::error_code) {});
}

void UserAgent::shutdown(std::chrono::milliseconds limit, std::function<void()> done) {
  draining_ = true;
  poll_shutdown(std::chrono::steady_clock::now() + limit, std::move(done));
}

void UserAgent::poll_shutdown(std::chrono::steady_clock::time_point deadline, std::function<void()> done) {
  // Completed transactions only absorb retransmissions (Timers K and J), so
  // they do not hold the shutdown.
  const bool idle = transactions_->unfinished_transactions() == 0;
  if (idle || std::chrono::steady_clock::now() >= deadline) {
    transport_->stop();
    done();
    return;
  }
  shutdown_timer_.expires_after(std::chrono::milliseconds(20));
  shutdown_timer_.async_wait([this, deadline, done = std::move(done)](std::error_code error) mutable {
    if (!error) poll_shutdown(deadline, std::move(done));
  });
}

}  // namespace sippay::sip
