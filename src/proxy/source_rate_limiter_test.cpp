#include "proxy/source_rate_limiter.hpp"

#include <gtest/gtest.h>

namespace sippay::proxy {
namespace {

using namespace std::chrono_literals;

const SourceRateLimiter::Clock::time_point kT0{std::chrono::seconds(1000)};
const asio::ip::address kA = asio::ip::make_address("192.0.2.1");
const asio::ip::address kB = asio::ip::make_address("192.0.2.2");

TEST(SourceRateLimiterTest, BurstThenRefill) {
  SourceRateLimiter limiter(2, 3, 10);

  EXPECT_TRUE(limiter.allow(kA, kT0));
  EXPECT_TRUE(limiter.allow(kA, kT0));
  EXPECT_TRUE(limiter.allow(kA, kT0));
  EXPECT_FALSE(limiter.allow(kA, kT0));
  // Two tokens a second: one after 500 ms.
  EXPECT_TRUE(limiter.allow(kA, kT0 + 500ms));
  EXPECT_FALSE(limiter.allow(kA, kT0 + 500ms));
}

TEST(SourceRateLimiterTest, SourcesHaveOwnBuckets) {
  SourceRateLimiter limiter(1, 1, 10);

  EXPECT_TRUE(limiter.allow(kA, kT0));
  EXPECT_FALSE(limiter.allow(kA, kT0));
  EXPECT_TRUE(limiter.allow(kB, kT0));
}

TEST(SourceRateLimiterTest, ClockGoingBackAddsNothing) {
  SourceRateLimiter limiter(1, 1, 10);

  EXPECT_TRUE(limiter.allow(kA, kT0));
  EXPECT_FALSE(limiter.allow(kA, kT0 - 10s));
}

TEST(SourceRateLimiterTest, IdleEntriesEvictedWhenFull) {
  SourceRateLimiter limiter(1, 2, 2);
  ASSERT_TRUE(limiter.allow(kA, kT0));
  ASSERT_TRUE(limiter.allow(kB, kT0));

  // Both buckets have refilled after 2 s, so the new source replaces them.
  const auto other = asio::ip::make_address("192.0.2.3");
  EXPECT_TRUE(limiter.allow(other, kT0 + 2s));

  EXPECT_EQ(limiter.tracked_sources(), 1U);
  EXPECT_EQ(limiter.untracked(), 0U);
}

TEST(SourceRateLimiterTest, FullTableLetsNewSourceThroughUntracked) {
  SourceRateLimiter limiter(1, 2, 2);
  ASSERT_TRUE(limiter.allow(kA, kT0));
  ASSERT_TRUE(limiter.allow(kB, kT0));

  const auto other = asio::ip::make_address("192.0.2.3");
  EXPECT_TRUE(limiter.allow(other, kT0 + 100ms));

  EXPECT_EQ(limiter.tracked_sources(), 2U);
  EXPECT_EQ(limiter.untracked(), 1U);
}

}  // namespace
}  // namespace sippay::proxy
