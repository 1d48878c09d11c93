// Character classes of the RFC 3261 §25.1 grammar, as 256-entry lookup
// tables so that each test is one load.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sippay::sip::charset {

enum : std::uint16_t {
  kAlpha = 1 << 0,
  kDigit = 1 << 1,
  kHexDigit = 1 << 2,
  kToken = 1 << 3,       // token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
  kWord = 1 << 4,        // word: token characters plus ( ) < > : \ DQUOTE / [ ] ? { }
  kUnreserved = 1 << 5,  // alphanum / mark
  kUserExtra = 1 << 6,   // user-unreserved: & = + $ , ; ? /
  kPasswordExtra = 1 << 7,  // password: & = + $ ,
  kParamExtra = 1 << 8,     // param-unreserved: [ ] / : & + $
  kHeaderExtra = 1 << 9,    // hnv-unreserved: [ ] / ? : + $
  kUric = 1 << 10,          // uric: reserved / unreserved (escapes handled apart)
  kHostname = 1 << 11,      // alphanum / "-" / "."
  kSchemeTail = 1 << 12,    // alphanum / "+" / "-" / "."
  kLabel = 1 << 13,         // hostname label: alphanum / "-"
  kLowerHex = 1 << 14,      // LHEX = DIGIT / %x61-66
  // Bytes of a quoted string that need no further check: HTAB and the
  // printable ASCII of qdtext (%x20-21 / %x23-5B / %x5D-7E), so neither DQUOTE
  // nor backslash.
  kQdtextPlain = 1 << 15,
};

constexpr std::array<std::uint16_t, 256> make_table() {
  std::array<std::uint16_t, 256> table{};
  auto add = [&table](std::string_view chars, std::uint16_t cls) {
    for (char c : chars) table[static_cast<unsigned char>(c)] |= cls;
  };
  for (int c = 'a'; c <= 'z'; ++c) table[c] |= kAlpha;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] |= kAlpha;
  for (int c = '0'; c <= '9'; ++c) table[c] |= kDigit | kHexDigit;
  add("abcdefABCDEF", kHexDigit);

  constexpr std::uint16_t kAlnumClasses =
      kToken | kWord | kUnreserved | kUric | kHostname | kSchemeTail | kLabel;
  for (int c = 0; c < 256; ++c) {
    if ((table[c] & (kAlpha | kDigit)) != 0) table[c] |= kAlnumClasses;
  }
  add("-.!%*_+`'~", kToken | kWord);
  add("()<>:\\\"/[]?{}", kWord);
  add("-_.!~*'()", kUnreserved | kUric);  // mark
  add(";/?:@&=+$,", kUric);                // reserved
  add("&=+$,;?/", kUserExtra);
  add("&=+$,", kPasswordExtra);
  add("[]/:&+$", kParamExtra);
  add("[]/?:+$", kHeaderExtra);
  add("-.", kHostname);
  add("+-.", kSchemeTail);
  add("-", kLabel);
  add("0123456789abcdef", kLowerHex);
  table['\t'] |= kQdtextPlain;
  for (int c = 0x20; c <= 0x7E; ++c) {
    if (c != '"' && c != '\\') table[c] |= kQdtextPlain;
  }
  return table;
}

inline constexpr std::array<std::uint16_t, 256> kTable = make_table();

constexpr bool is(char c, std::uint16_t cls) {
  return (kTable[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr bool is_alpha(char c) { return is(c, kAlpha); }
constexpr bool is_digit(char c) { return is(c, kDigit); }
constexpr bool is_hex(char c) { return is(c, kHexDigit); }
constexpr bool is_token(char c) { return is(c, kToken); }
constexpr bool is_word(char c) { return is(c, kWord); }
constexpr bool is_ws(char c) { return c == ' ' || c == '\t'; }

constexpr int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

// Compares `token` with `name` without regard to ASCII case, several bytes
// at a time. Setting bit 0x20 of a byte turns an upper-case letter into
// lower case and leaves digits, lower-case letters, "-" and "." as they are.
// Among token characters (§25.1) only the two cases of a letter fold to the
// same byte, so the result equals that of `iequals` when `token` is a token
// and `name` contains only letters, digits, "-" and ".".
inline bool token_iequals(std::string_view token, std::string_view name) {
  const std::size_t size = name.size();
  if (token.size() != size) return false;
  const char* a = token.data();
  const char* b = name.data();
  auto load8 = [](const char* p) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    return word | 0x2020202020202020U;
  };
  auto load4 = [](const char* p) {
    std::uint32_t word;
    std::memcpy(&word, p, sizeof word);
    return word | 0x20202020U;
  };
  if (size >= 8) {
    // Whole words, then a last word that may overlap the one before it.
    for (std::size_t i = 0; i + 8 < size; i += 8) {
      if (load8(a + i) != load8(b + i)) return false;
    }
    return load8(a + size - 8) == load8(b + size - 8);
  }
  if (size >= 4) return load4(a) == load4(b) && load4(a + size - 4) == load4(b + size - 4);
  for (std::size_t i = 0; i < size; ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}

// True when every byte of `s` belongs to `cls` and `s` is not empty.
constexpr bool all_of(std::string_view s, std::uint16_t cls) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is(c, cls)) return false;
  }
  return true;
}

}  // namespace sippay::sip::charset
