#include "roles/endpoint/random_ids.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace sippay::roles {

std::string RandomIds::new_id() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("the random generator failed; cannot draw an id");
  }
  // 128 bits as 22 base64url digits of 6 bits (the last holds 2 bits).
  std::string id;
  unsigned bits = 0;
  int count = 0;
  for (unsigned char byte : bytes) {
    bits = (bits << 8) | byte;
    count += 8;
    while (count >= 6) {
      count -= 6;
      id += kAlphabet[(bits >> count) & 0x3f];
    }
  }
  if (count > 0) id += kAlphabet[(bits << (6 - count)) & 0x3f];
  return id;
}

}  // namespace sippay::roles
