#include "roles/endpoint/payment_endpoint.hpp"

#include <asio/post.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "payment/message_codec.hpp"
#include "roles/endpoint/peer_directory.hpp"
#include "security/private_key.hpp"
#include "security/sip_identity.hpp"
#include "security/smime_body.hpp"
#include "security/smime_response.hpp"
#include "security/trust_store.hpp"
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

template <typename T>
T must(security::Result<T> result, std::string_view what, const std::filesystem::path& path) {
  if (!result) {
    throw ConfigError(fmt::format("[identity] {}: cannot use {}: {}", what, path.string(), result.error().detail));
  }
  return std::move(result.value());
}

}  // namespace

std::string SendResult::summary() const {
  if (!error.empty()) return error;
  return fmt::format("{} {}", status, reason);
}

struct PaymentEndpoint::State {
  State(asio::io_context& io, EndpointConfig endpoint_config)
      : io(io),
        config(std::move(endpoint_config)),
        trust(must(security::TrustStore::load(config.ca, config.crl), "ca or crl", config.ca)),
        signer{must(security::Certificate::load_pem_file(config.certificate), "certificate", config.certificate),
               must(security::PrivateKey::load_pem_file(config.private_key), "private_key", config.private_key),
               {}},
        peers(config.peer_certificates) {
    if (!signer.key.matches(signer.certificate)) {
      throw ConfigError(fmt::format("[identity] private_key: {} is not the key of {}", config.private_key.string(),
                                    config.certificate.string()));
    }
    if (!security::match_sip_identity(config.uri, signer.certificate.sip_uris())) {
      throw ConfigError(fmt::format("[identity] uri: {} is not named by the certificate {}; its SIP URIs are {}",
                                    config.uri, config.certificate.string(),
                                    fmt::join(signer.certificate.sip_uris(), ", ")));
    }
    if (config.accept_only_from) proxy_host = tls_identity_host(*config.accept_only_from);
    sip::UserAgentSettings settings;
    settings.transport.listen = {*sip::parse_transport_address(config.listen)};
    sip::TlsSettings tls;
    tls.certificate_file = config.certificate.string();
    tls.private_key_file = config.private_key.string();
    tls.ca_file = config.ca.string();
    tls.require_client_certificate = config.accept_only_from.has_value();
    settings.transport.tls = tls;
    settings.timers.t1 = config.t1;
    settings.accepted_content_types = {"application/pkcs7-mime"};
    settings.max_message_body_bytes = config.max_body_bytes;
    settings.user_agent = "sippay";
    agent = std::make_unique<sip::UserAgent>(io, std::move(settings));
    agent->on_message([this](const sip::ReceivedMessage& request) { return receive(request); });
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
    auto fail = [this, &done](std::string error) {
      asio::post(io, [done = std::move(done), error = std::move(error)] {
        SendResult result;
        result.error = error;
        if (done) done(result);
      });
    };
    auto recipient = peers.find(to_uri);
    if (!recipient) {
      fail(fmt::format("no certificate for {} in {}", to_uri, config.peer_certificates.string()));
      return;
    }
    const std::vector<security::PayloadPart> parts{{std::string(payment::kContentType), std::move(content)}};
    security::CmsResult<security::SmimeBody> body = [&]() -> security::CmsResult<security::SmimeBody> {
      if (sign) return security::seal_body(parts, signer, {*recipient}, trust);
      auto der = security::encrypt_data(security::write_payload_entity(parts), {*recipient}, trust);
      if (!der) return der.error();
      return security::SmimeBody{security::SmimeType::auth_enveloped_data,
                                 security::smime_content_type(security::SmimeType::auth_enveloped_data),
                                 std::string(security::kSmimeContentDisposition), std::move(der.value())};
    }();
    if (!body) {
      fail(fmt::format("cannot seal the message for {}: {}", to_uri, body.error().to_string()));
      return;
    }
    send_body(std::move(to_uri), std::move(body->content_type), std::move(body->der), std::move(headers),
              std::move(done));
  }

  sip::UserAgent::MessageReply reject(const sip::ReceivedMessage& request, int code, std::string reason,
                                      std::string_view log_reason) {
    spdlog::info("endpoint {}: rejected MESSAGE from {} with {} ({}), Call-ID {}", config.uri,
                 request.source.to_string(), code, log_reason, request.message.call_id());
    return {code, std::move(reason), {}};
  }

  // The body's inner content, or the response that rejects it.
  sip::UserAgent::MessageReply open(const sip::ReceivedMessage& request, InboundMessage& inbound) {
    const sip::Message& message = request.message;
    const sip::HeaderField* type_field = message.find_header("Content-Type");
    const std::string_view content_type = type_field ? type_field->value : std::string_view();
    security::VerifyOptions options;
    options.claimed_sender = inbound.sender_uri;
    std::vector<security::PayloadPart> parts;
    auto rejected = [&](const security::CmsError& error) {
      const security::SipRejection rejection = security::sip_rejection_for(error);
      return reject(request, rejection.status_code, std::string(rejection.reason_phrase), rejection.log_reason);
    };
    if (!config.accept_unsigned) {
      auto opened = security::open_body(content_type, message.body(), signer.certificate, signer.key, trust, options);
      if (!opened) return rejected(opened.error());
      parts = std::move(opened->parts);
    } else {
      auto type = security::parse_smime_content_type(content_type);
      if (!type) return rejected(type.error());
      if (type.value() == security::SmimeType::signed_data) {
        return reject(request, 415, "Envelope Required", "a signed-data body without envelope");
      }
      auto decrypted = security::decrypt_data(message.body(), signer.certificate, signer.key);
      if (!decrypted) return rejected(decrypted.error());
      auto inner = security::parse_smime_entity(decrypted->content);
      if (inner && inner->smime_type == security::SmimeType::signed_data) {
        auto verified = security::verify_signed_data(inner->der, trust, options);
        if (!verified) return rejected(verified.error());
        auto payload = security::parse_payload_entity(verified->content);
        if (!payload) return rejected(payload.error());
        parts = std::move(payload.value());
      } else {
        if (decrypted->protection != security::ContentProtection::authenticated) {
          return reject(request, 493, "Undecipherable", "unsigned content in an envelope without integrity");
        }
        auto payload = security::parse_payload_entity(decrypted->content);
        if (!payload) return rejected(payload.error());
        parts = std::move(payload.value());
        inbound.signer_verified = false;
      }
    }
    if (parts.size() != 1) return reject(request, 415, "One Payment Message Expected", "several payload parts");
    if (auto problem = payment::content_type_error(parts.front().content_type)) {
      return reject(request, 415, "Unsupported Media Type", *problem);
    }
    inbound.content = std::move(parts.front().body);
    return {};
  }

  sip::UserAgent::MessageReply receive(const sip::ReceivedMessage& request) {
    const sip::Message& message = request.message;
    if (proxy_host && !agent->transport().peer_certificate_matches(request.connection_id, *proxy_host)) {
      return reject(request, 403, "Only Via The Proxy",
                    fmt::format("the connection's certificate does not name {}", *proxy_host));
    }
    InboundMessage inbound;
    const sip::NameAddr* from = message.from();
    if (from == nullptr || !from->uri.is_sip_or_sips()) return reject(request, 400, "Bad From", "From is not SIP");
    inbound.sender_uri = address_of_record(from->uri);
    inbound.call_id = std::string(message.call_id());
    if (const sip::HeaderField* authorization = message.find_header("Authorization")) {
      inbound.authorization = std::string(authorization->value);
    }
    if (message.body().empty()) {
      if (!config.accept_unsigned) return reject(request, 400, "Body Required", "a MESSAGE without body");
      inbound.signer_verified = false;
    } else {
      sip::UserAgent::MessageReply refused = open(request, inbound);
      if (refused.status_code != 200) return refused;
    }
    if (!handler) return reject(request, 503, "Not Ready", "no handler");
    Reply reply;
    try {
      reply = handler(inbound);
    } catch (const std::exception& error) {
      spdlog::error("endpoint {}: the handler failed on Call-ID {}: {}", config.uri, inbound.call_id, error.what());
      return {500, "Server Internal Error", {}};
    }
    return {reply.status, reply.reason, header_lines(reply.headers)};
  }

  asio::io_context& io;
  EndpointConfig config;
  security::TrustStore trust;
  security::SignerCredentials signer;
  PeerDirectory peers;
  std::optional<std::string> proxy_host;
  std::unique_ptr<sip::UserAgent> agent;
  std::shared_ptr<sip::Registration> registration;
  Handler handler;
  std::function<void(const SendResult&)> registration_handler;
};

PaymentEndpoint::PaymentEndpoint(asio::io_context& io, EndpointConfig config)
    : state_(std::make_unique<State>(io, std::move(config))) {}

PaymentEndpoint::~PaymentEndpoint() = default;

void PaymentEndpoint::on_message(Handler handler) { state_->handler = std::move(handler); }

void PaymentEndpoint::on_registration(std::function<void(const SendResult&)> handler) {
  state_->registration_handler = std::move(handler);
}

std::error_code PaymentEndpoint::start() {
  if (std::error_code error = state_->agent->start()) return error;
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
  auto drain = [state, limit, done = std::move(done)](const sip::RequestOutcome&) mutable {
    state->agent->shutdown(limit, std::move(done));
  };
  if (state_->registration) {
    auto registration = std::move(state_->registration);
    registration->stop(std::move(drain));
  } else {
    drain(sip::RequestOutcome{});
  }
}

const EndpointConfig& PaymentEndpoint::config() const { return state_->config; }

asio::io_context& PaymentEndpoint::io() { return state_->io; }

}  // namespace sippay::roles
