#include "sip/ua/identifiers.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "sip/transaction/transaction_key.hpp"

namespace sippay::sip {

namespace {

// Random bytes drawn from OpenSSL 4 KiB at a time: one RAND_bytes call costs
// about as much as building a request, and every request needs several ids.
class RandomPool {
 public:
  void fill(unsigned char* out, std::size_t count) {
    if (count > pool_.size()) throw std::runtime_error("random_hex: at most 4096 bytes at a time");
    if (used_ + count > pool_.size()) refill();
    std::copy_n(pool_.begin() + static_cast<std::ptrdiff_t>(used_), count, out);
    // Bytes handed out are wiped so that no identifier stays in the pool.
    std::fill_n(pool_.begin() + static_cast<std::ptrdiff_t>(used_), count, 0);
    used_ += count;
  }

 private:
  void refill() {
    if (RAND_bytes(pool_.data(), static_cast<int>(pool_.size())) != 1) {
      // The CSPRNG failing is not a condition a SIP element can work around.
      throw std::runtime_error("OpenSSL RAND_bytes failed: no randomness for SIP identifiers");
    }
    used_ = 0;
  }

  std::array<unsigned char, 4096> pool_{};
  std::size_t used_ = 4096;
};

}  // namespace

std::string random_hex(std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  thread_local RandomPool pool;
  std::array<unsigned char, 64> buffer{};
  if (bytes > buffer.size()) throw std::runtime_error("random_hex: at most 64 bytes at a time");
  pool.fill(buffer.data(), bytes);
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
