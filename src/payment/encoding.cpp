#include "payment/encoding.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace sippay::payment {
namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int lower_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

Sha256Digest sha256(std::string_view bytes) {
  Sha256Digest digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size()) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  return digest;
}

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    hex.push_back(kDigits[data[i] >> 4]);
    hex.push_back(kDigits[data[i] & 0x0f]);
  }
  return hex;
}

std::optional<Sha256Digest> sha256_from_hex(std::string_view hex) {
  if (hex.size() != kSha256Bytes * 2) return std::nullopt;
  Sha256Digest digest{};
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const int high = lower_hex_value(hex[2 * i]);
    const int low = lower_hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    digest[i] = static_cast<unsigned char>((high << 4) | low);
  }
  return digest;
}

std::string to_base64(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned value = static_cast<unsigned char>(bytes[i]) << 16 |
                           static_cast<unsigned char>(bytes[i + 1]) << 8 |
                           static_cast<unsigned char>(bytes[i + 2]);
    text.push_back(kBase64Alphabet[(value >> 18) & 63]);
    text.push_back(kBase64Alphabet[(value >> 12) & 63]);
    text.push_back(kBase64Alphabet[(value >> 6) & 63]);
    text.push_back(kBase64Alphabet[value & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned value = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) value |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    text.push_back(kBase64Alphabet[(value >> 18) & 63]);
    text.push_back(kBase64Alphabet[(value >> 12) & 63]);
    text.push_back(rest == 2 ? kBase64Alphabet[(value >> 6) & 63] : '=');
    text.push_back('=');
  }
  return text;
}

std::optional<std::string> from_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    int values[4];
    int padding = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + static_cast<std::size_t>(k)];
      if (c == '=' && last && k >= 2) {
        values[k] = 0;
        ++padding;
        continue;
      }
      // A character after padding, or padding anywhere else, is invalid.
      if (padding > 0) return std::nullopt;
      values[k] = base64_value(c);
      if (values[k] < 0) return std::nullopt;
    }
    const unsigned value = static_cast<unsigned>(values[0]) << 18 |
                           static_cast<unsigned>(values[1]) << 12 |
                           static_cast<unsigned>(values[2]) << 6 | static_cast<unsigned>(values[3]);
    // The bits that padding leaves over must be zero (RFC 4648 §3.5).
    if (padding == 2 && (value & 0xffff) != 0) return std::nullopt;
    if (padding == 1 && (value & 0xff) != 0) return std::nullopt;
    bytes.push_back(static_cast<char>(value >> 16));
    if (padding < 2) bytes.push_back(static_cast<char>((value >> 8) & 0xff));
    if (padding < 1) bytes.push_back(static_cast<char>(value & 0xff));
  }
  return bytes;
}

}  // namespace sippay::payment
