// Server nonces for Digest authentication: issued without server state,
// checked with an HMAC, and tracked after first use to reject replays.
//
// A nonce is the base64url encoding (RFC 4648 §5, no padding, 44 characters)
// of 33 bytes:
//
//   issued_at (8, big-endian seconds since the Unix epoch)
//   random (8)
//   algorithm (1: DigestAlgorithm value, plus 0x80 for a "-sess" variant)
//   HMAC-SHA256(secret, issued_at || random || algorithm || realm), first 16 bytes
//
// so a nonce is bound to its issue time, its realm, the algorithm of the
// challenge that carried it and the server secret.
//
// Thread safety: none. Each NonceManager belongs to one thread.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/auth/digest.hpp"

namespace sippay::sip {

using AuthClock = std::chrono::system_clock;

// Minimum length of the HMAC key that signs nonces, in bytes.
inline constexpr std::size_t kMinServerSecretBytes = 32;

// Returns kMinServerSecretBytes bytes from OpenSSL's RAND_bytes. A server that
// generates its secret at start invalidates every nonce of its previous run,
// which costs each client one extra challenge.
std::vector<unsigned char> generate_server_secret();

// Reads the server secret from `path`: the file's bytes, without one trailing
// "\n" or "\r\n". Create one with `openssl rand -hex 32 > FILE`. Throws
// std::runtime_error naming the file when it cannot be read, is shorter than
// kMinServerSecretBytes or longer than 4,096 bytes. The error never contains
// the secret.
std::vector<unsigned char> load_server_secret(const std::filesystem::path& path);

struct NonceConfig {
  // How long after issue a nonce is accepted. After that it is stale.
  std::chrono::seconds lifetime{300};
  // Maximum number of nonces whose highest nonce-count is kept. Size it to
  // the peak rate of successful authentications times `lifetime`. Beyond it
  // the oldest nonce is forgotten, and its next use is rejected as stale.
  std::size_t max_tracked_nonces = 100'000;
};

enum class NonceStatus : unsigned char {
  kValid,
  kExpired,  // MAC valid, but older than the lifetime or issued in the future
  kInvalid,  // not a nonce this server issued for this realm with this secret
};

// Issue time and random part of a nonce, its identity in the replay table.
// The big-endian time first makes the table's order the issue order.
using NonceId = std::array<unsigned char, 16>;

struct NonceCheck {
  NonceStatus status = NonceStatus::kInvalid;
  DigestAlgorithmSpec algorithm;  // the algorithm bound at issue, unless kInvalid
  std::uint64_t issued_at = 0;    // seconds since the Unix epoch
  NonceId id{};
};

enum class NonceUse : unsigned char {
  kAccepted,
  kReplayed,   // the nonce-count is not above the highest seen, or a single-use nonce was reused
  kForgotten,  // not in the table but issued at or before the last eviction or the start
};

class NonceManager {
 public:
  // `secret` must hold at least kMinServerSecretBytes bytes, else this throws
  // std::invalid_argument. `now` is the start time: nonces issued before its
  // second (by an earlier run with the same secret) count as forgotten, since
  // their nonce-counts were not kept.
  NonceManager(std::vector<unsigned char> secret, AuthClock::time_point now,
               NonceConfig config = {});
  ~NonceManager();
  NonceManager(const NonceManager&) = delete;
  NonceManager& operator=(const NonceManager&) = delete;
  NonceManager(NonceManager&&) noexcept = default;
  NonceManager& operator=(NonceManager&&) noexcept = default;

  // Creates a nonce for `realm` bound to `algorithm`.
  std::string issue(std::string_view realm, DigestAlgorithmSpec algorithm,
                    AuthClock::time_point now) const;

  // Decodes `nonce` (without quotes) and checks its MAC for `realm`, then its
  // age. Reads no table state.
  NonceCheck check(std::string_view nonce, std::string_view realm, AuthClock::time_point now) const;

  // Records a use of a nonce whose check() returned kValid, after the
  // response was verified. `nonce_count` is the nc parameter, or nullopt for
  // a request without qop (RFC 2069 compatibility), which may use a nonce
  // only once. A use is accepted when its nonce-count is above every count
  // seen for that nonce, which then becomes the highest. A rejected use
  // changes nothing. Also drops expired nonces from the table.
  NonceUse record_use(const NonceCheck& nonce, std::optional<std::uint32_t> nonce_count,
                      AuthClock::time_point now);

  std::size_t tracked_nonces() const { return used_.size(); }
  const NonceConfig& config() const { return config_; }

 private:
  struct Use {
    std::uint32_t highest_nonce_count = 0;
    bool used_without_qop = false;
  };

  bool is_expired(std::uint64_t issued_at, AuthClock::time_point now) const;
  void forget_expired(AuthClock::time_point now);
  void forget_oldest();

  std::vector<unsigned char> secret_;
  NonceConfig config_;
  std::map<NonceId, Use> used_;  // ordered by issue time, oldest first
  // Nonces issued at or before this second and absent from `used_` may have
  // been used and forgotten, so they are not accepted.
  std::uint64_t forgotten_through_ = 0;
};

}  // namespace sippay::sip
