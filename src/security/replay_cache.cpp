#include "security/replay_cache.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <stdexcept>
#include <utility>

namespace sippay::security {

ReplayCache::ReplayCache(std::size_t max_entries, std::chrono::seconds window)
    : ReplayCache(max_entries, window, [] { return std::chrono::system_clock::now(); }) {}

ReplayCache::ReplayCache(std::size_t max_entries, std::chrono::seconds window, Clock clock)
    : max_entries_(max_entries), window_(window), clock_(std::move(clock)) {
  if (max_entries_ == 0) throw std::invalid_argument("ReplayCache: max_entries must be positive");
  if (window_ <= std::chrono::seconds::zero()) {
    throw std::invalid_argument("ReplayCache: window must be positive");
  }
}

Status ReplayCache::check_and_insert(std::string_view key, std::chrono::system_clock::time_point seen_at) {
  if (key.size() > kMaxReplayKeyBytes) {
    return Error{ErrorCode::too_large, fmt::format("replay key has {} bytes, more than the limit of {}",
                                                   key.size(), kMaxReplayKeyBytes)};
  }
  const TimePoint now = clock_();

  const std::lock_guard lock(mutex_);
  drop_expired(now);
  if (seen_at < now - window_) {
    return Error{ErrorCode::replayed,
                 fmt::format("message time is more than {} s in the past", window_.count())};
  }
  if (seen_at > now + window_) {
    return Error{ErrorCode::replayed,
                 fmt::format("message time is more than {} s in the future", window_.count())};
  }
  if (floor_ && seen_at <= *floor_) {
    return Error{ErrorCode::replayed,
                 "message time is not newer than keys the full cache evicted, so a replay "
                 "cannot be ruled out"};
  }
  auto [entry, inserted] = seen_.try_emplace(std::string(key), seen_at);
  if (!inserted) return Error{ErrorCode::replayed, "key was seen before within the replay window"};

  by_time_.emplace(seen_at, entry->first);
  if (seen_.size() > max_entries_) evict_oldest();
  return ok_status();
}

std::size_t ReplayCache::size() const {
  const std::lock_guard lock(mutex_);
  return seen_.size();
}

void ReplayCache::drop_expired(TimePoint now) {
  const TimePoint oldest_kept = now - window_;
  while (!by_time_.empty() && by_time_.begin()->first < oldest_kept) {
    seen_.erase(by_time_.begin()->second);
    by_time_.erase(by_time_.begin());
  }
}

void ReplayCache::evict_oldest() {
  const auto oldest = by_time_.begin();
  floor_ = oldest->first;
  seen_.erase(oldest->second);
  by_time_.erase(oldest);
}

}  // namespace sippay::security
