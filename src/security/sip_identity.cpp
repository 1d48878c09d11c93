#include "security/sip_identity.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "sip/uri.hpp"

namespace sippay::security {
namespace {

// The userinfo and host of `uri` as a sip URI, so that uri_equivalent
// compares exactly those parts.
sip::Uri identity_part(const sip::Uri& uri) {
  sip::Uri part;
  part.scheme = sip::UriScheme::kSip;
  part.has_user = uri.has_user;
  part.user = uri.user;
  part.has_password = uri.has_password;
  part.password = uri.password;
  part.host = uri.host;
  part.host_type = uri.host_type;
  return part;
}

}  // namespace

Result<std::string> match_sip_identity(std::string_view claimed_uri,
                                       const std::vector<std::string>& certificate_uris) {
  const auto claimed = sip::parse_uri(claimed_uri);
  if (!claimed || !claimed->is_sip_or_sips()) {
    return Error{ErrorCode::malformed,
                 fmt::format("claimed sender '{}' is not a valid sip or sips URI", claimed_uri)};
  }
  if (certificate_uris.empty()) {
    return Error{ErrorCode::identity_mismatch,
                 fmt::format("certificate has no sip or sips URI in subjectAltName, so it cannot "
                             "vouch for {} (the subject CN is never used)",
                             claimed_uri)};
  }

  const sip::Uri wanted = identity_part(*claimed);
  for (const std::string& candidate_text : certificate_uris) {
    const auto candidate = sip::parse_uri(candidate_text);
    if (!candidate || !candidate->is_sip_or_sips()) continue;
    if (sip::uri_equivalent(identity_part(*candidate), wanted)) return candidate_text;
  }
  return Error{ErrorCode::identity_mismatch,
               fmt::format("claimed sender {} is not among the certificate's SIP URIs [{}]", claimed_uri,
                           fmt::join(certificate_uris, ", "))};
}

}  // namespace sippay::security
