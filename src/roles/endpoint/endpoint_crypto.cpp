#include "roles/endpoint/endpoint_crypto.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "payment/message_codec.hpp"
#include "security/cms_enveloped_data.hpp"
#include "security/private_key.hpp"
#include "security/sip_identity.hpp"
#include "security/smime_response.hpp"

namespace sippay::roles {
namespace {

template <typename T>
T must(security::Result<T> result, std::string_view what, const std::filesystem::path& path) {
  if (!result) {
    throw ConfigError(fmt::format("[identity] {}: cannot use {}: {}", what, path.string(), result.error().detail));
  }
  return std::move(result.value());
}

OpenedContent rejection(int status, std::string reason, std::string log_reason) {
  OpenedContent opened;
  opened.status = status;
  opened.reason = std::move(reason);
  opened.log_reason = std::move(log_reason);
  return opened;
}

OpenedContent rejection(const security::CmsError& error) {
  security::SipRejection sip = security::sip_rejection_for(error);
  return rejection(sip.status_code, std::string(sip.reason_phrase), std::move(sip.log_reason));
}

// The one payment part of `parts`, or the 415 that rejects them.
OpenedContent payment_content(std::vector<security::PayloadPart> parts, bool signer_verified) {
  if (parts.size() != 1) return rejection(415, "One Payment Message Expected", "several payload parts");
  if (auto problem = payment::content_type_error(parts.front().content_type)) {
    return rejection(415, "Unsupported Media Type", *problem);
  }
  OpenedContent opened;
  opened.content = std::move(parts.front().body);
  opened.signer_verified = signer_verified;
  return opened;
}

}  // namespace

EndpointCrypto::EndpointCrypto(const EndpointConfig& config)
    : peer_folder_(config.peer_certificates),
      trust_(must(security::ReloadableTrustStore::load(config.ca, config.crl), "ca or crl", config.ca)),
      signer_{must(security::Certificate::load_pem_file(config.certificate), "certificate", config.certificate),
              must(security::PrivateKey::load_pem_file(config.private_key), "private_key", config.private_key),
              {}},
      peers_(config.peer_certificates) {
  if (!signer_.key.matches(signer_.certificate)) {
    throw ConfigError(fmt::format("[identity] private_key: {} is not the key of {}", config.private_key.string(),
                                  config.certificate.string()));
  }
  if (!security::match_sip_identity(config.uri, signer_.certificate.sip_uris())) {
    throw ConfigError(fmt::format("[identity] uri: {} is not named by the certificate {}; its SIP URIs are {}",
                                  config.uri, config.certificate.string(),
                                  fmt::join(signer_.certificate.sip_uris(), ", ")));
  }
}

SealedBody EndpointCrypto::seal(const std::string& to_uri, std::string content, bool sign) {
  SealedBody sealed;
  auto recipient = peers_.find(to_uri);
  if (!recipient) {
    sealed.error = fmt::format("no certificate for {} in {}", to_uri, peer_folder_.string());
    return sealed;
  }
  const std::vector<security::PayloadPart> parts{{std::string(payment::kContentType), std::move(content)}};
  const std::shared_ptr<const security::TrustStore> trust = trust_->current();
  if (sign) {
    auto body = security::seal_body(parts, signer_, {*recipient}, *trust);
    if (!body) {
      sealed.error = fmt::format("cannot seal the message for {}: {}", to_uri, body.error().to_string());
      return sealed;
    }
    sealed.content_type = std::move(body->content_type);
    sealed.der = std::move(body->der);
    return sealed;
  }
  auto der = security::encrypt_data(security::write_payload_entity(parts), {*recipient}, *trust);
  if (!der) {
    sealed.error = fmt::format("cannot seal the message for {}: {}", to_uri, der.error().to_string());
    return sealed;
  }
  sealed.content_type = security::smime_content_type(security::SmimeType::auth_enveloped_data);
  sealed.der = std::move(der.value());
  return sealed;
}

OpenedContent EndpointCrypto::open(std::string_view content_type, std::string_view body,
                                   const std::string& claimed_sender, bool accept_unsigned) const {
  security::VerifyOptions options;
  options.claimed_sender = claimed_sender;
  const std::shared_ptr<const security::TrustStore> trust = trust_->current();
  if (!accept_unsigned) {
    auto opened = security::open_body(content_type, body, signer_.certificate, signer_.key, *trust, options);
    if (!opened) return rejection(opened.error());
    return payment_content(std::move(opened->parts), true);
  }

  auto type = security::parse_smime_content_type(content_type);
  if (!type) return rejection(type.error());
  if (type.value() == security::SmimeType::signed_data) {
    return rejection(415, "Envelope Required", "a signed-data body without envelope");
  }
  auto decrypted = security::decrypt_data(body, signer_.certificate, signer_.key);
  if (!decrypted) return rejection(decrypted.error());
  auto inner = security::parse_smime_entity(decrypted->content);
  if (inner && inner->smime_type == security::SmimeType::signed_data) {
    auto verified = security::verify_signed_data(inner->der, *trust, options);
    if (!verified) return rejection(verified.error());
    auto payload = security::parse_payload_entity(verified->content);
    if (!payload) return rejection(payload.error());
    return payment_content(std::move(payload.value()), true);
  }
  if (decrypted->protection != security::ContentProtection::authenticated) {
    return rejection(493, "Undecipherable", "unsigned content in an envelope without integrity");
  }
  auto payload = security::parse_payload_entity(decrypted->content);
  if (!payload) return rejection(payload.error());
  return payment_content(std::move(payload.value()), false);
}

}  // namespace sippay::roles
