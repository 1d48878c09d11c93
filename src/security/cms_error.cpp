#include "security/cms_error.hpp"

namespace sippay::security {

std::string_view to_string(CmsFailure failure) {
  switch (failure) {
    case CmsFailure::input_too_large: return "input_too_large";
    case CmsFailure::nesting_too_deep: return "nesting_too_deep";
    case CmsFailure::malformed_ber: return "malformed_ber";
    case CmsFailure::malformed_cms: return "malformed_cms";
    case CmsFailure::unexpected_content_type: return "unexpected_content_type";
    case CmsFailure::unsupported_algorithm: return "unsupported_algorithm";
    case CmsFailure::sha1_kdf: return "sha1_kdf";
    case CmsFailure::rsa_pkcs1_key_transport: return "rsa_pkcs1_key_transport";
    case CmsFailure::invalid_oaep_parameters: return "invalid_oaep_parameters";
    case CmsFailure::invalid_gcm_tag_length: return "invalid_gcm_tag_length";
    case CmsFailure::unauthenticated_content: return "unauthenticated_content";
    case CmsFailure::not_a_recipient: return "not_a_recipient";
    case CmsFailure::decrypt_failed: return "decrypt_failed";
    case CmsFailure::missing_signed_attributes: return "missing_signed_attributes";
    case CmsFailure::invalid_signed_attributes: return "invalid_signed_attributes";
    case CmsFailure::content_type_mismatch: return "content_type_mismatch";
    case CmsFailure::signer_count: return "signer_count";
    case CmsFailure::missing_signer_certificate: return "missing_signer_certificate";
    case CmsFailure::bad_signature: return "bad_signature";
    case CmsFailure::signer_certificate_rejected: return "signer_certificate_rejected";
    case CmsFailure::recipient_certificate_rejected: return "recipient_certificate_rejected";
    case CmsFailure::key_mismatch: return "key_mismatch";
    case CmsFailure::malformed_mime: return "malformed_mime";
    case CmsFailure::unsupported_media_type: return "unsupported_media_type";
    case CmsFailure::internal: return "internal";
  }
  return "unknown";
}

ErrorCode error_code_of(CmsFailure failure) {
  switch (failure) {
    case CmsFailure::input_too_large:
    case CmsFailure::nesting_too_deep:
      return ErrorCode::too_large;
    case CmsFailure::malformed_ber:
    case CmsFailure::malformed_cms:
    case CmsFailure::unexpected_content_type:
    case CmsFailure::malformed_mime:
    case CmsFailure::key_mismatch:
      return ErrorCode::malformed;
    case CmsFailure::unsupported_algorithm:
    case CmsFailure::sha1_kdf:
    case CmsFailure::rsa_pkcs1_key_transport:
    case CmsFailure::invalid_oaep_parameters:
    case CmsFailure::invalid_gcm_tag_length:
    case CmsFailure::unauthenticated_content:
    case CmsFailure::unsupported_media_type:
      return ErrorCode::unsupported_algorithm;
    case CmsFailure::not_a_recipient:
      return ErrorCode::not_a_recipient;
    case CmsFailure::decrypt_failed:
      return ErrorCode::decrypt_failed;
    case CmsFailure::missing_signed_attributes:
    case CmsFailure::invalid_signed_attributes:
    case CmsFailure::content_type_mismatch:
    case CmsFailure::signer_count:
    case CmsFailure::missing_signer_certificate:
    case CmsFailure::bad_signature:
      return ErrorCode::bad_signature;
    case CmsFailure::signer_certificate_rejected:
    case CmsFailure::recipient_certificate_rejected:
      return ErrorCode::untrusted_chain;
    case CmsFailure::internal:
      return ErrorCode::io;
  }
  return ErrorCode::malformed;
}

std::string CmsError::to_string() const {
  std::string text(security::to_string(failure));
  if (!detail.empty()) {
    text += ": ";
    text += detail;
  }
  return text;
}

}  // namespace sippay::security
