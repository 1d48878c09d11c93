#include "security/smime_response.hpp"

#include <fmt/format.h>

namespace sippay::security {
namespace {

int status_code_for(CmsFailure failure) {
  switch (failure) {
    case CmsFailure::unsupported_media_type:
      return 415;
    case CmsFailure::recipient_certificate_rejected:
    case CmsFailure::key_mismatch:
    case CmsFailure::internal:
      return 500;
    case CmsFailure::signer_certificate_rejected:
      return 403;
    default:
      break;
  }
  // Every other failure maps to bad_signature (403) or to a parse, policy
  // or decryption code (493).
  return error_code_of(failure) == ErrorCode::bad_signature ? 403 : 493;
}

std::string_view reason_phrase_for(int status_code) {
  switch (status_code) {
    case 403: return "Forbidden";
    case 415: return "Unsupported Media Type";
    case 500: return "Server Internal Error";
    default: return "Undecipherable";
  }
}

}  // namespace

SipRejection sip_rejection_for(const CmsError& error) {
  const int status = status_code_for(error.failure);
  return SipRejection{status, reason_phrase_for(status),
                      fmt::format("{} ({}): {}", to_string(error.failure), to_string(error.code),
                                  error.detail)};
}

}  // namespace sippay::security
