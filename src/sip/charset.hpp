// Character classes of the RFC 3261 §25.1 grammar, as 256-entry lookup
// tables so that each test is one load.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sippay::sip::charset {

enum : std::uint16_t {
  kAlpha = 1 << 0,
  kDigit = 1 << 1,
  kHexDigit = 1 << 2,
  kToken =
      1 << 3,  // token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
  kWord = 1 << 4,           // word: token characters plus ( ) < > : \ DQUOTE / [ ] ? { }
  kUnreserved = 1 << 5,     // alphanum / mark
  kUserExtra = 1 << 6,      // user-unreserved: & = + $ , ; ? /
  kPasswordExtra = 1 << 7,  // password: & = + $ ,
  kParamExtra = 1 << 8,     // param-unreserved: [ ] / : & + $
  kHeaderExtra = 1 << 9,    // hnv-unreserved: [ ] / ? : + $
  kUric = 1 << 10,          // uric: reserved / unreserved (escapes handled apart)
  kHostname = 1 << 11,      // alphanum / "-" / "."
  kSchemeTail = 1 << 12,    // alphanum / "+" / "-" / "."
  kLabel = 1 << 13,         // hostname label: alphanum / "-"
  kLowerHex = 1 << 14,      // LHEX = DIGIT / %x61-66
  // The printable ASCII of qdtext, which needs no further check in a quoted
  // string: %x20-21 / %x23-5B / %x5D-7E, so neither DQUOTE nor backslash.
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
  add(";/?:@&=+$,", kUric);               // reserved
  add("&=+$,;?/", kUserExtra);
  add("&=+$,", kPasswordExtra);
  add("[]/:&+$", kParamExtra);
  add("[]/?:+$", kHeaderExtra);
  add("-.", kHostname);
  add("+-.", kSchemeTail);
  add("-", kLabel);
  add("0123456789abcdef", kLowerHex);
  for (int c = 0x20; c <= 0x7E; ++c) {
    if (c != '"' && c != '\\') table[c] |= kQdtextPlain;
  }
  return table;
}

inline constexpr std::array<std::uint16_t, 256> kTable = make_table();

constexpr bool is(char c, std::uint16_t cls) {
  return (kTable[static_cast<unsigned char>(c)] & cls) != 0;
}

// Returns the first byte in [p, end) that is not in `cls`, or `end`. The
// main loop tests eight bytes per round and compares the cursor with a
// precomputed bound, so the loop itself costs three instructions per eight
// bytes. The fewer than eight bytes left at the end take a round of four,
// then single tests. Always inlined, so that each caller tests its constant
// class with one instruction per byte: g++ 12 otherwise stops inlining it
// into uri.cpp's parsers once that file grows.
[[gnu::always_inline]] inline const char* skip_class(const char* p, const char* end, std::uint16_t cls) {
  if (end - p >= 8) {
    const char* const last_round = end - 8;
    do {
      if (!is(p[0], cls)) return p;
      if (!is(p[1], cls)) return p + 1;
      if (!is(p[2], cls)) return p + 2;
      if (!is(p[3], cls)) return p + 3;
      if (!is(p[4], cls)) return p + 4;
      if (!is(p[5], cls)) return p + 5;
      if (!is(p[6], cls)) return p + 6;
      if (!is(p[7], cls)) return p + 7;
      p += 8;
    } while (p <= last_round);
  }
  if (end - p >= 4) {
    if (!is(p[0], cls)) return p;
    if (!is(p[1], cls)) return p + 1;
    if (!is(p[2], cls)) return p + 2;
    if (!is(p[3], cls)) return p + 3;
    p += 4;
  }
  while (p != end && is(*p, cls)) ++p;
  return p;
}

// Returns the length of the run of printable qdtext bytes at the start of
// `text` (kQdtextPlain). With SSE2, which every x86-64 CPU has, it tests 16
// bytes at a time.
inline std::size_t qdtext_run(std::string_view text) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i del = _mm_set1_epi8(0x7F);
  for (; text.size() - i >= 16; i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    // The comparison is signed, so bytes of 0x80 and above count as below 0x20.
    __m128i special = _mm_cmplt_epi8(bytes, space);
    special = _mm_or_si128(special, _mm_cmpeq_epi8(bytes, quote));
    special = _mm_or_si128(special, _mm_cmpeq_epi8(bytes, backslash));
    special = _mm_or_si128(special, _mm_cmpeq_epi8(bytes, del));
    const int mask = _mm_movemask_epi8(special);
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#endif
  while (i < text.size() && is(text[i], kQdtextPlain)) ++i;
  return i;
}

// True when every byte of `text` is LHEX (DIGIT / %x61-66), as in Digest
// responses; true for an empty text. SSE2 tests 16 bytes at a time.
inline bool all_lower_hex(std::string_view text) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i below_digits = _mm_set1_epi8('0' - 1);
  const __m128i above_digits = _mm_set1_epi8('9' + 1);
  const __m128i below_letters = _mm_set1_epi8('a' - 1);
  const __m128i above_letters = _mm_set1_epi8('f' + 1);
  for (; text.size() - i >= 16; i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    // Signed comparisons: bytes of 0x80 and above are negative and match neither range.
    const __m128i digit =
        _mm_and_si128(_mm_cmpgt_epi8(bytes, below_digits), _mm_cmplt_epi8(bytes, above_digits));
    const __m128i letter =
        _mm_and_si128(_mm_cmpgt_epi8(bytes, below_letters), _mm_cmplt_epi8(bytes, above_letters));
    if (_mm_movemask_epi8(_mm_or_si128(digit, letter)) != 0xFFFF) return false;
  }
#endif
  for (; i < text.size(); ++i) {
    if (!is(text[i], kLowerHex)) return false;
  }
  return true;
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
// at a time, by setting bit 0x20 of every byte, which turns an upper-case
// letter into lower case. A byte that then equals a letter is that letter in
// either case, and a token character (§25.1) that then equals "-", "." or a
// digit is that character. So the result equals that of `iequals` when
// `name` contains only letters, and also when `name` contains only letters,
// digits, "-" and "." and `token` is a token.
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
