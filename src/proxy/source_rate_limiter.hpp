// Per-source-address token buckets, in the style of Kamailio's pike module:
// each source IP address may send `burst` requests at once and `rate` per
// second on average.
//
// The table of sources is bounded. Entries whose bucket has refilled are
// idle and are evicted when the table is full. When every entry is busy, a
// new source is let through untracked (and counted), so a flood from many
// addresses cannot lock out sources the table has no room for.
//
// Not thread safe.
#pragma once

#include <asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace sippay::proxy {

class SourceRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // REQUIRES: rate > 0, burst >= 1, max_sources >= 1.
  SourceRateLimiter(double rate, double burst, std::size_t max_sources);

  // Takes one token from the bucket of `source`. Returns false when it is empty.
  bool allow(const asio::ip::address& source, Clock::time_point now);

  std::size_t tracked_sources() const { return buckets_.size(); }
  // Requests let through because the table was full of busy sources.
  std::uint64_t untracked() const { return untracked_; }

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };

  void refill(Bucket& bucket, Clock::time_point now) const;
  void evict_idle(Clock::time_point now);

  double rate_;
  double burst_;
  std::size_t max_sources_;
  Clock::duration refill_time_;  // from empty to full
  std::unordered_map<asio::ip::address, Bucket> buckets_;
  std::uint64_t untracked_ = 0;
};

}  // namespace sippay::proxy
