// URI parsing, comparison and serialization: SIP and SIPS by RFC 3261 §19.1
// and §25.1, tel by RFC 3966, any other scheme by RFC 3986 §3.
//
// The parser makes one pass over the text with the character tables of
// charset.hpp and never allocates unless it reports an error.
#include "sip/uri.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sip/charset.hpp"

namespace sippay::sip {
namespace {

constexpr std::size_t kError = std::string_view::npos;
constexpr Uri kEmptyUri{};
constexpr std::uint32_t kMaxPort = 65535;

// §25.1 character sets of each URI part. None of them contains '%', so `scan`
// handles escapes apart.
constexpr std::uint16_t kUserChars = charset::kUnreserved | charset::kUserExtra;
constexpr std::uint16_t kPasswordChars = charset::kUnreserved | charset::kPasswordExtra;
constexpr std::uint16_t kParamChars = charset::kUnreserved | charset::kParamExtra;
constexpr std::uint16_t kHeaderChars = charset::kUnreserved | charset::kHeaderExtra;

using Ipv6Address = std::array<std::uint8_t, 16>;

bool is_visual_separator(char c) { return c == '-' || c == '.' || c == '(' || c == ')'; }

// reserved = ";" / "/" / "?" / ":" / "@" / "&" / "=" / "+" / "$" / "," (§25.1)
bool is_reserved(char c) {
  return charset::is(c, charset::kUric) && !charset::is(c, charset::kUnreserved);
}

// Appends `value` for an error message: printable ASCII as is, any other byte
// as \xNN, so that a reason never carries CR, LF or control characters.
void append_printable(std::string& out, std::string_view value) {
  constexpr std::size_t kMaxShown = 64;
  constexpr char kHex[] = "0123456789ABCDEF";
  for (std::size_t i = 0; i < value.size() && i < kMaxShown; ++i) {
    const auto byte = static_cast<unsigned char>(value[i]);
    if (byte >= 0x20 && byte < 0x7F) {
      out.push_back(value[i]);
    } else {
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xF]);
    }
  }
  if (value.size() > kMaxShown) out += "...";
}

std::string quoted(std::string_view value) {
  std::string out = "\"";
  append_printable(out, value);
  out += '"';
  return out;
}

std::string hex_byte(unsigned char byte) {
  constexpr char kHex[] = "0123456789ABCDEF";
  return {'0', 'x', kHex[byte >> 4], kHex[byte & 0xF]};
}

// Names a byte that is not allowed where it was found, for error messages.
std::string describe_byte(char c) {
  switch (c) {
    case ' ':
      return "space";
    case '\t':
      return "tab";
    case '\r':
      return "carriage return (CR)";
    case '\n':
      return "line feed (LF)";
    case '\0':
      return "NUL byte";
    default:
      break;
  }
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte == 0x7F) return "control character " + hex_byte(byte);
  if (byte >= 0x80) return "non-ASCII byte " + hex_byte(byte);
  return std::string("character '") + c + "'";
}

ParseError make_error(std::size_t offset, std::string reason) {
  ParseError error;
  error.reason = std::move(reason);
  error.offset = offset;
  return error;
}

// IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT (§25.1),
// each number 0 to 255. Leading zeros are allowed, as 1*3DIGIT allows them.
bool parse_ipv4(std::string_view s, std::array<std::uint8_t, 4>* octets) {
  std::size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= s.size() || s[i] != '.') return false;
      ++i;
    }
    const std::size_t start = i;
    unsigned value = 0;
    while (i < s.size() && charset::is_digit(s[i]) && i - start < 3) {
      value = value * 10 + static_cast<unsigned>(s[i] - '0');
      ++i;
    }
    if (i == start || value > 255) return false;
    if (octets != nullptr) (*octets)[part] = static_cast<std::uint8_t>(value);
  }
  return i == s.size();
}

// Parses IPv6address (§25.1) in the form of RFC 3986 §3.2.2: eight groups of
// 1 to 4 hex digits, of which a single "::" replaces one or more zero groups,
// and the last two groups may be written as a dotted IPv4 address.
// Returns nullptr and fills `address` when given, or returns the reason.
const char* parse_ipv6(std::string_view s, Ipv6Address* address) {
  std::array<std::uint16_t, 8> groups{};
  int count = 0;
  int gap = -1;  // index of the first group that "::" replaces
  std::size_t i = 0;
  if (s.empty()) return "the address is empty";
  if (s[0] == ':') {
    if (s.size() < 2 || s[1] != ':') return "it starts with a single ':'";
    gap = 0;
    i = 2;
  }
  while (i < s.size()) {
    if (count == 8) return "it has more than 8 groups";
    const std::size_t start = i;
    std::uint32_t value = 0;
    while (i < s.size() && charset::is_hex(s[i])) {
      value = (value << 4 | static_cast<std::uint32_t>(charset::hex_value(s[i]))) & 0xFFFFF;
      ++i;
    }
    if (i < s.size() && s[i] == '.') {
      std::array<std::uint8_t, 4> octets{};
      if (count > 6) return "it has too many groups before the IPv4 part";
      if (!parse_ipv4(s.substr(start), &octets)) return "the IPv4 part is invalid";
      groups[count++] = static_cast<std::uint16_t>(octets[0] << 8 | octets[1]);
      groups[count++] = static_cast<std::uint16_t>(octets[2] << 8 | octets[3]);
      break;
    }
    if (i == start) return "a group is empty";
    if (i - start > 4) return "a group has more than 4 hex digits";
    groups[count++] = static_cast<std::uint16_t>(value);
    if (i == s.size()) break;
    if (s[i] != ':') return "it contains a character other than hex digits, ':' and '.'";
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return "it contains '::' more than once";
      gap = count;
      ++i;
    } else if (i == s.size()) {
      return "it ends with a single ':'";
    }
  }
  if (gap < 0 && count != 8) return "it does not have 8 groups";
  if (gap >= 0 && count > 7) return "'::' must replace at least one group";

  if (address != nullptr) {
    std::array<std::uint16_t, 8> expanded{};
    const int tail = gap < 0 ? 0 : count - gap;
    for (int g = 0; g < count - tail; ++g) expanded[g] = groups[g];
    for (int g = 0; g < tail; ++g) expanded[8 - tail + g] = groups[gap + g];
    for (std::size_t g = 0; g < expanded.size(); ++g) {
      (*address)[2 * g] = static_cast<std::uint8_t>(expanded[g] >> 8);
      (*address)[2 * g + 1] = static_cast<std::uint8_t>(expanded[g] & 0xFF);
    }
  }
  return nullptr;
}

struct HostnameScan {
  std::size_t end = 0;              // first byte after the host
  HostType type = HostType::kNone;  // kNone when `error` is set
  const char* error = nullptr;
};

bool is_digits_and_dots(std::string_view s) {
  for (char c : s) {
    if (!charset::is_digit(c) && c != '.') return false;
  }
  return true;
}

// Scans a hostname or IPv4address (§25.1) starting at `pos`:
//   hostname    = *( domainlabel "." ) toplabel [ "." ]
//   domainlabel = alphanum / alphanum *( alphanum / "-" ) alphanum
//   toplabel    = ALPHA / ALPHA *( alphanum / "-" ) alphanum
// A toplabel starts with a letter, so a host whose last label starts with a
// digit is an IPv4 address or invalid. RFC 3966 domainname has the same
// grammar.
HostnameScan scan_hostname(std::string_view s, std::size_t pos) {
  HostnameScan scan;
  bool top_alpha = false;  // the last label starts with a letter
  const char* const begin = s.data();
  const char* const end = begin + s.size();
  const char* p = begin + pos;
  while (true) {
    const char* const label = p;
    p = charset::skip_class(p, end, charset::kLabel);
    const bool dot = p != end && *p == '.';
    if (p == label) {
      if (!dot) break;  // the end of the host, after a trailing dot or at `pos`
      if (scan.error == nullptr) scan.error = "a label is empty";
    } else {
      if (*label == '-' && scan.error == nullptr) scan.error = "a label starts with '-'";
      if (p[-1] == '-' && scan.error == nullptr) scan.error = "a label ends with '-'";
      top_alpha = charset::is_alpha(*label);
    }
    if (!dot) break;
    ++p;
  }
  const auto i = static_cast<std::size_t>(p - begin);
  scan.end = i;
  if (scan.error != nullptr || i == pos) return scan;

  if (top_alpha) {
    scan.type = HostType::kHostname;
  } else if (parse_ipv4(s.substr(pos, i - pos), nullptr)) {
    scan.type = HostType::kIpv4;
  } else if (is_digits_and_dots(s.substr(pos, i - pos))) {
    scan.error = "an IPv4 address must be four numbers from 0 to 255";
  } else {
    scan.error = "the last label must start with a letter";
  }
  return scan;
}

// Returns the port that the digits in [digits, end) write, or -1 when there
// are none, more than five or the value exceeds 65535.
int port_value(const char* digits, const char* end) {
  if (digits == end || end - digits > 5) return -1;
  int value = 0;
  for (const char* p = digits; p != end; ++p) value = value * 10 + (*p - '0');
  return value <= static_cast<int>(kMaxPort) ? value : -1;
}

// Returns the end of the hostname that starts at `p`, or null when the text
// there is not a plain hostname. A plain hostname is labels of alphanum and
// "-" that neither start nor end with "-", joined by single dots. Its last
// label starts with a letter, and no dot follows it. scan_hostname reads
// such a host alike.
const char* skip_plain_hostname(const char* p, const char* end) {
  while (true) {
    const char* const label = p;
    p = charset::skip_class(p, end, charset::kLabel);
    if (p == label || *label == '-' || p[-1] == '-') return nullptr;
    if (p == end || *p != '.') return charset::is_alpha(*label) ? p : nullptr;
    ++p;
  }
}

// Parses the common form of a SIP or SIPS URI in one pass: an optional user
// part of user characters, a hostname or IPv4 address, an optional port and
// parameters, with no escapes, password, IPv6 reference or headers. Returns
// false, with `uri` partly written, for any other text, which the full
// parser then reads. The result equals the full parser's wherever this
// returns true, so it never accepts what that parser would reject.
bool parse_common_sip_uri(std::string_view text, Uri& uri) {
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const char* p = begin;
  // token_iequals equals iequals here because the names are all letters.
  if (text.size() > 4 && text[3] == ':' && charset::token_iequals(text.substr(0, 3), "sip")) {
    uri.scheme = UriScheme::kSip;
    p += 4;
  } else if (text.size() > 5 && text[4] == ':' &&
             charset::token_iequals(text.substr(0, 4), "sips")) {
    uri.scheme = UriScheme::kSips;
    p += 5;
  } else {
    return false;
  }
  uri.scheme_text = {begin, static_cast<std::size_t>(p - begin - 1)};

  // userinfo: the run of user characters is the user part when '@' ends it.
  // Otherwise a later '@' makes the URI one for the full parser.
  const char* const user_end = charset::skip_class(p, end, kUserChars);
  if (user_end != end && *user_end == '@') {
    if (user_end == p) return false;
    uri.user = {p, static_cast<std::size_t>(user_end - p)};
    uri.has_user = true;
    p = user_end + 1;
  } else if (user_end != end &&
             (*user_end == '%' ||
              std::memchr(user_end, '@', static_cast<std::size_t>(end - user_end)))) {
    return false;
  }

  const char* const host = p;
  p = skip_plain_hostname(p, end);
  if (p != nullptr) {
    uri.host_type = HostType::kHostname;
  } else {
    // An IPv4 address is the other host the common form admits.
    p = charset::skip_class(host, end, charset::kDigit | charset::kHostname);
    if (!parse_ipv4({host, static_cast<std::size_t>(p - host)}, nullptr)) return false;
    uri.host_type = HostType::kIpv4;
  }
  uri.host = {host, static_cast<std::size_t>(p - host)};

  if (p != end && *p == ':') {
    const char* const digits = p + 1;
    p = charset::skip_class(digits, end, charset::kDigit);
    const int port = port_value(digits, p);
    if (port < 0) return false;
    uri.port = static_cast<std::uint16_t>(port);
    uri.has_port = true;
  }

  const char* const params = p;
  while (p != end && *p == ';') {
    const char* const name = p + 1;
    p = charset::skip_class(name, end, kParamChars);
    if (p == name) return false;
    if (p != end && *p == '=') {
      const char* const value = p + 1;
      p = charset::skip_class(value, end, kParamChars);
      if (p == value) return false;
    }
  }
  if (p != end) return false;
  uri.params = ParamList({params, static_cast<std::size_t>(p - params)}, ParamList::Style::kUri);
  uri.headers = ParamList({p, 0}, ParamList::Style::kUriHeaders);
  return true;
}

// Parser state for one URI. Each step returns false after recording an error.
class UriParser {
 public:
  UriParser(std::string_view text, std::size_t base, Uri& uri)
      : text_(text), base_(base), uri_(uri) {}

  bool parse_scheme();
  bool parse_sip(std::size_t pos);
  bool parse_tel(std::size_t pos);
  bool parse_other(std::size_t pos);
  ParseError take_error() { return std::move(*error_); }

 private:
  bool parse_userinfo();
  bool parse_host();
  bool parse_ipv6_reference();
  bool parse_port();
  bool parse_uri_params();
  bool parse_uri_headers();
  bool parse_tel_number();
  bool parse_tel_params();
  bool parse_tel_param(std::string_view& name);
  bool check_tel_param(std::string_view name, std::string_view value, std::size_t value_pos);

  // Returns the end of the run of `cls` bytes and `%` HEXDIG HEXDIG escapes
  // that starts at `pos`, or kError after recording a `%` that is not followed
  // by two hex digits. Defined here so that the loop inlines into each caller.
  std::size_t scan(std::size_t pos, std::uint16_t cls) {
    const char* const begin = text_.data();
    const char* const end = begin + text_.size();
    const char* const p = charset::skip_class(begin + pos, end, cls);
    if (p != end && *p == '%') return scan_escapes(static_cast<std::size_t>(p - begin), cls);
    return static_cast<std::size_t>(p - begin);
  }
  std::size_t scan_escapes(std::size_t pos, std::uint16_t cls);
  std::size_t scan_isub_value(std::size_t pos);
  [[nodiscard]] char at(std::size_t pos) const { return pos < text_.size() ? text_[pos] : '\0'; }
  // text_[from, to) without the bounds check of substr. REQUIRES: from <= to <= text_.size().
  [[nodiscard]] std::string_view view(std::size_t from, std::size_t to) const {
    return {text_.data() + from, to - from};
  }
  [[nodiscard]] bool at_end(std::size_t pos) const { return pos >= text_.size(); }
  bool fail(std::size_t pos, std::string reason);
  bool fail_char(std::size_t pos, std::string_view part, bool escapable);

  std::string_view text_;
  std::size_t base_;
  Uri& uri_;
  std::size_t pos_ = 0;
  std::optional<ParseError> error_;  // empty until an error: a ParseError builds two strings
};

bool UriParser::fail(std::size_t pos, std::string reason) {
  error_ = make_error(base_ + pos, std::move(reason));
  return false;
}

// Reports the byte at `pos`, which is not allowed in `part` (empty for the
// URI as a whole). A part that may hold escapes gets the escape to write
// instead.
bool UriParser::fail_char(std::size_t pos, std::string_view part, bool escapable) {
  if (at_end(pos)) return fail(pos, "unexpected end of URI");
  const char c = text_[pos];
  std::string reason = "invalid " + describe_byte(c) + " in ";
  reason += part.empty() ? "URI" : std::string(part) + " of URI";
  if (escapable && c != '%') {
    constexpr char kHex[] = "0123456789ABCDEF";
    const auto byte = static_cast<unsigned char>(c);
    reason += ": escape it as %";
    reason.push_back(kHex[byte >> 4]);
    reason.push_back(kHex[byte & 0xF]);
  }
  return fail(pos, std::move(reason));
}

// Continues `scan` at the `%` at `pos`: checks each escape and scans on.
std::size_t UriParser::scan_escapes(std::size_t pos, std::uint16_t cls) {
  const char* const begin = text_.data();
  const char* const end = begin + text_.size();
  const char* p = begin + pos;
  while (p != end && *p == '%') {
    if (end - p < 3 || !charset::is_hex(p[1]) || !charset::is_hex(p[2])) {
      const auto escape_pos = static_cast<std::size_t>(p - begin);
      fail(escape_pos, "invalid escape " + quoted(text_.substr(escape_pos, 3)) +
                           " in URI: '%' must be followed by two hex digits");
      return kError;
    }
    p = charset::skip_class(p + 3, end, cls);
  }
  return static_cast<std::size_t>(p - begin);
}

// Returns the end of an isdn-subaddress value, 1*uric (RFC 3966 §3), at `pos`,
// or kError. uric includes ';', but here ';' starts the next parameter. The
// three classes together hold uric without ';' and '@', plus the '[' and ']'
// of paramchar, so '@' is taken apart.
std::size_t UriParser::scan_isub_value(std::size_t pos) {
  constexpr std::uint16_t kIsubCharsWithoutAt =
      kParamChars | charset::kHeaderExtra | charset::kPasswordExtra;
  while (true) {
    pos = scan(pos, kIsubCharsWithoutAt);
    if (pos == kError || at(pos) != '@') return pos;
    ++pos;
  }
}

// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (§25.1, RFC 3986 §3.1),
// compared without regard to case.
bool UriParser::parse_scheme() {
  if (text_.empty()) return fail(0, "empty URI");
  if (!charset::is_alpha(text_[0])) {
    return fail(0, "invalid URI " + quoted(text_) + ": the scheme must start with a letter");
  }
  std::size_t i = 1;
  while (i < text_.size() && charset::is(text_[i], charset::kSchemeTail)) ++i;
  if (at_end(i)) return fail(i, "missing ':' after the scheme in URI " + quoted(text_));
  if (text_[i] != ':') return fail_char(i, "scheme", false);

  uri_.scheme_text = view(0, i);
  // token_iequals equals iequals here because the names are all letters.
  if (charset::token_iequals(uri_.scheme_text, "sip")) {
    uri_.scheme = UriScheme::kSip;
    return parse_sip(i + 1);
  }
  if (charset::token_iequals(uri_.scheme_text, "sips")) {
    uri_.scheme = UriScheme::kSips;
    return parse_sip(i + 1);
  }
  if (charset::token_iequals(uri_.scheme_text, "tel")) {
    uri_.scheme = UriScheme::kTel;
    return parse_tel(i + 1);
  }
  uri_.scheme = UriScheme::kOther;
  return parse_other(i + 1);
}

// SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ] (§25.1)
bool UriParser::parse_sip(std::size_t pos) {
  pos_ = pos;
  if (!parse_userinfo()) return false;
  if (!parse_host()) return false;
  if (at(pos_) == ':' && !parse_port()) return false;
  if (!parse_uri_params()) return false;
  if (!parse_uri_headers()) return false;
  if (!at_end(pos_)) return fail_char(pos_, "", true);
  return true;
}

// userinfo = ( user / telephone-subscriber ) [ ":" password ] "@" (§25.1).
// A telephone-subscriber in the user part escapes every character that user
// does not allow (§19.1.6), so the user character set covers both forms.
//
// The text is read as a userinfo up to the first byte that cannot continue
// one. Unless that byte is '@', the URI has no userinfo and parse_host reads
// the same bytes again. No part after the userinfo may hold a bare '@', so a
// later '@' means that the byte is invalid inside the userinfo.
bool UriParser::parse_userinfo() {
  const std::size_t user_end = scan(pos_, kUserChars);
  if (user_end == kError) return false;
  const bool has_password = at(user_end) == ':';
  std::size_t end = user_end;
  if (has_password) {
    end = scan(user_end + 1, kPasswordChars);
    if (end == kError) return false;
  }
  if (at(end) != '@' || at_end(end)) {
    if (at_end(end) || text_.find('@', end) == std::string_view::npos) return true;
    return fail_char(end, has_password ? "password" : "user part", true);
  }

  if (user_end == pos_) return fail(pos_, "empty user part before '@' in URI");
  uri_.user = view(pos_, user_end);
  uri_.has_user = true;
  if (has_password) {
    uri_.password = view(user_end + 1, end);
    uri_.has_password = true;
  }
  pos_ = end + 1;
  return true;
}

// host = hostname / IPv4address / IPv6reference (§25.1)
bool UriParser::parse_host() {
  const char first = at(pos_);
  if (at_end(pos_) || first == ':' || first == ';' || first == '?') {
    return fail(pos_, "missing host in URI");
  }
  if (first == '[') return parse_ipv6_reference();

  const HostnameScan scan = scan_hostname(text_, pos_);
  if (scan.end == pos_) return fail_char(pos_, "host", false);
  const std::string_view host = view(pos_, scan.end);
  if (scan.error != nullptr) {
    return fail(pos_, "invalid host " + quoted(host) + " in URI: " + scan.error);
  }
  uri_.host = host;
  uri_.host_type = scan.type;
  pos_ = scan.end;
  const char next = at(pos_);
  if (!at_end(pos_) && next != ':' && next != ';' && next != '?') {
    return fail_char(pos_, "host", false);
  }
  return true;
}

// IPv6reference = "[" IPv6address "]" (§25.1). `host` keeps the brackets.
bool UriParser::parse_ipv6_reference() {
  std::size_t i = pos_ + 1;
  while (i < text_.size() && (charset::is_hex(text_[i]) || text_[i] == ':' || text_[i] == '.')) ++i;
  if (at_end(i)) return fail(pos_, "missing ']' after IPv6 address in URI");
  if (text_[i] != ']') return fail_char(i, "IPv6 address", false);

  const std::string_view address = text_.substr(pos_ + 1, i - pos_ - 1);
  if (const char* reason = parse_ipv6(address, nullptr); reason != nullptr) {
    return fail(pos_ + 1, "invalid IPv6 address " + quoted(address) + " in URI: " + reason);
  }
  uri_.host = text_.substr(pos_, i + 1 - pos_);
  uri_.host_type = HostType::kIpv6;
  pos_ = i + 1;
  const char next = at(pos_);
  if (!at_end(pos_) && next != ':' && next != ';' && next != '?') {
    return fail_char(pos_, "host", false);
  }
  return true;
}

// port = 1*DIGIT (§25.1), which must fit the 16 bits of a TCP or UDP port.
bool UriParser::parse_port() {
  const std::size_t start = ++pos_;
  std::uint32_t value = 0;
  while (!at_end(pos_) && charset::is_digit(text_[pos_])) {
    value = std::min<std::uint32_t>(value * 10 + static_cast<std::uint32_t>(text_[pos_] - '0'),
                                    kMaxPort + 1);
    ++pos_;
  }
  const char next = at(pos_);
  if (!at_end(pos_) && next != ';' && next != '?') return fail_char(pos_, "port", false);
  if (pos_ == start) return fail(start, "missing port number after ':' in URI");
  if (value > kMaxPort) {
    return fail(start, "invalid port " + quoted(text_.substr(start, pos_ - start)) +
                           " in URI: must be 0 to 65535");
  }
  uri_.port = static_cast<std::uint16_t>(value);
  uri_.has_port = true;
  return true;
}

// uri-parameters = *( ";" uri-parameter ), each pname [ "=" pvalue ] with
// pname = 1*paramchar and pvalue = 1*paramchar (§25.1). The named forms
// (transport-param, ttl-param and the others) are all other-param as well.
// NOTE: a repeated parameter name is accepted, although §19.1.1 says that a
// name MUST NOT appear more than once; ParamList::find returns the first.
bool UriParser::parse_uri_params() {
  const std::size_t start = pos_;
  while (at(pos_) == ';') {
    const std::size_t name_start = ++pos_;
    const std::size_t name_end = scan(name_start, kParamChars);
    if (name_end == kError) return false;
    const char after_name = at(name_end);
    if (name_end == name_start) {
      if (at_end(name_end) || after_name == ';' || after_name == '?' || after_name == '=') {
        return fail(name_start, "empty parameter name after ';' in URI");
      }
      return fail_char(name_end, "parameter name", true);
    }
    pos_ = name_end;
    if (after_name == '=') {
      const std::size_t value_end = scan(++pos_, kParamChars);
      if (value_end == kError) return false;
      if (value_end == pos_ && (at_end(pos_) || at(pos_) == ';' || at(pos_) == '?')) {
        return fail(pos_, "empty value for URI parameter " +
                              quoted(text_.substr(name_start, name_end - name_start)));
      }
      pos_ = value_end;
    }
    const char next = at(pos_);
    if (!at_end(pos_) && next != ';' && next != '?') return fail_char(pos_, "parameter", true);
  }
  uri_.params = ParamList(view(start, pos_), ParamList::Style::kUri);
  return true;
}

// headers = "?" header *( "&" header ), header = hname "=" hvalue, with
// hname = 1*( hnv-unreserved / unreserved / escaped ) and hvalue the same but
// possibly empty (§25.1).
bool UriParser::parse_uri_headers() {
  const std::size_t start = pos_;
  if (at(pos_) == '?') {
    do {
      const std::size_t name_start = ++pos_;
      const std::size_t name_end = scan(name_start, kHeaderChars);
      if (name_end == kError) return false;
      if (name_end == name_start) {
        if (at_end(name_end) || at(name_end) == '&' || at(name_end) == '=') {
          return fail(name_start, "empty header name in URI");
        }
        return fail_char(name_end, "header name", true);
      }
      if (at(name_end) != '=') {
        if (!at_end(name_end) && at(name_end) != '&') {
          return fail_char(name_end, "header name", true);
        }
        return fail(name_end, "missing '=' after header name " +
                                  quoted(text_.substr(name_start, name_end - name_start)) +
                                  " in URI");
      }
      const std::size_t value_end = scan(name_end + 1, kHeaderChars);
      if (value_end == kError) return false;
      pos_ = value_end;
      if (!at_end(pos_) && text_[pos_] != '&') return fail_char(pos_, "header value", true);
    } while (!at_end(pos_));
  }
  uri_.headers = ParamList(view(start, pos_), ParamList::Style::kUriHeaders);
  return true;
}

// telephone-uri = "tel:" telephone-subscriber (RFC 3966 §3), where
// telephone-subscriber = global-number / local-number, each number followed
// by its parameters. A local number needs a phone-context parameter.
bool UriParser::parse_tel(std::size_t pos) {
  pos_ = pos;
  if (!parse_tel_number()) return false;
  if (!parse_tel_params()) return false;
  uri_.headers = ParamList(text_.substr(text_.size(), 0), ParamList::Style::kUriHeaders);
  return true;
}

// global-number-digits = "+" *phonedigit DIGIT *phonedigit
// local-number-digits  = *phonedigit-hex ( HEXDIG / "*" / "#" ) *phonedigit-hex
// with visual-separator = "-" / "." / "(" / ")" (RFC 3966 §3).
bool UriParser::parse_tel_number() {
  const std::size_t start = pos_;
  const bool global = at(pos_) == '+';
  if (global) ++pos_;
  bool has_digit = false;
  while (!at_end(pos_)) {
    const char c = text_[pos_];
    const bool digit = global ? charset::is_digit(c) : (charset::is_hex(c) || c == '*' || c == '#');
    if (!digit && !is_visual_separator(c)) break;
    has_digit = has_digit || digit;
    ++pos_;
  }
  if (!at_end(pos_) && text_[pos_] != ';') return fail_char(pos_, "telephone number", false);
  if (pos_ == start) return fail(start, "missing telephone number in tel URI");
  if (!has_digit) {
    return fail(start, "invalid telephone number " + quoted(text_.substr(start, pos_ - start)) +
                           " in tel URI: it has no digits");
  }
  uri_.user = text_.substr(start, pos_ - start);
  uri_.has_user = true;
  return true;
}

// par = parameter / extension / isdn-subaddress / context (RFC 3966 §3),
// with the cursor at the ';' before the first one or at the end.
bool UriParser::parse_tel_params() {
  const std::size_t start = pos_;
  bool has_context = false;
  while (!at_end(pos_)) {
    std::string_view name;
    if (!parse_tel_param(name)) return false;
    has_context = has_context || charset::iequals(name, "phone-context");
  }
  if (uri_.user.front() != '+' && !has_context) {
    const auto number_pos = static_cast<std::size_t>(uri_.user.data() - text_.data());
    return fail(number_pos, "local number " + quoted(uri_.user) +
                                " in tel URI requires a phone-context parameter");
  }
  uri_.params = ParamList(view(start, pos_), ParamList::Style::kUri);
  return true;
}

// parameter = ";" pname [ "=" pvalue ], pname = 1*( alphanum / "-" ) and
// pvalue = 1*paramchar (RFC 3966 §3), with the cursor at the ';'. Sets `name`
// and leaves the cursor at the next ';' or the end.
bool UriParser::parse_tel_param(std::string_view& name) {
  const std::size_t name_start = ++pos_;
  while (!at_end(pos_) &&
         (charset::is(text_[pos_], charset::kAlpha | charset::kDigit) || text_[pos_] == '-')) {
    ++pos_;
  }
  name = text_.substr(name_start, pos_ - name_start);
  if (!at_end(pos_) && text_[pos_] != '=' && text_[pos_] != ';') {
    return fail_char(pos_, "parameter name", false);
  }
  if (name.empty()) return fail(name_start, "empty parameter name after ';' in tel URI");

  if (at(pos_) != '=') {
    const bool value_required = charset::iequals(name, "phone-context") ||
                                charset::iequals(name, "ext") || charset::iequals(name, "isub");
    if (value_required) return fail(pos_, "missing value for tel URI parameter " + quoted(name));
    return true;
  }
  const std::size_t value_start = ++pos_;
  const std::size_t value_end = charset::iequals(name, "isub") ? scan_isub_value(value_start)
                                                               : scan(value_start, kParamChars);
  if (value_end == kError) return false;
  if (!at_end(value_end) && text_[value_end] != ';') {
    return fail_char(value_end, "parameter value", true);
  }
  const std::string_view value = text_.substr(value_start, value_end - value_start);
  if (value.empty()) return fail(value_start, "empty value for tel URI parameter " + quoted(name));
  pos_ = value_end;
  return check_tel_param(name, value, value_start);
}

// context    = ";phone-context=" descriptor, descriptor = domainname / global-number-digits
// extension  = ";ext=" 1*phonedigit (RFC 3966 §3)
bool UriParser::check_tel_param(std::string_view name, std::string_view value,
                                std::size_t value_pos) {
  const auto digits_with_separators = [](std::string_view digits) {
    bool has_digit = false;
    for (char c : digits) {
      if (!charset::is_digit(c) && !is_visual_separator(c)) return false;
      has_digit = has_digit || charset::is_digit(c);
    }
    return has_digit;
  };
  if (charset::iequals(name, "phone-context")) {
    bool valid = false;
    if (value.front() == '+') {
      valid = digits_with_separators(value.substr(1));
    } else {
      const HostnameScan domain = scan_hostname(value, 0);
      valid = domain.end == value.size() && domain.type == HostType::kHostname;
    }
    if (!valid) {
      return fail(value_pos, "invalid phone-context " + quoted(value) +
                                 " in tel URI: must be a domain name or a '+' global number");
    }
  } else if (charset::iequals(name, "ext") && !digits_with_separators(value)) {
    return fail(value_pos, "invalid ext " + quoted(value) + " in tel URI: must be digits");
  }
  return true;
}

// absolute-URI = scheme ":" hier-part [ "?" query ] (RFC 3986 §4.3), kept as
// written: every byte after the colon must be unreserved, reserved or an
// escape, and there must be at least one.
bool UriParser::parse_other(std::size_t pos) {
  std::size_t i = pos;
  while (!at_end(i)) {
    const char c = text_[i];
    // RFC 3986 reserved adds '#', '[' and ']' to the RFC 2396 set in kUric.
    if (charset::is(c, charset::kUric) || c == '#' || c == '[' || c == ']') {
      ++i;
      continue;
    }
    if (c != '%') return fail_char(i, "", true);
    if (text_.size() - i < 3 || !charset::is_hex(text_[i + 1]) || !charset::is_hex(text_[i + 2])) {
      return fail(i, "invalid escape " + quoted(text_.substr(i, 3)) +
                         " in URI: '%' must be followed by two hex digits");
    }
    i += 3;
  }
  if (i == pos) return fail(pos, "missing text after " + quoted(text_) + " in URI");
  uri_.opaque = text_.substr(pos);
  uri_.params = ParamList(text_.substr(text_.size(), 0), ParamList::Style::kUri);
  uri_.headers = ParamList(text_.substr(text_.size(), 0), ParamList::Style::kUriHeaders);
  return true;
}

// Reads one character of escaped text at `i` and moves past it. An escaped
// reserved character comes back as 0x100 + its byte, so that it differs from
// the bare character: §19.1.4 makes only characters outside "reserved"
// equivalent to their escapes.
int next_decoded(std::string_view s, std::size_t& i, bool ignore_case) {
  char c = s[i];
  if (c == '%' && s.size() - i >= 3 && charset::is_hex(s[i + 1]) && charset::is_hex(s[i + 2])) {
    c = static_cast<char>(charset::hex_value(s[i + 1]) * 16 + charset::hex_value(s[i + 2]));
    i += 3;
    if (is_reserved(c)) return 0x100 + static_cast<unsigned char>(c);
  } else {
    ++i;
  }
  return static_cast<unsigned char>(ignore_case ? charset::to_lower(c) : c);
}

// Compares two escaped strings character by character after decoding.
bool escaped_equal(std::string_view a, std::string_view b, bool ignore_case) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    if (next_decoded(a, i, ignore_case) != next_decoded(b, j, ignore_case)) return false;
  }
  return i == a.size() && j == b.size();
}

// A parameter or header as §19.1.4 compares it: name and value decoded by
// next_decoded and lower-cased. Two parameters match when their keys are
// equal, so sorted keys let a comparison look each one up in O(log n)
// instead of scanning the other URI's list.
struct ParamKey {
  std::u16string name;
  bool has_value = false;
  std::u16string value;

  auto operator<=>(const ParamKey&) const = default;
};

std::u16string decode_lower(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) out.push_back(static_cast<char16_t>(next_decoded(s, i, true)));
  return out;
}

ParamKey make_key(const Param& param) {
  return {decode_lower(param.name), param.has_value, decode_lower(param.value)};
}

std::vector<ParamKey> sorted_keys(const ParamList& list) {
  std::vector<ParamKey> keys;
  for (const Param& param : list) keys.push_back(make_key(param));
  std::sort(keys.begin(), keys.end());
  return keys;
}

bool name_less(const ParamKey& a, const ParamKey& b) { return a.name < b.name; }

// True for the uri-parameters that §19.1.4 compares even when only one URI
// has them: user, ttl, method and maddr by the text, and transport because
// its examples treat `;transport=udp` and no transport as different.
bool is_always_compared(const std::u16string& decoded_name) {
  for (std::u16string_view always : {u"user", u"ttl", u"method", u"maddr", u"transport"}) {
    if (decoded_name == always) return true;
  }
  return false;
}

// Checks the §19.1.4 rules for the parameters of `a` against the sorted keys
// of `b`. A parameter present in both must match, and one of the
// is_always_compared parameters must be present in both. Any other parameter
// present in `a` only is ignored. A name that `b` repeats matches when any of
// its values does, so that a list with a repeated name still equals itself.
bool sip_params_covered(const std::vector<ParamKey>& a, const std::vector<ParamKey>& b) {
  for (const ParamKey& key : a) {
    const auto [first, last] = std::equal_range(b.begin(), b.end(), key, name_less);
    if (first == last) {
      if (is_always_compared(key.name)) return false;
      continue;
    }
    if (!std::binary_search(first, last, key)) return false;
  }
  return true;
}

// §19.1.4 rules for the parameters of both URIs, O(n log n) in their number.
bool sip_params_equivalent(const ParamList& a, const ParamList& b) {
  if (a.empty() && b.empty()) return true;
  const std::vector<ParamKey> keys_a = sorted_keys(a);
  const std::vector<ParamKey> keys_b = sorted_keys(b);
  return sip_params_covered(keys_a, keys_b) && sip_params_covered(keys_b, keys_a);
}

// §19.1.4: every header of either URI must be in the other, in any order.
// Headers are compared as multisets, so `?a=1&a=1` differs from `?a=1`.
// Values are compared without regard to case, the §19.1.4 rule for every
// component other than userinfo.
bool sip_headers_equivalent(const ParamList& a, const ParamList& b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sorted_keys(a) == sorted_keys(b);
}

// Compares hosts without regard to case. IPv6 references are compared as
// 128-bit addresses, so [::1] equals [0:0:0:0:0:0:0:1].
bool hosts_equivalent(const Uri& a, const Uri& b) {
  if (a.host_type != b.host_type) return false;
  if (a.host_type != HostType::kIpv6) return charset::iequals(a.host, b.host);
  Ipv6Address address_a{};
  Ipv6Address address_b{};
  const bool parsed_a = parse_ipv6(a.host.substr(1, a.host.size() - 2), &address_a) == nullptr;
  const bool parsed_b = parse_ipv6(b.host.substr(1, b.host.size() - 2), &address_b) == nullptr;
  return parsed_a && parsed_b && address_a == address_b;
}

// §19.1.4 rules for SIP and SIPS URIs of the same scheme.
bool sip_equivalent(const Uri& a, const Uri& b) {
  // userinfo is compared with case, everything else without.
  if (a.has_user != b.has_user || !escaped_equal(a.user, b.user, false)) return false;
  if (a.has_password != b.has_password || !escaped_equal(a.password, b.password, false)) {
    return false;
  }
  if (!hosts_equivalent(a, b)) return false;
  // An absent port differs from any port, the default 5060 included.
  if (a.has_port != b.has_port || a.port != b.port) return false;
  return sip_params_equivalent(a.params, b.params) && sip_headers_equivalent(a.headers, b.headers);
}

// Compares phone digits without regard to visual separators or case.
bool phone_digits_equal(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (true) {
    while (i < a.size() && is_visual_separator(a[i])) ++i;
    while (j < b.size() && is_visual_separator(b[j])) ++j;
    if (i == a.size() || j == b.size()) return i == a.size() && j == b.size();
    if (charset::to_lower(a[i]) != charset::to_lower(b[j])) return false;
    ++i;
    ++j;
  }
}

// The phone digits of `text` for comparison: visual separators removed and
// letters lower-cased, so that phone_digits_equal(a, b) is
// phone_digits(a) == phone_digits(b).
std::u16string phone_digits(std::string_view text) {
  std::u16string out;
  out.reserve(text.size());
  for (char c : text) {
    if (!is_visual_separator(c)) out.push_back(static_cast<char16_t>(charset::to_lower(c)));
  }
  return out;
}

// True when the value of `param` is phone digits: that of ext, and that of a
// phone-context holding a global number.
bool has_digits_value(const Param& param) {
  return charset::iequals(param.name, "ext") ||
         (charset::iequals(param.name, "phone-context") && param.value.starts_with('+'));
}

// The parameters of a tel URI, sorted two ways for lookups: by name and
// phone digits, for a parameter whose value has_digits_value compares as
// phone digits, and by ParamKey for the others.
struct TelParamIndex {
  std::vector<std::pair<std::u16string, std::u16string>> by_digits;
  std::vector<ParamKey> by_key;

  explicit TelParamIndex(const ParamList& params) {
    for (const Param& param : params) {
      by_digits.emplace_back(decode_lower(param.name), phone_digits(param.value));
      by_key.push_back(make_key(param));
    }
    std::sort(by_digits.begin(), by_digits.end());
    std::sort(by_key.begin(), by_key.end());
  }

  // True when a parameter of the index has the name of `param` and a value
  // equal to its value. has_digits_value(param) alone decides whether the
  // values compare as phone digits, whatever the name of the other parameter
  // is as written.
  bool contains(const Param& param) const {
    if (has_digits_value(param)) {
      return std::binary_search(by_digits.begin(), by_digits.end(),
                                std::pair(decode_lower(param.name), phone_digits(param.value)));
    }
    return std::binary_search(by_key.begin(), by_key.end(), make_key(param));
  }
};

// RFC 3966 §4: both numbers global or both local, equal digits apart from
// visual separators, and the same set of parameters with equal values, all
// compared without regard to case. O(n log n) in the number of parameters.
bool tel_equivalent(const Uri& a, const Uri& b) {
  if (a.user.starts_with('+') != b.user.starts_with('+')) return false;
  if (!phone_digits_equal(a.user, b.user)) return false;
  if (a.params.empty() && b.params.empty()) return true;
  const TelParamIndex index_a(a.params);
  const TelParamIndex index_b(b.params);
  for (const Param& param : a.params) {
    if (!index_b.contains(param)) return false;
  }
  for (const Param& param : b.params) {
    if (!index_a.contains(param)) return false;
  }
  return true;
}

void append_lower(std::string& out, std::string_view text) {
  for (char c : text) out.push_back(charset::to_lower(c));
}

}  // namespace

Result<Uri> parse_uri(std::string_view text, std::size_t base) {
  // The parser fills the Uri inside the result, and every path returns that
  // same object, so the Uri is never copied after parsing. Copying kEmptyUri
  // in took less than half the time of zeroing a new Uri in a loop of calls
  // built by g++ 12 and clang++ 14 at -O2. g++ zeroes with `rep stos`, and
  // the loads that follow it stall.
  Result<Uri> result{kEmptyUri};
  Uri& uri = result.value();
  uri.text = text;
  if (parse_common_sip_uri(text, uri)) return result;
  uri = kEmptyUri;
  uri.text = text;
  UriParser parser(text, base, uri);
  if (!parser.parse_scheme()) result = parser.take_error();
  return result;
}

std::optional<ParseError> parse_uri_into(std::string_view text, std::size_t base, Uri& uri) {
  uri = kEmptyUri;
  return parse_uri_into_empty(text, base, uri);
}

std::optional<ParseError> parse_uri_into_empty(std::string_view text, std::size_t base, Uri& uri) {
  uri.text = text;
  if (parse_common_sip_uri(text, uri)) return std::nullopt;
  uri = kEmptyUri;
  uri.text = text;
  UriParser parser(text, base, uri);
  if (!parser.parse_scheme()) return parser.take_error();
  return std::nullopt;
}

bool uri_equivalent(const Uri& a, const Uri& b) {
  if (a.scheme != b.scheme) return false;  // sip and sips never match (§19.1.4)
  switch (a.scheme) {
    case UriScheme::kSip:
    case UriScheme::kSips:
      return sip_equivalent(a, b);
    case UriScheme::kTel:
      return tel_equivalent(a, b);
    case UriScheme::kOther:
      break;
  }
  return charset::iequals(a.scheme_text, b.scheme_text) && a.opaque == b.opaque;
}

void append_uri(std::string& out, const Uri& uri) {
  out.reserve(out.size() + uri.text.size() + 8);
  switch (uri.scheme) {
    case UriScheme::kSip:
    case UriScheme::kSips:
      out += uri.scheme == UriScheme::kSip ? "sip:" : "sips:";
      if (uri.has_user) {
        out += uri.user;
        if (uri.has_password) {
          out += ':';
          out += uri.password;
        }
        out += '@';
      }
      append_lower(out, uri.host);
      if (uri.has_port) {
        std::array<char, 8> digits{};
        const auto result = std::to_chars(digits.data(), digits.data() + digits.size(), uri.port);
        out += ':';
        out.append(digits.data(), result.ptr);
      }
      out += uri.params.raw();
      out += uri.headers.raw();
      return;
    case UriScheme::kTel:
      out += "tel:";
      out += uri.user;
      out += uri.params.raw();
      return;
    case UriScheme::kOther:
      append_lower(out, uri.scheme_text);
      out += ':';
      out += uri.opaque;
      return;
  }
}

std::string to_string(const Uri& uri) {
  std::string out;
  append_uri(out, uri);
  return out;
}

std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && text.size() - i >= 3 && charset::is_hex(text[i + 1]) &&
        charset::is_hex(text[i + 2])) {
      out.push_back(static_cast<char>(charset::hex_value(text[i + 1]) * 16 +
                                      charset::hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace sippay::sip
