// A bounded cache of recently seen keys (nonces, message ids) that rejects
// a key seen before within a time window.
//
// `seen_at` must be the time the message itself states, bound to it by its
// signature (a signed timestamp), not the time it arrived: a replay carries
// the original time, so a replayed key is either still cached or too old.
//
// check_and_insert rejects with ErrorCode::replayed, in this order:
//   1. a key longer than kMaxReplayKeyBytes: too_large, and nothing is stored;
//   2. seen_at more than `window` before now: the cache may have forgotten the
//      key, so it cannot tell an old message from a replay;
//   3. seen_at more than `window` after now: a clock that far ahead would keep
//      the entry past its window and crowd out real ones;
//   4. seen_at at or before the newest entry evicted for space (the floor):
//      eviction forgot those keys, so keys that old are rejected like the
//      keys past the window, and eviction never opens a replay hole;
//   5. the key is cached: a replay.
// Otherwise the key is stored. When the cache contains max_entries keys, the
// one with the oldest seen_at is evicted and the floor rises to its time.
// Entries older than the window are dropped as time passes.
//
// Memory is bounded by max_entries keys of at most kMaxReplayKeyBytes each.
// Thread-safe: every call takes one mutex.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "security/error.hpp"

namespace sippay::security {

inline constexpr std::size_t kMaxReplayKeyBytes = 512;

class ReplayCache {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  // Uses the system clock for "now". `max_entries` and `window` must be
  // positive; std::invalid_argument otherwise.
  ReplayCache(std::size_t max_entries, std::chrono::seconds window);
  // Uses `clock` for "now", so tests control time.
  ReplayCache(std::size_t max_entries, std::chrono::seconds window, Clock clock);

  Status check_and_insert(std::string_view key, std::chrono::system_clock::time_point seen_at);

  std::size_t size() const;

 private:
  using TimePoint = std::chrono::system_clock::time_point;

  void drop_expired(TimePoint now);            // requires mutex_
  void evict_oldest();                         // requires mutex_

  const std::size_t max_entries_;
  const std::chrono::seconds window_;
  const Clock clock_;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, TimePoint> seen_;   // guarded by mutex_
  std::multimap<TimePoint, std::string> by_time_;     // guarded by mutex_; same keys as seen_
  std::optional<TimePoint> floor_;                    // guarded by mutex_
};

}  // namespace sippay::security
