#include "sip/header_grammar.hpp"

namespace sippay::sip::grammar {

std::string quote_for_error(std::string_view text) {
  constexpr std::size_t kMaxShown = 40;
  std::string out = "\"";
  for (char c : text.substr(0, kMaxShown)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F || byte == '"' || byte == '\\') {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    } else {
      out += c;
    }
  }
  if (text.size() > kMaxShown) out += "...";
  out += '"';
  return out;
}

std::string_view scan_gen_value(Scanner& s, const char*& error, bool bare_ipv6) {
  if (s.at_end()) {
    error = "missing value after '='";
    return {};
  }
  const std::size_t start = s.pos();
  if (s.peek() == '"') return s.take_quoted_string(error);
  if (s.peek() == '[') {
    HostType type = HostType::kNone;
    const std::size_t end = scan_host(s.text(), start, type);
    if (end == start) {
      error = "invalid IPv6 reference";
      return {};
    }
    s.set_pos(end);
    return s.slice(start, end);
  }
  const std::string_view token = s.take_token();
  // The bytes of a bare IPv6 address before its first ':' are hex digits,
  // which are token characters, and ':' is not one. So a bare IPv6 address
  // can start here only when the token stops at a ':'.
  if (bare_ipv6 && !s.at_end() && s.peek() == ':') {
    HostType type = HostType::kNone;
    const std::size_t end = scan_host(s.text(), start, type, true);
    if (type == HostType::kIpv6 && end != start) {
      s.set_pos(end);
      return s.slice(start, end);
    }
  }
  if (token.empty()) error = "invalid value";
  return token;
}

}  // namespace sippay::sip::grammar
