// UTF-8 validation for the parts of a SIP message that admit non-ASCII text:
// quoted strings, comments and header values (RFC 3261 §25.1 UTF8-NONASCII).
// Internal to the SIP library.
#pragma once

#include <cstddef>
#include <string_view>

namespace sippay::sip {

// Returns the length of the well-formed UTF-8 sequence of a non-ASCII
// character at `i`, or 0. §25.1 UTF8-NONASCII follows RFC 2279 and admits
// overlong forms, surrogates and 5- and 6-byte sequences. RFC 3629 §3
// forbids them, and overlong forms can smuggle ASCII past filters, so this
// accepts only the byte ranges of the RFC 3629 §4 table.
// REQUIRES: i < text.size().
inline std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  std::size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead == 0xE0) {
    length = 3;
    second_min = 0xA0;  // no overlong forms
  } else if (lead == 0xED) {
    length = 3;
    second_max = 0x9F;  // no UTF-16 surrogates
  } else if (lead >= 0xE1 && lead <= 0xEF) {
    length = 3;
  } else if (lead == 0xF0) {
    length = 4;
    second_min = 0x90;  // no overlong forms
  } else if (lead >= 0xF1 && lead <= 0xF3) {
    length = 4;
  } else if (lead == 0xF4) {
    length = 4;
    second_max = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (text.size() - i < length) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    const auto byte = static_cast<unsigned char>(text[i + k]);
    const unsigned char min = k == 1 ? second_min : 0x80;
    const unsigned char max = k == 1 ? second_max : 0xBF;
    if (byte < min || byte > max) return 0;
  }
  return length;
}

}  // namespace sippay::sip
