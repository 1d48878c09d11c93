#include "sip/auth/nonce.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace sippay::sip {
namespace {

constexpr std::size_t kTimeBytes = 8;
constexpr std::size_t kRandomBytes = 8;
constexpr std::size_t kMacBytes = 16;
constexpr std::size_t kSignedBytes = kTimeBytes + kRandomBytes + 1;  // time, random, algorithm
constexpr std::size_t kNonceBytes = kSignedBytes + kMacBytes;
constexpr std::size_t kNonceChars = kNonceBytes / 3 * 4;  // 33 bytes: no padding
static_assert(kNonceBytes % 3 == 0);

constexpr std::size_t kMaxServerSecretBytes = 4096;
constexpr unsigned char kSessionFlag = 0x80;

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode_base64url(const unsigned char* data, std::size_t size) {
  std::string out;
  out.reserve(size / 3 * 4);
  for (std::size_t i = 0; i + 3 <= size; i += 3) {
    const std::uint32_t group =
        (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    out.push_back(kBase64Url[(group >> 18) & 0x3F]);
    out.push_back(kBase64Url[(group >> 12) & 0x3F]);
    out.push_back(kBase64Url[(group >> 6) & 0x3F]);
    out.push_back(kBase64Url[group & 0x3F]);
  }
  return out;
}

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// Decodes exactly kNonceChars base64url characters. Returns false for any
// other input.
bool decode_nonce(std::string_view text, std::array<unsigned char, kNonceBytes>& out) {
  if (text.size() != kNonceChars) return false;
  for (std::size_t i = 0, o = 0; i < text.size(); i += 4, o += 3) {
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const int value = base64url_value(text[i + k]);
      if (value < 0) return false;
      group = (group << 6) | static_cast<std::uint32_t>(value);
    }
    out[o] = static_cast<unsigned char>(group >> 16);
    out[o + 1] = static_cast<unsigned char>(group >> 8);
    out[o + 2] = static_cast<unsigned char>(group);
  }
  return true;
}

std::optional<DigestAlgorithmSpec> algorithm_from_byte(unsigned char byte) {
  const bool session = (byte & kSessionFlag) != 0;
  switch (byte & ~kSessionFlag) {
    case static_cast<unsigned char>(DigestAlgorithm::kMd5):
      return DigestAlgorithmSpec{DigestAlgorithm::kMd5, session};
    case static_cast<unsigned char>(DigestAlgorithm::kSha256):
      return DigestAlgorithmSpec{DigestAlgorithm::kSha256, session};
    case static_cast<unsigned char>(DigestAlgorithm::kSha512_256):
      return DigestAlgorithmSpec{DigestAlgorithm::kSha512_256, session};
    default:
      return std::nullopt;
  }
}

unsigned char algorithm_to_byte(DigestAlgorithmSpec spec) {
  return static_cast<unsigned char>(static_cast<unsigned char>(spec.algorithm) |
                                    (spec.session ? kSessionFlag : 0));
}

std::uint64_t issued_at_of(const NonceId& id) {
  std::uint64_t issued_at = 0;
  for (std::size_t i = 0; i < kTimeBytes; ++i) issued_at = (issued_at << 8) | id[i];
  return issued_at;
}

std::uint64_t seconds_since_epoch(AuthClock::time_point now) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  return seconds.count() < 0 ? 0 : static_cast<std::uint64_t>(seconds.count());
}

// The first kMacBytes of HMAC-SHA256(secret, signed_part || realm).
std::array<unsigned char, kMacBytes> compute_mac(const std::vector<unsigned char>& secret,
                                                 const unsigned char* signed_part,
                                                 std::string_view realm) {
  std::string input(reinterpret_cast<const char*>(signed_part), kSignedBytes);
  input.append(realm);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
           &mac_size) == nullptr) {
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed while signing a Digest nonce");
  }
  std::array<unsigned char, kMacBytes> truncated{};
  std::copy_n(mac, kMacBytes, truncated.begin());
  return truncated;
}

}  // namespace

std::vector<unsigned char> generate_server_secret() {
  std::vector<unsigned char> secret(kMinServerSecretBytes);
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
    throw std::runtime_error(
        "OpenSSL RAND_bytes failed: no randomness for the Digest nonce secret");
  }
  return secret;
}

std::vector<unsigned char> load_server_secret(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw std::runtime_error(
        fmt::format("cannot open the Digest nonce secret file {}", path.string()));
  }
  std::vector<unsigned char> secret;
  char c = 0;
  while (file.get(c)) {
    if (secret.size() == kMaxServerSecretBytes + 2) break;  // room for "\r\n"
    secret.push_back(static_cast<unsigned char>(c));
  }
  if (file.bad()) {
    throw std::runtime_error(
        fmt::format("cannot read the Digest nonce secret file {}", path.string()));
  }
  if (!secret.empty() && secret.back() == '\n') {
    secret.pop_back();
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  }
  if (secret.size() < kMinServerSecretBytes || secret.size() > kMaxServerSecretBytes) {
    OPENSSL_cleanse(secret.data(), secret.size());
    throw std::runtime_error(
        fmt::format("the Digest nonce secret file {} must contain {} to {} bytes; create one with "
                    "`openssl rand -hex 32 > {}`",
                    path.string(), kMinServerSecretBytes, kMaxServerSecretBytes, path.string()));
  }
  return secret;
}

NonceManager::NonceManager(std::vector<unsigned char> secret, AuthClock::time_point now,
                           NonceConfig config)
    : secret_(std::move(secret)), config_(config) {
  if (secret_.size() < kMinServerSecretBytes) {
    throw std::invalid_argument(
        fmt::format("the Digest nonce secret must be at least {} bytes", kMinServerSecretBytes));
  }
  if (config_.lifetime <= std::chrono::seconds(0) || config_.max_tracked_nonces == 0) {
    throw std::invalid_argument("the nonce lifetime and max_tracked_nonces must be positive");
  }
  const std::uint64_t start = seconds_since_epoch(now);
  forgotten_through_ = start == 0 ? 0 : start - 1;
}

NonceManager::~NonceManager() { OPENSSL_cleanse(secret_.data(), secret_.size()); }

std::string NonceManager::issue(std::string_view realm, DigestAlgorithmSpec algorithm,
                                AuthClock::time_point now) const {
  std::array<unsigned char, kNonceBytes> bytes{};
  const std::uint64_t issued_at = seconds_since_epoch(now);
  for (std::size_t i = 0; i < kTimeBytes; ++i) {
    bytes[i] = static_cast<unsigned char>(issued_at >> (8 * (kTimeBytes - 1 - i)));
  }
  if (RAND_bytes(bytes.data() + kTimeBytes, kRandomBytes) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed: no randomness for a Digest nonce");
  }
  bytes[kTimeBytes + kRandomBytes] = algorithm_to_byte(algorithm);
  const auto mac = compute_mac(secret_, bytes.data(), realm);
  std::copy(mac.begin(), mac.end(), bytes.begin() + kSignedBytes);
  return encode_base64url(bytes.data(), bytes.size());
}

NonceCheck NonceManager::check(std::string_view nonce, std::string_view realm,
                               AuthClock::time_point now) const {
  NonceCheck result;
  std::array<unsigned char, kNonceBytes> bytes{};
  if (!decode_nonce(nonce, bytes)) return result;
  const auto mac = compute_mac(secret_, bytes.data(), realm);
  if (CRYPTO_memcmp(mac.data(), bytes.data() + kSignedBytes, kMacBytes) != 0) return result;
  // The MAC covers the algorithm byte, so an unknown value means a secret
  // shared with a newer version of this code.
  const auto algorithm = algorithm_from_byte(bytes[kTimeBytes + kRandomBytes]);
  if (!algorithm) return result;

  result.algorithm = *algorithm;
  std::copy_n(bytes.begin(), result.id.size(), result.id.begin());
  result.issued_at = issued_at_of(result.id);
  result.status = is_expired(result.issued_at, now) ? NonceStatus::kExpired : NonceStatus::kValid;
  return result;
}

bool NonceManager::is_expired(std::uint64_t issued_at, AuthClock::time_point now) const {
  const std::uint64_t current = seconds_since_epoch(now);
  // A nonce from the future means the clock stepped back. Expiring it makes
  // the client fetch a nonce that the current clock dates correctly.
  if (issued_at > current) return true;
  return current - issued_at > static_cast<std::uint64_t>(config_.lifetime.count());
}

void NonceManager::forget_oldest() {
  const auto oldest = used_.begin();
  forgotten_through_ = std::max(forgotten_through_, issued_at_of(oldest->first));
  used_.erase(oldest);
}

void NonceManager::forget_expired(AuthClock::time_point now) {
  // Raising forgotten_through_ here too keeps an expired nonce rejected even
  // if the clock later steps back into its lifetime. Entries dated after
  // `now` stay, because the clock stepped back and they are not old.
  const std::uint64_t current = seconds_since_epoch(now);
  while (!used_.empty()) {
    const std::uint64_t issued_at = issued_at_of(used_.begin()->first);
    if (issued_at > current || !is_expired(issued_at, now)) break;
    forget_oldest();
  }
}

NonceUse NonceManager::record_use(const NonceCheck& nonce, std::optional<std::uint32_t> nonce_count,
                                  AuthClock::time_point now) {
  if (nonce.status != NonceStatus::kValid) {
    throw std::logic_error("NonceManager::record_use needs a nonce whose check() was kValid");
  }
  forget_expired(now);

  const auto found = used_.find(nonce.id);
  if (found != used_.end()) {
    Use& use = found->second;
    if (use.used_without_qop || !nonce_count || *nonce_count <= use.highest_nonce_count) {
      return NonceUse::kReplayed;
    }
    use.highest_nonce_count = *nonce_count;
    return NonceUse::kAccepted;
  }

  if (nonce.issued_at <= forgotten_through_) return NonceUse::kForgotten;
  Use use;
  if (nonce_count) {
    use.highest_nonce_count = *nonce_count;
  } else {
    use.used_without_qop = true;
  }
  used_.emplace(nonce.id, use);
  if (used_.size() > config_.max_tracked_nonces) {
    // When the new nonce is itself the oldest, it is the one forgotten.
    const bool new_nonce_is_oldest = used_.begin()->first == nonce.id;
    forget_oldest();
    if (new_nonce_is_oldest) return NonceUse::kForgotten;
  }
  return NonceUse::kAccepted;
}

}  // namespace sippay::sip
