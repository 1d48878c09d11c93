// S/MIME bodies for SIP (RFC 3261 §23, RFC 8551): the header values of an
// application/pkcs7-mime body, the MIME entities nested inside it, and the
// sign-then-envelope ("seal") and decrypt-then-verify ("open") compositions.
//
// A sealed body is built from the inside out:
//   payload entity    Content-Type: text/plain (one part) or multipart/mixed (several)
//   SignedData        over the payload entity, as id-data
//   signed entity     Content-Type: application/pkcs7-mime; smime-type=signed-data, binary
//   AuthEnvelopedData over the signed entity, as id-data
// and the SIP message carries the AuthEnvelopedData DER with the Content-Type
// and Content-Disposition below.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "security/cms_enveloped_data.hpp"
#include "security/cms_error.hpp"
#include "security/cms_limits.hpp"
#include "security/cms_signed_data.hpp"
#include "security/mime_entity.hpp"

namespace sippay::security {

// The smime-type parameter; each names a CMS content type (RFC 8551 §3.2.2).
enum class SmimeType { signed_data, enveloped_data, auth_enveloped_data };

// "signed-data", "enveloped-data", "authEnveloped-data".
std::string_view to_string(SmimeType type);

// "application/pkcs7-mime; smime-type=...; name=smime.p7m".
std::string smime_content_type(SmimeType type);

// RFC 3261 §23.4: the receiver must not ignore the body.
inline constexpr std::string_view kSmimeContentDisposition =
    "attachment; handling=required; filename=smime.p7m";

// Reads the smime-type of an application/pkcs7-mime Content-Type value
// (type, subtype and parameter names without regard to case, as RFC 2045
// and RFC 8551 say). Fails with unsupported_media_type for other media
// types, and for a missing or unknown smime-type.
CmsResult<SmimeType> parse_smime_content_type(std::string_view content_type);

// A body ready for a SIP message: the DER and its two header values.
struct SmimeBody {
  SmimeType type;
  std::string content_type;
  std::string content_disposition;
  std::string der;
};

// One part of the payload: its media type and bytes.
struct PayloadPart {
  std::string content_type;
  std::string body;
};

// Writes the payload as a MIME entity: the part itself when there is one,
// multipart/mixed around them when there are several.
std::string write_payload_entity(const std::vector<PayloadPart>& parts);

// Reads a payload entity back into its parts; a multipart/mixed entity
// gives its parts, any other media type one part. Nested multiparts are not
// accepted.
CmsResult<std::vector<PayloadPart>> parse_payload_entity(std::string_view entity,
                                                         const MimeLimits& limits = {});

// An application/pkcs7-mime MIME entity around DER, with binary encoding.
std::string write_smime_entity(SmimeType type, std::string_view der);

struct SmimeEntity {
  SmimeType smime_type;
  std::string der;
};

// Reads an entity written by write_smime_entity (or a peer's equivalent).
CmsResult<SmimeEntity> parse_smime_entity(std::string_view entity, const CmsLimits& limits = {});

// Signs the payload, which must have at least one part: a signed-data body.
CmsResult<SmimeBody> sign_body(const std::vector<PayloadPart>& parts,
                               const SignerCredentials& signer);

// Signs the payload, then envelopes the signed entity for every recipient:
// an authEnveloped-data body.
CmsResult<SmimeBody> seal_body(const std::vector<PayloadPart>& parts,
                               const SignerCredentials& signer,
                               const std::vector<Certificate>& recipients,
                               const TrustStore& trust, const EncryptOptions& options = {});

struct OpenedBody {
  std::vector<PayloadPart> parts;
  VerifiedCertificate signer;
  ContentProtection envelope_protection;  // needs_inner_signature for AES-CBC envelopes
};

// Verifies a signed-data body: the payload and who signed it.
CmsResult<OpenedBody> verify_body(std::string_view content_type, std::string_view der,
                                  const TrustStore& trust, const VerifyOptions& options);

// Reverses seal_body: decrypts with the recipient's certificate and key,
// requires a signed-data entity inside, verifies it and returns the payload.
// The smime-type of `content_type` must name the CMS content type of `der`.
// An AES-CBC envelopedData is accepted here because its content must be signed.
CmsResult<OpenedBody> open_body(std::string_view content_type, std::string_view der,
                                const Certificate& certificate, const PrivateKey& key,
                                const TrustStore& trust, const VerifyOptions& options);

}  // namespace sippay::security
