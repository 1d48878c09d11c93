// Typed values of the header fields sippay reads (RFC 3261 §20, grammar
// §25.1), and their parsers.
//
// Every value is a set of views into the message it was parsed from. Quoted
// strings keep their quotes and escapes (see `unquote`); parameters keep
// their escapes. Each parser checks the whole grammar of its header, so a
// value that parsed is well formed and later iteration cannot fail.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sip/params.hpp"
#include "sip/parse_error.hpp"
#include "sip/uri.hpp"

namespace sippay::sip {

// One via-parm of a Via header (§20.42): a hop of the request's path.
struct Via {
  std::string_view protocol_name;     // "SIP"
  std::string_view protocol_version;  // "2.0"
  std::string_view transport;         // "UDP", "TCP", "TLS", "SCTP" or another token
  std::string_view host;              // sent-by host; an IPv6 reference keeps its brackets
  HostType host_type = HostType::kNone;
  std::uint16_t port = 0;
  bool has_port = false;
  ParamList params;  // every via-param as written

  // The parameters the transaction and transport layers read (§8.1.1.7,
  // §18.2.1, RFC 3581).
  std::string_view branch;
  bool has_branch = false;
  std::string_view received;
  std::string_view maddr;
  int ttl = -1;  // -1 when absent
  bool has_rport = false;
  std::uint16_t rport = 0;  // 0 when the rport parameter has no value
  std::string_view text;    // the whole via-parm
};

// A name-addr or addr-spec with header parameters: From, To, Route,
// Record-Route, Contact and similar headers (§20.10, §20.20, §20.39).
struct NameAddr {
  std::string_view display_name;  // as written: a quoted string with quotes, or tokens; may be empty
  Uri uri;
  bool bracketed = false;  // written as name-addr (`<uri>`), not as a bare addr-spec
  ParamList params;
  std::string_view tag;  // From and To; empty when absent
  bool has_tag = false;
  std::string_view text;  // the whole element
};

// One contact-param of a Contact header (§20.10).
struct Contact {
  NameAddr address;
  std::optional<std::uint32_t> expires;  // the expires parameter, in seconds
  int q_thousandths = -1;                // the q parameter times 1000; -1 when absent
};

struct CSeq {
  std::uint32_t number = 0;  // below 2**31 (§8.1.1.5)
  std::string_view method;
};

// Content-Type (§20.15): a media type with its parameters.
struct MediaType {
  std::string_view type;
  std::string_view subtype;
  ParamList params;
};

// Content-Disposition (§20.11).
struct ContentDisposition {
  std::string_view disposition_type;  // "render", "session", "icon", "alert", "attachment", ...
  ParamList params;
  std::string_view handling;  // "optional", "required", another token, or empty when absent
};

// WWW-Authenticate and Proxy-Authenticate (a challenge), Authorization and
// Proxy-Authorization (credentials): an auth scheme and its auth-params
// (§20.27, §20.7, RFC 7616). Digest parameters a server and client read are
// picked out; every parameter remains in `params`.
struct AuthHeader {
  std::string_view scheme;  // "Digest" or another auth-scheme
  ParamList params;         // Style::kAuth
  std::string_view realm;   // quoted, as written
  std::string_view nonce;
  std::string_view opaque;
  std::string_view algorithm;  // token, for example "MD5" or "SHA-256"
  std::string_view qop;        // challenge: quoted list; credentials: token
  std::string_view stale;      // challenge only
  std::string_view domain;     // challenge only
  std::string_view username;   // credentials only
  std::string_view uri;        // credentials only (digest-uri, quoted)
  std::string_view response;   // credentials only (quoted hex)
  std::string_view cnonce;
  std::string_view nonce_count;  // "nc", 8 hex digits
  bool is_digest = false;
};

// Authentication-Info (§20.6): nextnonce, qop, rspauth, cnonce, nc.
struct AuthenticationInfo {
  ParamList params;  // Style::kAuth
  std::string_view next_nonce;
  std::string_view qop;
  std::string_view response_auth;
  std::string_view cnonce;
  std::string_view nonce_count;
};

// Date (§20.17): an RFC 1123 date, always in GMT.
struct SipDate {
  int year = 0;
  int month = 0;  // 1..12
  int day = 0;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::int64_t unix_seconds = 0;
};

// The parsers below check `value` (a header value without the name and
// colon, leading and trailing whitespace removed) against the header's
// grammar. `base` is the value's offset in the message, for error positions.
// List headers append each element to `out` and return an error or nothing.

std::optional<ParseError> parse_via(std::string_view value, std::size_t base, std::vector<Via>& out);
Result<NameAddr> parse_from_to(std::string_view value, std::size_t base);
// Route and Record-Route: name-addr only (§20.30, §20.34).
std::optional<ParseError> parse_route(std::string_view value, std::size_t base,
                                      std::vector<NameAddr>& out);
// Contact: `*` sets `star` and appends nothing (§10.2.2).
std::optional<ParseError> parse_contact(std::string_view value, std::size_t base,
                                        std::vector<Contact>& out, bool& star);
Result<std::string_view> parse_call_id(std::string_view value, std::size_t base);
Result<CSeq> parse_cseq(std::string_view value, std::size_t base);
// 1*DIGIT no larger than `max`, rejected beyond it with a message naming `what`.
Result<std::uint64_t> parse_unsigned(std::string_view value, std::size_t base, std::uint64_t max,
                                     std::string_view what);
Result<MediaType> parse_media_type(std::string_view value, std::size_t base);
Result<ContentDisposition> parse_content_disposition(std::string_view value, std::size_t base);
// Comma-separated tokens, possibly none: Require, Proxy-Require, Supported,
// Unsupported, Allow, Content-Encoding.
std::optional<ParseError> parse_token_list(std::string_view value, std::size_t base,
                                           bool allow_empty, std::vector<std::string_view>& out);
Result<AuthHeader> parse_auth_header(std::string_view value, std::size_t base, bool is_challenge);
Result<AuthenticationInfo> parse_authentication_info(std::string_view value, std::size_t base);
Result<SipDate> parse_date(std::string_view value, std::size_t base);
// User-Agent and Server: products and comments (§20.35, §20.41).
std::optional<ParseError> check_server_value(std::string_view value, std::size_t base);
// Any other header: TEXT-UTF8 and LWS only (§25.1 header-value).
std::optional<ParseError> check_header_text(std::string_view value, std::size_t base);

}  // namespace sippay::sip
