#include "roles/endpoint/payment_endpoint.hpp"

#include <asio/dispatch.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>
#include <unordered_map>

#include "roles/endpoint/endpoint_crypto.hpp"
#include "roles/endpoint/file_change_watcher.hpp"
#include "security/smime_body.hpp"
#include "sip/ua/registration.hpp"
#include "sip/ua/user_agent.hpp"

namespace sippay::roles {
namespace {

std::string header_lines(const HeaderList& headers) {
  std::string lines;
  for (const auto& [name, value] : headers) lines += name + ": " + value + "\r\n";
  return lines;
}

SendResult to_send_result(const sip::RequestOutcome& outcome) {
  SendResult result;
  result.status = outcome.status_code;
  result.reason = outcome.reason_phrase;
  result.headers = outcome.headers;
  if (outcome.status_code == 0) result.error = outcome.summary();
  return result;
}

// sip:user@host of a From header, without port, parameters and display name.
std::string address_of_record(const sip::Uri& uri) {
  std::string aor = uri.scheme == sip::UriScheme::kSips ? "sips:" : "sip:";
  if (uri.has_user) aor += std::string(uri.user) + "@";
  return aor + std::string(uri.host);
}

std::string domain_of(std::string_view uri_text) {
  const auto uri = sip::parse_uri(uri_text);
  return uri ? std::string(uri->host) : std::string();
}

// Removes the entry `key` from `map` and returns it; nullopt when absent.
template <typename Map>
std::optional<typename Map::mapped_type> take(Map& map, const typename Map::key_type& key) {
  const auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  std::optional<typename Map::mapped_type> value(std::move(it->second));
  map.erase(it);
  return value;
}

// One log line for the outcome of a CRL reload.
void log_crl_reload(const std::string& uri, const std::filesystem::path& file,
                    const security::Result<security::CrlInfo>& outcome) {
  if (!outcome) {
    spdlog::error("endpoint {}: CRL reload failed: {}", uri, outcome.error().detail);
    return;
  }
  const security::CrlInfo& info = outcome.value();
  const std::string next_update =
      info.next_update ? fmt::format("{:%FT%TZ}", std::chrono::floor<std::chrono::seconds>(*info.next_update))
                       : std::string("none");
  spdlog::info("endpoint {}: CRL reloaded from {}: number {}, {} revoked certificate(s), next update {}", uri,
               file.string(), info.number.empty() ? "none" : info.number, info.revoked_count, next_update);
}

}  // namespace

namespace detail {
struct ReplyTarget {
  asio::io_context& io;
  // Runs on the I/O thread only: sends the reply to MESSAGE `id`, unless
  // the endpoint is gone.
  std::function<void(std::uint64_t id, Reply reply, bool dropped)> answer;
};
}  // namespace detail

PendingReply::PendingReply(PendingReply&& other) noexcept
    : target_(std::move(other.target_)), id_(std::exchange(other.id_, 0)) {}

PendingReply& PendingReply::operator=(PendingReply&& other) noexcept {
  if (this != &other) {
    if (pending()) complete(Reply{500, "Server Internal Error", {}}, true);
    target_ = std::move(other.target_);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

PendingReply::~PendingReply() {
  if (pending()) complete(Reply{500, "Server Internal Error", {}}, true);
}

void PendingReply::send(Reply reply) { complete(std::move(reply), false); }

void PendingReply::complete(Reply reply, bool dropped) {
  const std::uint64_t id = std::exchange(id_, 0);
  if (id == 0 || !target_) return;
  std::shared_ptr<const detail::ReplyTarget> target = std::move(target_);
  asio::io_context& io = target->io;
  try {
    asio::dispatch(io, [target = std::move(target), id, reply = std::move(reply), dropped]() mutable {
      target->answer(id, std::move(reply), dropped);
    });
  } catch (const std::exception& error) {
    // Only an allocation can fail here; the UA responds 500 when the
    // responder is destroyed with the endpoint.
    spdlog::error("endpoint: the reply to a MESSAGE could not be queued: {}", error.what());
  }
}

std::string SendResult::summary() const {
  if (!error.empty()) return error;
  return fmt::format("{} {}", status, reason);
}

// The I/O thread runs the UA, the handler and every callback; the pool
// runs only EndpointCrypto::seal and open. A job gets copies of its inputs
// and posts its result back to the I/O thread, where the responder or the
// send's `done` waits in `receiving` or `sealing`. So responders, handlers
// and callbacks never leave the I/O thread.
struct PaymentEndpoint::State {
  State(asio::io_context& io, EndpointConfig endpoint_config)
      : io(io), config(std::move(endpoint_config)), crypto(config), pool(pool_size(config.crypto_threads)) {
    if (config.accept_only_from) proxy_host = tls_identity_host(*config.accept_only_from);
    sip::UserAgentSettings settings;
    settings.transport.listen = {*sip::parse_transport_address(config.listen)};
    sip::TlsSettings tls;
    tls.certificate_file = config.certificate.string();
    tls.private_key_file = config.private_key.string();
    tls.ca_file = config.ca.string();
    // The same CRL as the CMS checks: a revoked peer fails the TLS handshake
    // too, and reload_crl replaces both.
    if (config.crl) tls.crl_file = config.crl->string();
    tls.require_client_certificate = config.accept_only_from.has_value();
    settings.transport.tls = tls;
    settings.timers.t1 = config.t1;
    settings.accepted_content_types = {"application/pkcs7-mime"};
    settings.max_message_body_bytes = config.max_body_bytes;
    settings.user_agent = "sippay";
    agent = std::make_unique<sip::UserAgent>(io, std::move(settings));
    agent->on_message_async([this](const sip::ReceivedMessage& request, sip::UserAgent::MessageResponder responder) {
      receive(request, std::move(responder));
    });
  }

  ~State() {
    // Replies sent from now on find the endpoint gone. Jobs still running read `crypto`, so they finish before it goes;
    // queued ones are dropped. Results they post find `lifetime` expired.
    lifetime.reset();
    pool.stop();
    pool.join();
  }

  static std::size_t pool_size(unsigned configured) {
    if (configured != 0) return configured;
    return std::max(1u, std::min(std::thread::hardware_concurrency(), kMaxCryptoThreads));
  }

  // Runs `work` on the pool and then `finish(result)` on the I/O thread,
  // unless the endpoint is gone by then. An exception in `work` becomes
  // `on_error(what)`.
  template <typename Result, typename Work, typename OnError, typename Finish>
  void run_crypto(Work work, OnError on_error, Finish finish) {
    asio::post(pool, [&io = io, alive = std::weak_ptr<State*>(lifetime), work = std::move(work),
                      on_error = std::move(on_error), finish = std::move(finish)]() mutable {
      Result result;
      try {
        result = work();
      } catch (const std::exception& error) {
        result = on_error(error.what());
      }
      asio::post(io, [alive, finish = std::move(finish), result = std::move(result)]() mutable {
        if (const std::shared_ptr<State*> state = alive.lock()) finish(**state, std::move(result));
      });
    });
  }

  void reload_crl(CrlReloadDone done) {
    asio::post(pool, [&io = io, alive = std::weak_ptr<State*>(lifetime), trust = crypto.trust(),
                      done = std::move(done)]() mutable {
      const auto reload = [&trust]() -> security::Result<security::CrlInfo> {
        try {
          return trust->reload_crl();
        } catch (const std::exception& error) {
          return security::Error{security::ErrorCode::io,
                                 fmt::format("{}: {}", trust->crl_file()->string(), error.what())};
        }
      };
      security::Result<security::CrlInfo> outcome = reload();
      asio::post(io, [alive, outcome = std::move(outcome), done = std::move(done)]() mutable {
        const std::shared_ptr<State*> state = alive.lock();
        if (!state) return;
        if (outcome) outcome = (*state)->reload_tls_crl(std::move(outcome));
        log_crl_reload((*state)->config.uri, (*state)->config.crl.value_or(""), outcome);
        if (done) done(outcome);
      });
    });
  }

  // Runs on the I/O thread after the CMS checks took the new CRL: TLS
  // handshakes take it too. The transport reads the file again, so a file
  // replaced between the two reads can leave them apart until the next
  // reload, which the file watcher starts.
  security::Result<security::CrlInfo> reload_tls_crl(security::Result<security::CrlInfo> cms_outcome) {
    const sip::TlsCrlReloadResult reloaded = agent->transport().reload_tls_crl(config.crl->string());
    // Before start the transport has no TLS context yet; start reads the file.
    if (!reloaded.error || reloaded.error == sip::TransportError::kStopped) return cms_outcome;
    return security::Error{security::ErrorCode::crl_invalid,
                           fmt::format("{}; TLS handshakes keep the previous CRL while CMS checks use the new one",
                                       reloaded.detail)};
  }

  void start_crl_watcher() {
    if (!config.crl || config.crl_check_interval.count() == 0) return;
    crl_watcher = std::make_unique<FileChangeWatcher>(io, *config.crl, config.crl_check_interval, [this] {
      spdlog::info("endpoint {}: {} changed; reloading the CRL", config.uri, config.crl->string());
      reload_crl({});
    });
    crl_watcher->start();
  }

  std::optional<sip::DigestCredentials> credentials() const {
    if (!config.username || !config.password) return std::nullopt;
    return sip::DigestCredentials{*config.username, *config.password};
  }

  void send_body(std::string to_uri, std::string content_type, std::string body, HeaderList headers,
                 SendDone done) {
    sip::OutgoingMessage message;
    message.to_uri = std::move(to_uri);
    message.from_uri = config.uri;
    message.proxy_uri = config.proxy;
    message.content_type = std::move(content_type);
    message.body = std::move(body);
    message.credentials = credentials();
    message.extra_headers = header_lines(headers);
    if (!message.body.empty()) {
      message.extra_headers += fmt::format("Content-Disposition: {}\r\n", security::kSmimeContentDisposition);
    }
    agent->send_message(std::move(message), [done = std::move(done)](const sip::RequestOutcome& outcome) {
      if (done) done(to_send_result(outcome));
    });
  }

  void seal_and_send(std::string to_uri, std::string content, HeaderList headers, SendDone done, bool sign) {
    const std::uint64_t job = next_job++;
    sealing.emplace(job, PendingSend{to_uri, std::move(headers), std::move(done)});
    run_crypto<SealedBody>(
        [crypto = &crypto, to_uri, content = std::move(content), sign]() mutable {
          return crypto->seal(to_uri, std::move(content), sign);
        },
        [to_uri](const char* what) {
          return SealedBody{{}, {}, fmt::format("cannot seal the message for {}: {}", to_uri, what)};
        },
        [job](State& state, SealedBody sealed) { state.finish_seal(job, std::move(sealed)); });
  }

  void finish_seal(std::uint64_t job, SealedBody sealed) {
    std::optional<PendingSend> send = take(sealing, job);
    if (!send) return;
    if (stopped) sealed.error = fmt::format("not sent to {}: the endpoint has shut down", send->to_uri);
    if (!sealed.error.empty()) {
      SendResult result;
      result.error = std::move(sealed.error);
      if (send->done) send->done(result);
      return;
    }
    send_body(std::move(send->to_uri), std::move(sealed.content_type), std::move(sealed.der),
              std::move(send->headers), std::move(send->done));
  }

  void reject(sip::UserAgent::MessageResponder& responder, const std::string& source, std::string_view call_id,
              int code, std::string reason, std::string_view log_reason) {
    spdlog::info("endpoint {}: rejected MESSAGE from {} with {} ({}), Call-ID {}", config.uri, source, code,
                 log_reason, call_id);
    responder.respond({code, std::move(reason), code == 503 ? "Retry-After: 5\r\n" : ""});
  }

  void receive(const sip::ReceivedMessage& request, sip::UserAgent::MessageResponder responder) {
    const sip::Message& message = request.message;
    const std::string source = request.source.to_string();
    if (draining) {
      reject(responder, source, message.call_id(), 503, {}, "shutting down");
      return;
    }
    if (proxy_host && !agent->transport().peer_certificate_matches(request.connection_id, *proxy_host)) {
      reject(responder, source, message.call_id(), 403, "Only Via The Proxy",
             fmt::format("the connection's certificate does not name {}", *proxy_host));
      return;
    }
    InboundMessage inbound;
    const sip::NameAddr* from = message.from();
    if (from == nullptr || !from->uri.is_sip_or_sips()) {
      reject(responder, source, message.call_id(), 400, "Bad From", "From is not SIP");
      return;
    }
    inbound.sender_uri = address_of_record(from->uri);
    inbound.call_id = std::string(message.call_id());
    if (const sip::HeaderField* authorization = message.find_header("Authorization")) {
      inbound.authorization = std::string(authorization->value);
    }
    if (message.body().empty()) {
      if (!config.accept_unsigned) {
        reject(responder, source, inbound.call_id, 400, "Body Required", "a MESSAGE without body");
        return;
      }
      inbound.signer_verified = false;
      deliver(inbound, responder);
      return;
    }

    // The request's views point into the receive buffer, so the job gets copies.
    const sip::HeaderField* type_field = message.find_header("Content-Type");
    std::string content_type(type_field ? type_field->value : std::string_view());
    std::string body(message.body());
    std::string sender = inbound.sender_uri;
    const std::uint64_t job = next_job++;
    receiving.emplace(job, PendingReceive{std::move(inbound), std::move(responder), source});
    run_crypto<OpenedContent>(
        [crypto = &crypto, content_type = std::move(content_type), body = std::move(body),
         sender = std::move(sender), accept_unsigned = config.accept_unsigned] {
          return crypto->open(content_type, body, sender, accept_unsigned);
        },
        [](const char* what) {
          return OpenedContent{500, "Server Internal Error", fmt::format("opening the body failed: {}", what), {},
                               false};
        },
        [job](State& state, OpenedContent opened) { state.finish_open(job, std::move(opened)); });
  }

  void finish_open(std::uint64_t job, OpenedContent opened) {
    std::optional<PendingReceive> pending = take(receiving, job);
    if (!pending) return;
    if (opened.status != 200) {
      reject(pending->responder, pending->source, pending->inbound.call_id, opened.status, std::move(opened.reason),
             opened.log_reason);
      return;
    }
    pending->inbound.content = std::move(opened.content);
    pending->inbound.signer_verified = opened.signer_verified;
    deliver(pending->inbound, pending->responder);
  }

  // Passes a checked message to the role's handler, which replies through
  // a PendingReply; the responder waits in `answering` until then.
  void deliver(const InboundMessage& inbound, sip::UserAgent::MessageResponder& responder) {
    // A body opened after the shutdown limit must not reach a role that
    // has already closed its stores.
    if (stopped) {
      spdlog::info("endpoint {}: rejected MESSAGE with 503 (shut down), Call-ID {}", config.uri, inbound.call_id);
      responder.respond({503, {}, "Retry-After: 5\r\n"});
      return;
    }
    if (!handler) {
      spdlog::info("endpoint {}: rejected MESSAGE with 503 (no handler), Call-ID {}", config.uri, inbound.call_id);
      responder.respond({503, "Not Ready", {}});
      return;
    }
    const std::uint64_t id = next_job++;
    answering.emplace(id, PendingAnswer{std::move(responder), inbound.call_id});
    try {
      // A reply the handler still holds when it throws is destroyed on the
      // way out, which sends 500.
      handler(inbound, PaymentEndpoint::make_reply(reply_target, id));
    } catch (const std::exception& error) {
      spdlog::error("endpoint {}: the handler failed on Call-ID {}: {}", config.uri, inbound.call_id, error.what());
      answer(id, Reply{500, "Server Internal Error", {}}, false);
    }
  }

  void answer(std::uint64_t id, Reply reply, bool dropped) {
    std::optional<PendingAnswer> pending = take(answering, id);
    if (!pending) return;
    if (dropped) {
      spdlog::warn("endpoint {}: responded 500 to Call-ID {} because its reply was dropped unsent", config.uri,
                   pending->call_id);
    }
    pending->responder.respond({reply.status, std::move(reply.reason), header_lines(reply.headers)});
  }

  // Calls `done` once no crypto job is left or `deadline` passes.
  void wait_for_crypto(std::chrono::steady_clock::time_point deadline, std::function<void()> done) {
    if ((sealing.empty() && receiving.empty()) || std::chrono::steady_clock::now() >= deadline) {
      done();
      return;
    }
    crypto_timer.expires_after(std::chrono::milliseconds(20));
    crypto_timer.async_wait([this, deadline, done = std::move(done)](std::error_code error) mutable {
      if (!error) wait_for_crypto(deadline, std::move(done));
    });
  }

  struct PendingSend {
    std::string to_uri;
    HeaderList headers;
    SendDone done;
  };
  struct PendingAnswer {
    sip::UserAgent::MessageResponder responder;
    std::string call_id;  // for logs
  };
  struct PendingReceive {
    InboundMessage inbound;  // everything but the content, which the job opens
    sip::UserAgent::MessageResponder responder;
    std::string source;  // the sender's transport address, for logs
  };

  asio::io_context& io;
  EndpointConfig config;
  EndpointCrypto crypto;
  std::optional<std::string> proxy_host;
  std::unique_ptr<sip::UserAgent> agent;
  std::shared_ptr<sip::Registration> registration;
  AsyncHandler handler;
  std::function<void(const SendResult&)> registration_handler;
  bool draining = false;  // set by shutdown: new MESSAGEs get 503
  bool stopped = false;   // set when shutdown calls its `done`: no more handler calls or sends
  std::uint64_t next_job = 1;
  std::unordered_map<std::uint64_t, PendingSend> sealing;
  std::unordered_map<std::uint64_t, PendingReceive> receiving;
  std::unordered_map<std::uint64_t, PendingAnswer> answering;  // handed to the handler, no reply sent yet
  asio::steady_timer crypto_timer{io};
  std::unique_ptr<FileChangeWatcher> crl_watcher;  // set by start when the CRL is polled
  // Points to this State until its destruction begins; crypto results
  // posted to the I/O thread check it (see run_crypto).
  std::shared_ptr<State*> lifetime = std::make_shared<State*>(this);
  // Shared with every PendingReply; reaches this State while `lifetime` does.
  std::shared_ptr<const detail::ReplyTarget> reply_target = std::make_shared<const detail::ReplyTarget>(
      detail::ReplyTarget{io, [alive = std::weak_ptr<State*>(lifetime)](std::uint64_t id, Reply reply, bool dropped) {
                            if (const std::shared_ptr<State*> state = alive.lock()) {
                              (*state)->answer(id, std::move(reply), dropped);
                            }
                          }});
  asio::thread_pool pool;
};

PaymentEndpoint::PaymentEndpoint(asio::io_context& io, EndpointConfig config)
    : state_(std::make_unique<State>(io, std::move(config))) {}

PaymentEndpoint::~PaymentEndpoint() = default;

void PaymentEndpoint::on_message(Handler handler) {
  if (!handler) {
    state_->handler = nullptr;
    return;
  }
  state_->handler = [handler = std::move(handler)](const InboundMessage& message, PendingReply reply) {
    reply.send(handler(message));
  };
}

void PaymentEndpoint::on_message_async(AsyncHandler handler) { state_->handler = std::move(handler); }

void PaymentEndpoint::on_registration(std::function<void(const SendResult&)> handler) {
  state_->registration_handler = std::move(handler);
}

std::error_code PaymentEndpoint::start() {
  if (std::error_code error = state_->agent->start()) return error;
  state_->start_crl_watcher();
  if (state_->config.register_contact) {
    sip::RegistrationSettings settings;
    settings.registrar_uri = "sip:" + domain_of(state_->config.uri);
    settings.aor = state_->config.uri;
    settings.contact_uri = "sips:" + local_address().substr(4);
    settings.expires_seconds = state_->config.register_expires;
    settings.credentials = state_->credentials();
    settings.proxy_uri = state_->config.proxy;
    settings.retry_after = std::chrono::seconds(5);
    State* state = state_.get();
    state_->registration =
        sip::Registration::create(*state_->agent, std::move(settings), [state](const sip::RequestOutcome& outcome) {
          if (outcome.succeeded()) {
            spdlog::info("endpoint {}: registered ({})", state->config.uri, outcome.summary());
          } else {
            spdlog::warn("endpoint {}: REGISTER failed: {}", state->config.uri, outcome.summary());
          }
          if (state->registration_handler) state->registration_handler(to_send_result(outcome));
        });
    state_->registration->start();
  }
  return {};
}

std::string PaymentEndpoint::local_address() const {
  for (const sip::TransportAddress& address : state_->agent->transport().local_addresses()) {
    if (address.protocol == sip::TransportProtocol::kTls) return address.to_string();
  }
  return {};
}

void PaymentEndpoint::send(std::string to_uri, std::string content, HeaderList headers, SendDone done) {
  state_->seal_and_send(std::move(to_uri), std::move(content), std::move(headers), std::move(done), true);
}

void PaymentEndpoint::send_unsigned(std::string to_uri, std::string content, HeaderList headers, SendDone done) {
  state_->seal_and_send(std::move(to_uri), std::move(content), std::move(headers), std::move(done), false);
}

void PaymentEndpoint::send_empty(std::string to_uri, HeaderList headers, SendDone done) {
  state_->send_body(std::move(to_uri), {}, {}, std::move(headers), std::move(done));
}

void PaymentEndpoint::shutdown(std::chrono::milliseconds limit, std::function<void()> done) {
  State* state = state_.get();
  if (state->crl_watcher) state->crl_watcher->stop();
  auto drain = [state, limit, done = std::move(done)](const sip::RequestOutcome&) mutable {
    // Sends still being sealed become client transactions when sealed, and
    // the UA's shutdown waits for those; so the crypto jobs finish first.
    state->draining = true;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    state->wait_for_crypto(deadline, [state, deadline, done = std::move(done)]() mutable {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      state->agent->shutdown(std::max(left, std::chrono::milliseconds(0)), [state, done = std::move(done)] {
        state->stopped = true;
        if (done) done();
      });
    });
  };
  if (state_->registration) {
    auto registration = std::move(state_->registration);
    registration->stop(std::move(drain));
  } else {
    drain(sip::RequestOutcome{});
  }
}

void PaymentEndpoint::reload_crl(CrlReloadDone done) {
  if (!state_->config.crl) {
    spdlog::warn("endpoint {}: no [identity] crl is configured, so there is no CRL to reload", state_->config.uri);
    security::Result<security::CrlInfo> outcome =
        security::Error{security::ErrorCode::crl_invalid, "no [identity] crl is configured"};
    if (done) asio::post(state_->io, [done = std::move(done), outcome = std::move(outcome)] { done(outcome); });
    return;
  }
  state_->reload_crl(std::move(done));
}

std::shared_ptr<security::ReloadableTrustStore> PaymentEndpoint::trust() const { return state_->crypto.trust(); }

const EndpointConfig& PaymentEndpoint::config() const { return state_->config; }

asio::io_context& PaymentEndpoint::io() { return state_->io; }

}  // namespace sippay::roles
