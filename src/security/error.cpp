#include "security/error.hpp"

namespace sippay::security {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::malformed: return "malformed";
    case ErrorCode::too_large: return "too_large";
    case ErrorCode::io: return "io";
    case ErrorCode::bad_signature: return "bad_signature";
    case ErrorCode::decrypt_failed: return "decrypt_failed";
    case ErrorCode::not_a_recipient: return "not_a_recipient";
    case ErrorCode::unsupported_algorithm: return "unsupported_algorithm";
    case ErrorCode::untrusted_chain: return "untrusted_chain";
    case ErrorCode::expired: return "expired";
    case ErrorCode::not_yet_valid: return "not_yet_valid";
    case ErrorCode::revoked: return "revoked";
    case ErrorCode::crl_invalid: return "crl_invalid";
    case ErrorCode::bad_key_usage: return "bad_key_usage";
    case ErrorCode::identity_mismatch: return "identity_mismatch";
    case ErrorCode::replayed: return "replayed";
  }
  return "unknown";
}

}  // namespace sippay::security
