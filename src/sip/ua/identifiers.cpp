#include "sip/ua/identifiers.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

#include "sip/transaction/transaction_key.hpp"

namespace sippay::sip {

std::string random_hex(std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::array<unsigned char, 64> buffer{};
  if (bytes > buffer.size() || RAND_bytes(buffer.data(), static_cast<int>(bytes)) != 1) {
    // The CSPRNG failing is not a condition a SIP element can work around.
    throw std::runtime_error("OpenSSL RAND_bytes failed: no randomness for SIP identifiers");
  }
  std::string out;
  out.reserve(bytes * 2);
  for (std::size_t i = 0; i < bytes; ++i) {
    out.push_back(kHex[buffer[i] >> 4]);
    out.push_back(kHex[buffer[i] & 0xF]);
  }
  return out;
}

std::string new_branch() { return std::string(kMagicCookie) + random_hex(16); }

std::string new_tag() { return random_hex(8); }

std::string new_call_id(std::string_view host) {
  std::string id = random_hex(16);
  if (!host.empty()) {
    id.push_back('@');
    id.append(host);
  }
  return id;
}

}  // namespace sippay::sip
