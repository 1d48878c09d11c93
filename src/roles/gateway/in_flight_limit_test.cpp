#include "roles/gateway/in_flight_limit.hpp"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace sippay::roles::gateway {
namespace {

TEST(InFlightLimitTest, RejectsBeyondLimitUntilTicketEnds) {
  InFlightLimit limit(2);
  auto first = limit.try_enter();
  auto second = limit.try_enter();
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_EQ(limit.in_flight(), 2u);
  EXPECT_FALSE(limit.try_enter());
  EXPECT_EQ(limit.in_flight(), 2u);

  first.reset();
  EXPECT_EQ(limit.in_flight(), 1u);
  auto third = limit.try_enter();
  EXPECT_TRUE(third);
  EXPECT_EQ(limit.in_flight(), 2u);
}

TEST(InFlightLimitTest, MovedTicketCountsOnce) {
  InFlightLimit limit(1);
  std::optional<InFlightLimit::Ticket> moved;
  {
    auto ticket = limit.try_enter();
    ASSERT_TRUE(ticket);
    moved.emplace(std::move(*ticket));
  }
  // The moved-from ticket ended without releasing the place.
  EXPECT_EQ(limit.in_flight(), 1u);
  EXPECT_FALSE(limit.try_enter());
  moved.reset();
  EXPECT_EQ(limit.in_flight(), 0u);
}

TEST(InFlightLimitTest, TicketMayOutliveLimit) {
  std::optional<InFlightLimit::Ticket> ticket;
  {
    InFlightLimit limit(1);
    auto entered = limit.try_enter();
    ASSERT_TRUE(entered);
    ticket.emplace(std::move(*entered));
  }
  ticket.reset();  // must not touch freed memory (ASan checks it)
}

TEST(InFlightLimitTest, NeverExceedsLimitAcrossThreads) {
  constexpr std::size_t kLimit = 3;
  InFlightLimit limit(kLimit);
  std::atomic<std::size_t> most{0};
  std::atomic<long> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        if (auto ticket = limit.try_enter()) {
          ++admitted;
          std::size_t now = limit.in_flight();
          std::size_t seen = most.load();
          while (now > seen && !most.compare_exchange_weak(seen, now)) {
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_LE(most.load(), kLimit);
  EXPECT_GT(admitted.load(), 0);
  EXPECT_EQ(limit.in_flight(), 0u);
}

}  // namespace
}  // namespace sippay::roles::gateway
