#include "security/replay_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace sippay::security {
namespace {

using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

// A cache whose clock the test moves by hand.
struct ManualClockCache {
  TimePoint now = TimePoint(seconds(1'700'000'000));
  ReplayCache cache;

  ManualClockCache(std::size_t max_entries, seconds window)
      : cache(max_entries, window, [this] { return now; }) {}
};

TEST(ReplayCache, AcceptsNewKeys) {
  ManualClockCache fixture(10, seconds(60));
  EXPECT_TRUE(fixture.cache.check_and_insert("a", fixture.now).ok());
  EXPECT_TRUE(fixture.cache.check_and_insert("b", fixture.now).ok());
  EXPECT_EQ(fixture.cache.size(), 2u);
}

TEST(ReplayCache, RejectsKeySeenWithinWindow) {
  ManualClockCache fixture(10, seconds(60));
  const TimePoint sent = fixture.now;
  ASSERT_TRUE(fixture.cache.check_and_insert("nonce-1", sent).ok());
  fixture.now += seconds(30);
  const Status again = fixture.cache.check_and_insert("nonce-1", sent);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::replayed);
  EXPECT_NE(again.error().detail.find("seen before"), std::string::npos);
}

TEST(ReplayCache, RejectsTimeOlderThanWindow) {
  ManualClockCache fixture(10, seconds(60));
  const Status old = fixture.cache.check_and_insert("late", fixture.now - seconds(61));
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, ErrorCode::replayed);
  EXPECT_NE(old.error().detail.find("in the past"), std::string::npos);
  EXPECT_EQ(fixture.cache.size(), 0u);
}

TEST(ReplayCache, AcceptsTimeAtWindowEdge) {
  ManualClockCache fixture(10, seconds(60));
  EXPECT_TRUE(fixture.cache.check_and_insert("edge", fixture.now - seconds(60)).ok());
  EXPECT_TRUE(fixture.cache.check_and_insert("ahead", fixture.now + seconds(60)).ok());
}

TEST(ReplayCache, RejectsTimeFarInFuture) {
  ManualClockCache fixture(10, seconds(60));
  const Status future = fixture.cache.check_and_insert("early", fixture.now + seconds(61));
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.error().code, ErrorCode::replayed);
  EXPECT_NE(future.error().detail.find("in the future"), std::string::npos);
}

TEST(ReplayCache, ReplayAfterWindowIsRejectedAsOld) {
  ManualClockCache fixture(10, seconds(60));
  const TimePoint sent = fixture.now;
  ASSERT_TRUE(fixture.cache.check_and_insert("nonce-1", sent).ok());
  fixture.now += seconds(120);
  const Status replay = fixture.cache.check_and_insert("nonce-1", sent);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, ErrorCode::replayed);
  // The expired entry was dropped, so memory does not grow with old keys.
  EXPECT_EQ(fixture.cache.size(), 0u);
}

TEST(ReplayCache, ExpiredEntriesAreDropped) {
  ManualClockCache fixture(10, seconds(60));
  ASSERT_TRUE(fixture.cache.check_and_insert("a", fixture.now).ok());
  ASSERT_TRUE(fixture.cache.check_and_insert("b", fixture.now + seconds(50)).ok());
  fixture.now += seconds(100);
  ASSERT_TRUE(fixture.cache.check_and_insert("c", fixture.now).ok());
  EXPECT_EQ(fixture.cache.size(), 2u);  // b and c
}

TEST(ReplayCache, FullCacheEvictsOldest) {
  ManualClockCache fixture(2, seconds(60));
  ASSERT_TRUE(fixture.cache.check_and_insert("first", fixture.now - seconds(20)).ok());
  ASSERT_TRUE(fixture.cache.check_and_insert("second", fixture.now - seconds(10)).ok());
  ASSERT_TRUE(fixture.cache.check_and_insert("third", fixture.now).ok());
  EXPECT_EQ(fixture.cache.size(), 2u);

  // "second" is still cached and rejected as a replay.
  const Status second = fixture.cache.check_and_insert("second", fixture.now - seconds(10));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().detail.find("seen before"), std::string::npos);
}

TEST(ReplayCache, EvictedKeyReplayIsRejected) {
  ManualClockCache fixture(2, seconds(60));
  const TimePoint first_sent = fixture.now - seconds(20);
  ASSERT_TRUE(fixture.cache.check_and_insert("first", first_sent).ok());
  ASSERT_TRUE(fixture.cache.check_and_insert("second", fixture.now - seconds(10)).ok());
  ASSERT_TRUE(fixture.cache.check_and_insert("third", fixture.now).ok());

  // "first" was evicted, but its time is at the floor, so its replay fails.
  const Status replay = fixture.cache.check_and_insert("first", first_sent);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, ErrorCode::replayed);
  EXPECT_NE(replay.error().detail.find("evicted"), std::string::npos);

  // A fresh key older than the floor is rejected the same way.
  const Status older = fixture.cache.check_and_insert("fresh", first_sent - seconds(1));
  ASSERT_FALSE(older.ok());
  EXPECT_NE(older.error().detail.find("evicted"), std::string::npos);
  // A fresh key newer than the floor is accepted.
  EXPECT_TRUE(fixture.cache.check_and_insert("fresh", first_sent + seconds(1)).ok());
}

TEST(ReplayCache, RejectsOverlongKey) {
  ManualClockCache fixture(2, seconds(60));
  const Status result = fixture.cache.check_and_insert(std::string(kMaxReplayKeyBytes + 1, 'k'), fixture.now);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::too_large);
  EXPECT_EQ(fixture.cache.size(), 0u);
  EXPECT_TRUE(fixture.cache.check_and_insert(std::string(kMaxReplayKeyBytes, 'k'), fixture.now).ok());
}

TEST(ReplayCache, RejectsInvalidBounds) {
  EXPECT_THROW(ReplayCache(0, seconds(60)), std::invalid_argument);
  EXPECT_THROW(ReplayCache(10, seconds(0)), std::invalid_argument);
}

TEST(ReplayCache, ConcurrentInsertsAcceptEachKeyOnce) {
  ReplayCache cache(100'000, seconds(600));
  const TimePoint now = std::chrono::system_clock::now();
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        if (cache.check_and_insert("key-" + std::to_string(i), now).ok()) ++accepted;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(accepted.load(), 1000);
  EXPECT_EQ(cache.size(), 1000u);
}

}  // namespace
}  // namespace sippay::security
