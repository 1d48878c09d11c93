// The certificates that a TrustStore has verified, so that the next message
// signed with the same certificate skips the chain and CRL checks.
//
// An entry is a certificate, its intermediates and the key purpose that
// passed every check, with the time window in which all of them hold: every
// certificate of the chain and the CRL are within their validity periods.
// The other checks (signatures, revocation, key usage) do not depend on the
// time, and a new CRL comes with a new TrustStore store and so a new cache.
// Only successes are kept: a failure is checked again each time.
//
// Thread safe: a TrustStore's const verify runs on several threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sippay::security {

// Maximum number of chains in a cache. A full cache is emptied before it keeps the next chain.
inline constexpr std::size_t kMaxVerifiedChains = 1024;

class VerifiedChainCache {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  explicit VerifiedChainCache(std::size_t capacity = kMaxVerifiedChains) : capacity_(capacity) {}

  // Returns the SIP URIs of the entry for `key` when it exists and `at` is
  // inside its window, else nothing.
  std::optional<std::vector<std::string>> find(const std::string& key, TimePoint at) const;

  // Keeps a verified chain, valid from `valid_from` to `valid_until` inclusive.
  void insert(std::string key, std::vector<std::string> sip_uris, TimePoint valid_from, TimePoint valid_until);

  std::size_t size() const;

 private:
  struct Entry {
    std::vector<std::string> sip_uris;
    TimePoint valid_from;
    TimePoint valid_until;
  };

  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace sippay::security
