// Header field names: the ones sippay reads, their compact forms (RFC 3261
// §7.3.3 and later RFCs), and lookup from the name as written.
#pragma once

#include <cstdint>
#include <string_view>

namespace sippay::sip {

enum class HeaderId : std::uint8_t {
  kUnknown,  // kept verbatim, in order
  kAccept,
  kAcceptContact,
  kAllow,
  kAllowEvents,
  kAuthenticationInfo,
  kAuthorization,
  kCallId,
  kContact,
  kContentDisposition,
  kContentEncoding,
  kContentLength,
  kContentType,
  kCSeq,
  kDate,
  kEvent,
  kExpires,
  kFrom,
  kIdentity,
  kMaxForwards,
  kMinExpires,
  kProxyAuthenticate,
  kProxyAuthorization,
  kProxyRequire,
  kRecordRoute,
  kReferTo,
  kReferredBy,
  kRejectContact,
  kRequestDisposition,
  kRequire,
  kRetryAfter,
  kRoute,
  kServer,
  kSessionExpires,
  kSubject,
  kSupported,
  kTo,
  kUnsupported,
  kUserAgent,
  kVia,
  kWwwAuthenticate,
  kCount,
};

// Returns the header named `name` (full or compact form, any case), or
// kUnknown.
HeaderId lookup_header(std::string_view name);

// The full name in its usual spelling ("Call-ID", "WWW-Authenticate").
// REQUIRES: id != kUnknown.
std::string_view canonical_name(HeaderId id);

// The compact form's letter, or '\0' when the header has none.
char compact_form(HeaderId id);

}  // namespace sippay::sip
