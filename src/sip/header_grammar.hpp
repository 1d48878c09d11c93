// Grammar pieces shared by the header parsers: generic parameters, errors
// with positions, number conversion. Internal to the SIP library.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sip/charset.hpp"
#include "sip/headers.hpp"
#include "sip/host.hpp"
#include "sip/parse_error.hpp"
#include "sip/scanner.hpp"

namespace sippay::sip::grammar {

// Converts 1*DIGIT to a number. Returns nullopt for an empty or non-digit
// string and for a value above `max`.
inline std::optional<std::uint64_t> to_unsigned(std::string_view digits, std::uint64_t max) {
  if (digits.empty()) return std::nullopt;
  std::uint64_t value = 0;
  if (digits.size() <= 19) {
    // 19 digits stay below 10^19 < 2^64, so the sum cannot overflow.
    for (char c : digits) {
      if (!charset::is_digit(c)) return std::nullopt;
      value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (value > max) return std::nullopt;
    return value;
  }
  for (char c : digits) {
    if (!charset::is_digit(c)) return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// A fixed set of parameter names, looked up without regard to ASCII case
// with one table lookup by length and first letter and one comparison.
// The names are lower case and contain only letters, digits and "-". No two
// share both their length and their first letter. A set that breaks these
// rules fails to compile.
template <std::size_t N>
class NameIndex {
 public:
  static constexpr std::size_t kMaxLength = 16;

  consteval explicit NameIndex(const std::array<std::string_view, N>& names) : names_(names) {
    static_assert(N < 255);
    for (std::size_t i = 0; i < N; ++i) {
      const std::string_view name = names[i];
      if (name.empty() || name.size() >= kMaxLength) throw "name is empty or too long";
      for (char c : name) {
        if (!charset::is(c, charset::kLabel) || c != charset::to_lower(c)) {
          throw "name is not lower-case letters, digits and '-'";
        }
      }
      if (!charset::is_alpha(name[0])) throw "name does not start with a letter";
      std::uint8_t& slot = slots_[name.size()][name[0] - 'a'];
      if (slot != 0) throw "two names share their length and first letter";
      slot = static_cast<std::uint8_t>(i + 1);
    }
  }

  // Returns the position of `name` in the set, or -1.
  // REQUIRES: `name` is a token (see charset::token_iequals).
  int find(std::string_view name) const {
    if (name.empty() || name.size() >= kMaxLength) return -1;
    const unsigned letter = static_cast<unsigned>((name[0] | 0x20) - 'a');
    if (letter >= 26) return -1;
    const int index = slots_[name.size()][letter] - 1;
    if (index < 0 || !charset::token_iequals(name, names_[index])) return -1;
    return index;
  }

  // REQUIRES: 0 <= index < N.
  std::string_view name(int index) const { return names_[index]; }

 private:
  std::array<std::string_view, N> names_;
  // 1 + the position of the name of each length and first letter; 0 for none.
  std::array<std::array<std::uint8_t, 26>, kMaxLength> slots_{};
};

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
// at the end of the text. The value of the parameter named `bare_ipv6_param`,
// a name of letters, digits and "-", may be a bare IPv6 address.
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
      const bool bare_ipv6 =
          !bare_ipv6_param.empty() && charset::token_iequals(name, bare_ipv6_param);
      const char* error = nullptr;
      if (!bare_ipv6 && !s.at_end() && charset::is_token(s.peek())) {
        value = s.take_token();  // the most common value, read as scan_gen_value reads it
      } else {
        value = scan_gen_value(s, error, bare_ipv6);
      }
      if (error != nullptr) {
        return s.error_at(value_pos, std::string(error) + " in parameter " + quote_for_error(name));
      }
      has_value = true;
    }
    if (auto e = on_param(name, value, has_value, name_pos)) return e;
  }
}

}  // namespace sippay::sip::grammar

namespace sippay::sip {

// Default values to copy into a new element. g++ 12 at -O3 value-initializes
// a struct of this size with `rep stos` and copies one with SSE moves. The
// copy made bench/parse_bench.cpp about 1% faster (see docs/benchmarks.md).
inline constexpr Via kEmptyVia{};
inline constexpr NameAddr kEmptyNameAddr{};
inline constexpr Contact kEmptyContact{};
inline constexpr AuthHeader kEmptyAuthHeader{};

// In-place forms of parsers of headers.hpp, with which the message parser
// stores a value in the Message without copying it. Each fills `out`, which
// must be default-constructed, and returns the error if any. After an error
// `out` is partly filled.
std::optional<ParseError> parse_from_to_into(std::string_view value, std::size_t base,
                                             NameAddr& out);
std::optional<ParseError> parse_auth_header_into(std::string_view value, std::size_t base,
                                                 bool is_challenge, AuthHeader& out);

}  // namespace sippay::sip
