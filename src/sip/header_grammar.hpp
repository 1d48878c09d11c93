// Grammar pieces shared by the header parsers: generic parameters, errors
// with positions, number conversion. Internal to the SIP library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sip/charset.hpp"
#include "sip/host.hpp"
#include "sip/parse_error.hpp"
#include "sip/scanner.hpp"

namespace sippay::sip::grammar {

// Converts 1*DIGIT to a number. Returns nullopt for an empty or non-digit
// string and for a value above `max`.
inline std::optional<std::uint64_t> to_unsigned(std::string_view digits, std::uint64_t max) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (!charset::is_digit(c)) return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// Quotes a piece of input for an error message, cut to a readable length.
std::string quote_for_error(std::string_view text);

// gen-value = token / host / quoted-string (§25.1). Scans one at the cursor
// and returns it, or an empty view with `error` set. With `bare_ipv6` an
// IPv6 address without brackets is one value too, as in the Via received
// parameter (§25.1 via-received).
std::string_view scan_gen_value(Scanner& s, const char*& error, bool bare_ipv6 = false);

// Scans *( SEMI generic-param ) at the cursor, calling
// `on_param(name, value, has_value, name_pos)` for each; `on_param` returns
// an error to stop the scan. Stops before a COMMA when `stop_at_comma`, and
// at the end of the text. The value of the parameter named `bare_ipv6_param`
// may be a bare IPv6 address.
template <typename OnParam>
std::optional<ParseError> scan_generic_params(Scanner& s, bool stop_at_comma, OnParam&& on_param,
                                              std::string_view bare_ipv6_param = {}) {
  while (true) {
    const std::size_t before = s.pos();
    if (!s.consume_separator(';')) {
      s.set_pos(before);
      s.skip_lws();
      if (s.at_end() || (stop_at_comma && s.peek() == ',')) {
        s.set_pos(before);
        return std::nullopt;
      }
      return s.error(std::string("unexpected ") + quote_for_error(s.rest().substr(0, 1)) +
                     " where a ';' parameter or the end was expected");
    }
    const std::size_t name_pos = s.pos();
    const std::string_view name = s.take_token();
    if (name.empty()) return s.error("missing parameter name after ';'");
    std::string_view value;
    bool has_value = false;
    if (s.consume_separator('=')) {
      const std::size_t value_pos = s.pos();
      const bool bare_ipv6 = !bare_ipv6_param.empty() && charset::iequals(name, bare_ipv6_param);
      const char* error = nullptr;
      value = scan_gen_value(s, error, bare_ipv6);
      if (error != nullptr) {
        return s.error_at(value_pos, std::string(error) + " in parameter " + quote_for_error(name));
      }
      has_value = true;
    }
    if (auto e = on_param(name, value, has_value, name_pos)) return e;
  }
}

}  // namespace sippay::sip::grammar
