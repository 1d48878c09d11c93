// Rate limit for log lines about repeated events, such as datagrams that
// fail to parse: the first few are logged, then one in every 1000.
#pragma once

#include <cstdint>

namespace sippay::sip::transport_detail {

class RepeatLimiter {
 public:
  // Counts one event and returns whether to log it.
  bool count_and_check() {
    ++count_;
    return count_ <= kLoggedInFull || count_ % kLogEvery == 0;
  }
  std::uint64_t count() const { return count_; }

 private:
  static constexpr std::uint64_t kLoggedInFull = 10;
  static constexpr std::uint64_t kLogEvery = 1000;
  std::uint64_t count_ = 0;
};

}  // namespace sippay::sip::transport_detail
