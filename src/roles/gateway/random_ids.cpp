#include "roles/gateway/random_ids.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace sippay::roles::gateway {

std::string RandomIds::new_id() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no randomness for a new id");
  }
  // 128 bits as 22 characters of 6 bits each (the last one carries 2 bits).
  std::string id;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      id.push_back(kAlphabet[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) id.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3f]);
  return id;
}

}  // namespace sippay::roles::gateway
