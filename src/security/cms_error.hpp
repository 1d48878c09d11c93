// Failures of the CMS and S/MIME layer, each with a name that tests and logs
// can tell apart, and the result type that carries them.
//
// The trust store reports certificate failures with an ErrorCode (expired,
// revoked, untrusted_chain, identity_mismatch, ...). A CmsError keeps that
// code beside the CMS-level failure, so "the signer certificate is revoked"
// and "the recipient certificate is revoked" stay distinct.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "security/error.hpp"

namespace sippay::security {

enum class CmsFailure {
  input_too_large,                 // more bytes than CmsLimits::max_input_bytes
  nesting_too_deep,                // BER nested deeper than CmsLimits::max_nesting_depth
  malformed_ber,                   // bad tag or length, a length past its parent, trailing bytes
  malformed_cms,                   // valid BER that is not a CMS ContentInfo with content
  unexpected_content_type,         // for example EnvelopedData where SignedData was expected
  unsupported_algorithm,           // a digest, signature or cipher outside the policy
  sha1_kdf,                        // ECDH recipient with the SHA-1 KDF scheme
  rsa_pkcs1_key_transport,         // RSA PKCS#1 v1.5 key transport instead of RSA-OAEP
  invalid_oaep_parameters,         // RSA-OAEP parameters that do not decode or are outside policy
  invalid_gcm_tag_length,          // an AES-GCM tag that is not 16 bytes
  unauthenticated_content,         // AES-CBC EnvelopedData around content that is not signed
  not_a_recipient,                 // no RecipientInfo for the given certificate
  decrypt_failed,                  // key unwrap, decryption or GCM tag check failed
  missing_signed_attributes,       // a SignerInfo without signed attributes
  invalid_signed_attributes,       // not exactly one content-type and one messageDigest
  content_type_mismatch,           // content-type attribute differs from eContentType
  signer_count,                    // not exactly one SignerInfo
  missing_signer_certificate,      // the signer certificate is not in the SignedData
  bad_signature,                   // the signature or message digest does not verify
  signer_certificate_rejected,     // the trust store rejected the signer (see CmsError::code)
  recipient_certificate_rejected,  // the trust store rejected a recipient (see CmsError::code)
  key_mismatch,                    // the private key does not belong to the certificate
  malformed_mime,                  // a MIME entity or multipart body outside the strict grammar
  unsupported_media_type,          // a Content-Type or smime-type this layer does not handle
  internal,                        // an OpenSSL call failed while building output
};

// The failure's name as written in this enum, for logs and test output.
std::string_view to_string(CmsFailure failure);

// The trust store's ErrorCode that best describes a failure of this layer.
ErrorCode error_code_of(CmsFailure failure);

struct CmsError {
  CmsFailure failure;
  ErrorCode code;      // error_code_of(failure), or the trust store's code for certificates
  std::string detail;  // what failed, in words, for the log; never key material or plaintext

  CmsError(CmsFailure failure, std::string detail)
      : failure(failure), code(error_code_of(failure)), detail(std::move(detail)) {}
  CmsError(CmsFailure failure, const Error& certificate_error)
      : failure(failure), code(certificate_error.code), detail(certificate_error.detail) {}

  // "name: detail", one line.
  std::string to_string() const;
};

// Either a T or a CmsError, like the trust store's Result but with CmsError.
template <typename T>
class [[nodiscard]] CmsResult {
 public:
  CmsResult(const T& value) : state_(std::in_place_index<0>, value) {}        // NOLINT
  CmsResult(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  CmsResult(CmsError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !ok().
  const CmsError& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, CmsError> state_;
};

using CmsStatus = CmsResult<std::monostate>;

}  // namespace sippay::security
