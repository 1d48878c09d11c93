// Comparison of the SIP URI a message claims to come from with the SIP URIs
// of a certificate's subjectAltName.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "security/error.hpp"

namespace sippay::security {

// Returns the first of `certificate_uris` that names the same entity as
// `claimed_uri`, or identity_mismatch. Two URIs name the same entity when
// their userinfo and host are equal by the rules of RFC 3261 §19.1.4:
// userinfo case-sensitive with escapes of unreserved characters decoded,
// host case-insensitive, IPv6 addresses by value. The scheme (sip or sips),
// port, parameters and headers are not compared, because they choose how to
// reach the entity, not who it is. A claimed URI that is not a valid sip or
// sips URI is malformed; certificate URIs that do not parse are skipped.
Result<std::string> match_sip_identity(std::string_view claimed_uri,
                                       const std::vector<std::string>& certificate_uris);

}  // namespace sippay::security
