#include "security/smime_body.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>

namespace sippay::security {
namespace {

CmsResult<SmimeType> smime_type_from_name(std::string_view name) {
  // RFC 8551 §3.2.2 registers the values in lower case except
  // authEnveloped-data; receivers compare without regard to case.
  std::string folded;
  for (char c : name) folded += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (folded == "signed-data") return SmimeType::signed_data;
  if (folded == "enveloped-data") return SmimeType::enveloped_data;
  if (folded == "authenveloped-data") return SmimeType::auth_enveloped_data;
  return CmsError(CmsFailure::unsupported_media_type,
                  fmt::format("smime-type '{}' is not signed-data, enveloped-data or "
                              "authEnveloped-data",
                              name));
}

CmsContentType cms_type_of(SmimeType type) {
  switch (type) {
    case SmimeType::signed_data: return CmsContentType::signed_data;
    case SmimeType::enveloped_data: return CmsContentType::enveloped_data;
    case SmimeType::auth_enveloped_data: return CmsContentType::auth_enveloped_data;
  }
  return CmsContentType::data;
}

// Requires the smime-type of `content_type` to be one of `accepted` and to
// name the content type of `der`.
CmsResult<SmimeType> check_smime_type(std::string_view content_type, std::string_view der,
                                      std::initializer_list<SmimeType> accepted,
                                      const CmsLimits& limits) {
  auto type = parse_smime_content_type(content_type);
  if (!type) return type.error();
  if (std::find(accepted.begin(), accepted.end(), type.value()) == accepted.end()) {
    return CmsError(CmsFailure::unexpected_content_type,
                    fmt::format("smime-type {} is not expected here", to_string(type.value())));
  }
  auto actual = peek_content_type(der, limits);
  if (!actual) return actual.error();
  if (actual.value() != cms_type_of(type.value())) {
    return CmsError(CmsFailure::unexpected_content_type,
                    fmt::format("smime-type is {} but the CMS content is {}",
                                to_string(type.value()), to_string(actual.value())));
  }
  return type;
}

MimeEntity payload_part_entity(const PayloadPart& part) {
  return MimeEntity{{{"Content-Type", part.content_type}}, part.body};
}

CmsResult<OpenedBody> verify_signed_entity(std::string_view signed_entity,
                                           ContentProtection envelope_protection,
                                           const TrustStore& trust, const VerifyOptions& options) {
  auto entity = parse_smime_entity(signed_entity, options.limits);
  if (!entity) return entity.error();
  if (entity.value().smime_type != SmimeType::signed_data) {
    return CmsError(CmsFailure::unexpected_content_type,
                    fmt::format("the envelope holds {}, not signed-data",
                                to_string(entity.value().smime_type)));
  }
  auto verified = verify_signed_data(entity.value().der, trust, options);
  if (!verified) return verified.error();
  auto parts = parse_payload_entity(verified.value().content);
  if (!parts) return parts.error();
  return OpenedBody{std::move(parts.value()), std::move(verified.value().signer),
                    envelope_protection};
}

}  // namespace

std::string_view to_string(SmimeType type) {
  switch (type) {
    case SmimeType::signed_data: return "signed-data";
    case SmimeType::enveloped_data: return "enveloped-data";
    case SmimeType::auth_enveloped_data: return "authEnveloped-data";
  }
  return "unknown";
}

std::string smime_content_type(SmimeType type) {
  return fmt::format("application/pkcs7-mime; smime-type={}; name=smime.p7m", to_string(type));
}

CmsResult<SmimeType> parse_smime_content_type(std::string_view content_type) {
  auto media = parse_media_type(content_type);
  if (!media) {
    return CmsError(CmsFailure::unsupported_media_type, media.error().detail);
  }
  if (media.value().type != "application" ||
      (media.value().subtype != "pkcs7-mime" && media.value().subtype != "x-pkcs7-mime")) {
    return CmsError(CmsFailure::unsupported_media_type,
                    fmt::format("Content-Type {}/{} is not application/pkcs7-mime",
                                media.value().type, media.value().subtype));
  }
  auto smime_type = media.value().parameter("smime-type");
  if (!smime_type) {
    return CmsError(CmsFailure::unsupported_media_type,
                    "application/pkcs7-mime without an smime-type parameter");
  }
  return smime_type_from_name(*smime_type);
}

std::string write_payload_entity(const std::vector<PayloadPart>& parts) {
  if (parts.size() == 1) return write_mime_entity(payload_part_entity(parts[0]));
  std::vector<MimeEntity> entities;
  entities.reserve(parts.size());
  for (const PayloadPart& part : parts) entities.push_back(payload_part_entity(part));
  const std::string boundary = make_multipart_boundary(entities);
  return write_mime_entity(MimeEntity{{{"Content-Type", "multipart/mixed;boundary=" + boundary}},
                                      write_multipart(entities, boundary)});
}

CmsResult<std::vector<PayloadPart>> parse_payload_entity(std::string_view text,
                                                         const MimeLimits& limits) {
  auto entity = parse_mime_entity(text, limits);
  if (!entity) return entity.error();
  const std::string content_type(*entity.value().header("Content-Type"));
  auto media = parse_media_type(content_type);
  if (!media) return media.error();
  if (media.value().type != "multipart") {
    return std::vector<PayloadPart>{{content_type, std::move(entity.value().body)}};
  }
  if (media.value().subtype != "mixed") {
    return CmsError(CmsFailure::unsupported_media_type,
                    fmt::format("multipart/{} payload; only multipart/mixed is accepted",
                                media.value().subtype));
  }
  auto boundary = media.value().parameter("boundary");
  if (!boundary) return CmsError(CmsFailure::malformed_mime, "multipart/mixed without a boundary");
  auto entities = parse_multipart(entity.value().body, *boundary, limits);
  if (!entities) return entities.error();

  std::vector<PayloadPart> parts;
  for (MimeEntity& part : entities.value()) {
    std::string part_type(*part.header("Content-Type"));
    auto part_media = parse_media_type(part_type);
    if (!part_media) return part_media.error();
    if (part_media.value().type == "multipart") {
      return CmsError(CmsFailure::unsupported_media_type, "nested multipart payloads are not accepted");
    }
    parts.push_back({std::move(part_type), std::move(part.body)});
  }
  return parts;
}

std::string write_smime_entity(SmimeType type, std::string_view der) {
  return write_mime_entity(MimeEntity{{{"Content-Type", smime_content_type(type)},
                                       {"Content-Disposition", std::string(kSmimeContentDisposition)},
                                       {"Content-Transfer-Encoding", "binary"}},
                                      std::string(der)});
}

CmsResult<SmimeEntity> parse_smime_entity(std::string_view text, const CmsLimits& limits) {
  MimeLimits mime_limits;
  mime_limits.max_input_bytes = limits.max_input_bytes;
  auto entity = parse_mime_entity(text, mime_limits);
  if (!entity) return entity.error();
  auto type = parse_smime_content_type(*entity.value().header("Content-Type"));
  if (!type) return type.error();
  return SmimeEntity{type.value(), std::move(entity.value().body)};
}

CmsResult<SmimeBody> sign_body(const std::vector<PayloadPart>& parts,
                               const SignerCredentials& signer) {
  if (parts.empty()) return CmsError(CmsFailure::internal, "no payload part to sign");
  auto signed_der = sign_data(write_payload_entity(parts), signer);
  if (!signed_der) return signed_der.error();
  return SmimeBody{SmimeType::signed_data, smime_content_type(SmimeType::signed_data),
                   std::string(kSmimeContentDisposition), std::move(signed_der.value())};
}

CmsResult<SmimeBody> seal_body(const std::vector<PayloadPart>& parts,
                               const SignerCredentials& signer,
                               const std::vector<Certificate>& recipients,
                               const TrustStore& trust, const EncryptOptions& options) {
  if (parts.empty()) return CmsError(CmsFailure::internal, "no payload part to seal");
  auto signed_der = sign_data(write_payload_entity(parts), signer);
  if (!signed_der) return signed_der.error();
  const std::string signed_entity = write_smime_entity(SmimeType::signed_data, signed_der.value());
  auto enveloped = encrypt_data(signed_entity, recipients, trust, options);
  if (!enveloped) return enveloped.error();
  return SmimeBody{SmimeType::auth_enveloped_data,
                   smime_content_type(SmimeType::auth_enveloped_data),
                   std::string(kSmimeContentDisposition), std::move(enveloped.value())};
}

CmsResult<OpenedBody> verify_body(std::string_view content_type, std::string_view der,
                                  const TrustStore& trust, const VerifyOptions& options) {
  auto type = check_smime_type(content_type, der, {SmimeType::signed_data}, options.limits);
  if (!type) return type.error();
  auto verified = verify_signed_data(der, trust, options);
  if (!verified) return verified.error();
  auto parts = parse_payload_entity(verified.value().content);
  if (!parts) return parts.error();
  return OpenedBody{std::move(parts.value()), std::move(verified.value().signer),
                    ContentProtection::authenticated};
}

CmsResult<OpenedBody> open_body(std::string_view content_type, std::string_view der,
                                const Certificate& certificate, const PrivateKey& key,
                                const TrustStore& trust, const VerifyOptions& options) {
  auto type = check_smime_type(content_type, der,
                               {SmimeType::enveloped_data, SmimeType::auth_enveloped_data},
                               options.limits);
  if (!type) return type.error();
  auto decrypted = decrypt_data(der, certificate, key, options.limits);
  if (!decrypted) return decrypted.error();
  return verify_signed_entity(decrypted.value().content, decrypted.value().protection, trust,
                              options);
}

}  // namespace sippay::security
