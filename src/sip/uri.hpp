// URIs in SIP messages: SIP and SIPS URIs (RFC 3261 §19.1, grammar §25.1),
// tel URIs (RFC 3966) and, for any other scheme, absolute URIs kept as they
// were written (RFC 3986).
//
// A Uri is a set of views into the text it was parsed from; the caller keeps
// that text alive. Escapes (`%41`) stay in the views; `unescape` decodes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sip/params.hpp"
#include "sip/parse_error.hpp"

namespace sippay::sip {

enum class UriScheme : std::uint8_t { kSip, kSips, kTel, kOther };

enum class HostType : std::uint8_t {
  kNone,      // tel and other schemes
  kHostname,  // a domain name
  kIpv4,      // dotted quad
  kIpv6,      // IPv6 reference, brackets included in `host`
};

struct Uri {
  UriScheme scheme = UriScheme::kOther;
  std::string_view scheme_text;  // as written, for example "SIP" or "im"
  std::string_view text;         // the whole URI as written

  // sip and sips: userinfo, escapes kept. tel: `user` is the telephone
  // number (global "+..." or local), without its parameters.
  std::string_view user;
  std::string_view password;
  bool has_user = false;
  bool has_password = false;

  std::string_view host;  // sip and sips only
  HostType host_type = HostType::kNone;
  std::uint16_t port = 0;
  bool has_port = false;

  ParamList params;   // uri-parameters (`;transport=tcp;lr`); tel parameters
  ParamList headers;  // sip and sips `?subject=x&priority=urgent`

  // Other schemes: everything after "scheme:".
  std::string_view opaque;

  bool is_sip_or_sips() const { return scheme == UriScheme::kSip || scheme == UriScheme::kSips; }
};

// Parses a complete URI. `base` is the offset of `text` in the message, used
// for error positions. A URI with an unknown scheme is accepted as an
// absolute URI when it matches RFC 3986's grammar.
Result<Uri> parse_uri(std::string_view text, std::size_t base = 0);
// The same, into `uri`, which is reset first: for a Uri inside a larger
// value, which this fills without a copy. Returns the error, after which
// `uri` is partly filled.
std::optional<ParseError> parse_uri_into(std::string_view text, std::size_t base, Uri& uri);
// The same without the reset, for a `uri` that is still as default-constructed.
std::optional<ParseError> parse_uri_into_empty(std::string_view text, std::size_t base, Uri& uri);

// Compares two URIs by the rules of RFC 3261 §19.1.4 for sip and sips, RFC
// 3966 §4 for tel, and byte equality after the scheme otherwise.
bool uri_equivalent(const Uri& a, const Uri& b);

// Appends the canonical form of `uri`: the scheme in lower case, the host in
// lower case, everything else as written. Parsing the output gives an equal URI.
void append_uri(std::string& out, const Uri& uri);
std::string to_string(const Uri& uri);

// Decodes `%XX` escapes. Input that the parser accepted is always well formed.
std::string unescape(std::string_view text);

}  // namespace sippay::sip
