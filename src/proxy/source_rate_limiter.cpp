#include "proxy/source_rate_limiter.hpp"

#include <algorithm>

namespace sippay::proxy {

SourceRateLimiter::SourceRateLimiter(double rate, double burst, std::size_t max_sources)
    : rate_(rate),
      burst_(burst),
      max_sources_(max_sources),
      refill_time_(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(burst / rate))) {}

void SourceRateLimiter::refill(Bucket& bucket, Clock::time_point now) const {
  // A clock that did not advance adds nothing.
  if (now <= bucket.updated) return;
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed * rate_);
  bucket.updated = now;
}

void SourceRateLimiter::evict_idle(Clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& entry) { return now - entry.second.updated >= refill_time_; });
}

bool SourceRateLimiter::allow(const asio::ip::address& source, Clock::time_point now) {
  auto it = buckets_.find(source);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_sources_) {
      evict_idle(now);
      if (buckets_.size() >= max_sources_) {
        ++untracked_;
        return true;
      }
    }
    it = buckets_.emplace(source, Bucket{burst_, now}).first;
  }
  Bucket& bucket = it->second;
  refill(bucket, now);
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

}  // namespace sippay::proxy
