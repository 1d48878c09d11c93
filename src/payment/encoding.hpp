// Byte encodings the protocol uses: SHA-256, lowercase hex and base64.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sippay::payment {

inline constexpr std::size_t kSha256Bytes = 32;
using Sha256Digest = std::array<unsigned char, kSha256Bytes>;

// SHA-256 of `bytes` exactly as given. Throws std::runtime_error when OpenSSL
// fails.
Sha256Digest sha256(std::string_view bytes);

// Lowercase hex, two digits per byte.
std::string to_hex(const unsigned char* data, std::size_t size);
inline std::string to_hex(const Sha256Digest& digest) { return to_hex(digest.data(), digest.size()); }

// Parses exactly 64 lowercase hex digits. Uppercase is rejected so that each
// digest has one spelling on the wire.
std::optional<Sha256Digest> sha256_from_hex(std::string_view hex);

// Base64 (RFC 4648 §4) with padding and no line breaks.
std::string to_base64(std::string_view bytes);

// Parses canonical base64: the standard alphabet, padding to a multiple of 4
// characters, no whitespace, and zero bits after the last byte, so each byte
// string has exactly one accepted encoding. Returns nothing otherwise.
std::optional<std::string> from_base64(std::string_view text);

}  // namespace sippay::payment
