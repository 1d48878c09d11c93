// The SIP response a UAS sends when an S/MIME body fails, with the reason
// for its log line.
//
//   493 Undecipherable: the body cannot be parsed as CMS or MIME, cannot be
//       decrypted with our key, or uses an algorithm outside the policy
//       (RFC 3261 §21.4.30; RFC 3261 §23.2 uses it for a failed decryption);
//   403 Forbidden: the signature does not verify or breaks the signed
//       attribute rules, or the signer certificate is untrusted, expired,
//       revoked, unfit for signing or not the claimed sender;
//   415 Unsupported Media Type: not application/pkcs7-mime, or an
//       unknown smime-type or Content-Transfer-Encoding (RFC 3261 §21.4.13);
//   500 Server Internal Error: a failure of our own, such as a rejected
//       recipient certificate while building a response.
#pragma once

#include <string>
#include <string_view>

#include "security/cms_error.hpp"

namespace sippay::security {

struct SipRejection {
  int status_code;
  std::string_view reason_phrase;  // the standard reason phrase for status_code
  std::string log_reason;          // failure name, trust code and detail; no secrets
};

SipRejection sip_rejection_for(const CmsError& error);

}  // namespace sippay::security
