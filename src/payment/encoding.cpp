#include "payment/encoding.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace sippay::payment {
namespace {

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The value of each base64 character, -1 for every other byte.
constexpr std::array<signed char, 256> kBase64Values = [] {
  std::array<signed char, 256> values{};
  values.fill(-1);
  for (int i = 0; i < 64; ++i) values[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<signed char>(i);
  return values;
}();

int base64_value(char c) { return kBase64Values[static_cast<unsigned char>(c)]; }

// EVP_EncodeBlock takes an int length.
constexpr std::size_t kMaxBase64Input = std::size_t{1} << 30;

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
  if (bytes.size() > kMaxBase64Input) throw std::length_error("to_base64: input larger than 1 GiB");
  // EVP_EncodeBlock writes the padded text without line breaks, plus a NUL.
  std::string text((bytes.size() + 2) / 3 * 4 + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  text.resize(static_cast<std::size_t>(length));
  return text;
}

// OpenSSL's EVP_DecodeBlock skips whitespace and does not check the bits
// that padding leaves over, so the strict decoder is written out here.
std::optional<std::string> from_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  if (text.empty()) return std::string();
  // Padding: one or two '=' at the very end, nowhere else.
  std::size_t padding = 0;
  if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::string bytes(text.size() / 4 * 3 - padding, '\0');
  auto* out = reinterpret_cast<unsigned char*>(bytes.data());
  const std::size_t full_end = padding == 0 ? text.size() : text.size() - 4;
  for (std::size_t i = 0; i < full_end; i += 4, out += 3) {
    const int a = base64_value(text[i]);
    const int b = base64_value(text[i + 1]);
    const int c = base64_value(text[i + 2]);
    const int d = base64_value(text[i + 3]);
    if ((a | b | c | d) < 0) return std::nullopt;
    const unsigned value = static_cast<unsigned>(a) << 18 | static_cast<unsigned>(b) << 12 |
                           static_cast<unsigned>(c) << 6 | static_cast<unsigned>(d);
    out[0] = static_cast<unsigned char>(value >> 16);
    out[1] = static_cast<unsigned char>(value >> 8);
    out[2] = static_cast<unsigned char>(value);
  }
  if (padding == 0) return bytes;
  // The last group: "xx==" or "xxx=".
  const std::size_t i = full_end;
  const int a = base64_value(text[i]);
  const int b = base64_value(text[i + 1]);
  const int c = padding == 1 ? base64_value(text[i + 2]) : 0;
  if ((a | b | c) < 0) return std::nullopt;
  const unsigned value = static_cast<unsigned>(a) << 18 | static_cast<unsigned>(b) << 12 | static_cast<unsigned>(c) << 6;
  // The bits that padding leaves over must be zero (RFC 4648 §3.5).
  if (padding == 2 && (value & 0xffff) != 0) return std::nullopt;
  if (padding == 1 && (value & 0xff) != 0) return std::nullopt;
  out[0] = static_cast<unsigned char>(value >> 16);
  if (padding == 1) out[1] = static_cast<unsigned char>(value >> 8);
  return bytes;
}

}  // namespace sippay::payment
