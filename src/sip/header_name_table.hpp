// The table of header names behind lookup_header, canonical_name and
// compact_form, and an inline lookup for the parser's loop over header
// fields. Internal to the SIP library.
#pragma once

#include <array>
#include <string_view>

#include "sip/charset.hpp"
#include "sip/header_name.hpp"

namespace sippay::sip::header_table {

struct HeaderSpelling {
  HeaderId id;
  std::string_view name;
  char compact;
};

// Compact forms: RFC 3261 §7.3.3 (c e f i k l m s t v), RFC 3265 (o u),
// RFC 3515 (r), RFC 3892 (b), RFC 3841 (a d j), RFC 4028 (x), RFC 8224 (y).
inline constexpr std::array<HeaderSpelling, static_cast<std::size_t>(HeaderId::kCount)> kSpellings = {{
    {HeaderId::kUnknown, "", '\0'},
    {HeaderId::kAccept, "Accept", '\0'},
    {HeaderId::kAcceptContact, "Accept-Contact", 'a'},
    {HeaderId::kAllow, "Allow", '\0'},
    {HeaderId::kAllowEvents, "Allow-Events", 'u'},
    {HeaderId::kAuthenticationInfo, "Authentication-Info", '\0'},
    {HeaderId::kAuthorization, "Authorization", '\0'},
    {HeaderId::kCallId, "Call-ID", 'i'},
    {HeaderId::kContact, "Contact", 'm'},
    {HeaderId::kContentDisposition, "Content-Disposition", '\0'},
    {HeaderId::kContentEncoding, "Content-Encoding", 'e'},
    {HeaderId::kContentLength, "Content-Length", 'l'},
    {HeaderId::kContentType, "Content-Type", 'c'},
    {HeaderId::kCSeq, "CSeq", '\0'},
    {HeaderId::kDate, "Date", '\0'},
    {HeaderId::kEvent, "Event", 'o'},
    {HeaderId::kExpires, "Expires", '\0'},
    {HeaderId::kFrom, "From", 'f'},
    {HeaderId::kIdentity, "Identity", 'y'},
    {HeaderId::kMaxForwards, "Max-Forwards", '\0'},
    {HeaderId::kMinExpires, "Min-Expires", '\0'},
    {HeaderId::kProxyAuthenticate, "Proxy-Authenticate", '\0'},
    {HeaderId::kProxyAuthorization, "Proxy-Authorization", '\0'},
    {HeaderId::kProxyRequire, "Proxy-Require", '\0'},
    {HeaderId::kRecordRoute, "Record-Route", '\0'},
    {HeaderId::kReferTo, "Refer-To", 'r'},
    {HeaderId::kReferredBy, "Referred-By", 'b'},
    {HeaderId::kRejectContact, "Reject-Contact", 'j'},
    {HeaderId::kRequestDisposition, "Request-Disposition", 'd'},
    {HeaderId::kRequire, "Require", '\0'},
    {HeaderId::kRetryAfter, "Retry-After", '\0'},
    {HeaderId::kRoute, "Route", '\0'},
    {HeaderId::kServer, "Server", '\0'},
    {HeaderId::kSessionExpires, "Session-Expires", 'x'},
    {HeaderId::kSubject, "Subject", 's'},
    {HeaderId::kSupported, "Supported", 'k'},
    {HeaderId::kTo, "To", 't'},
    {HeaderId::kUnsupported, "Unsupported", '\0'},
    {HeaderId::kUserAgent, "User-Agent", '\0'},
    {HeaderId::kVia, "Via", 'v'},
    {HeaderId::kWwwAuthenticate, "WWW-Authenticate", '\0'},
}};

static_assert([] {
  for (std::size_t i = 0; i < kSpellings.size(); ++i) {
    if (static_cast<std::size_t>(kSpellings[i].id) != i) return false;
  }
  return true;
}());

// Index of full names by length and lower-cased first letter, built at
// compile time, so a lookup compares the name with at most two candidates.
constexpr std::size_t kMaxNameLength = 20;
constexpr std::size_t kCandidates = 2;

struct NameIndex {
  std::array<std::array<std::array<HeaderId, kCandidates>, 26>, kMaxNameLength> by_length{};
  std::array<HeaderId, 26> by_compact{};
};

constexpr NameIndex make_index() {
  NameIndex index{};
  for (const HeaderSpelling& spelling : kSpellings) {
    if (spelling.id == HeaderId::kUnknown) continue;
    const int letter = charset::to_lower(spelling.name[0]) - 'a';
    auto& slots = index.by_length[spelling.name.size()][letter];
    std::size_t used = 0;
    while (slots[used] != HeaderId::kUnknown) ++used;  // past the end fails to compile
    slots[used] = spelling.id;
    if (spelling.compact != '\0') index.by_compact[spelling.compact - 'a'] = spelling.id;
  }
  return index;
}

inline constexpr NameIndex kIndex = make_index();

// lookup_header, defined here so that it inlines into the parser.
inline HeaderId find_header_id(std::string_view name) {
  if (name.empty() || name.size() >= kMaxNameLength) return HeaderId::kUnknown;
  // Setting bit 0x20 lowers a letter; no other byte lands on 'a' to 'z'.
  const auto letter = static_cast<unsigned>((name[0] | 0x20) - 'a');
  if (letter >= 26) return HeaderId::kUnknown;
  if (name.size() == 1) return kIndex.by_compact[letter];
  // Canonical names contain only letters and "-", as token_iequals requires.
  const auto& candidates = kIndex.by_length[name.size()][letter];
  const auto matches = [name](HeaderId id) {
    return id != HeaderId::kUnknown &&
           charset::token_iequals(name, kSpellings[static_cast<std::size_t>(id)].name);
  };
  static_assert(kCandidates == 2);
  if (matches(candidates[0])) return candidates[0];
  if (matches(candidates[1])) return candidates[1];
  return HeaderId::kUnknown;
}

}  // namespace sippay::sip::header_table
