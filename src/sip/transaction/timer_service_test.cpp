// ManualTimerService, the clock of the transaction tests, and
// AsioTimerService, the clock of the daemons.
#include "sip/transaction/timer_service.hpp"

#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <thread>
#include <vector>

namespace sippay::sip {
namespace {

using std::chrono::milliseconds;

TEST(ManualTimerService, FiresInDeadlineOrderAtDeadline) {
  ManualTimerService clock;
  std::vector<std::pair<int, std::int64_t>> fired;  // timer number, clock time
  clock.start(milliseconds(300), [&] { fired.emplace_back(3, clock.now().count()); });
  clock.start(milliseconds(100), [&] { fired.emplace_back(1, clock.now().count()); });
  clock.start(milliseconds(200), [&] { fired.emplace_back(2, clock.now().count()); });

  clock.advance(milliseconds(1000));

  const std::vector<std::pair<int, std::int64_t>> expected = {{1, 100}, {2, 200}, {3, 300}};
  EXPECT_EQ(fired, expected);
  EXPECT_EQ(clock.now(), milliseconds(1000));
}

TEST(ManualTimerService, EqualDeadlinesFireInStartOrder) {
  ManualTimerService clock;
  std::vector<int> fired;
  for (int i = 0; i < 5; ++i) clock.start(milliseconds(50), [&fired, i] { fired.push_back(i); });

  clock.advance(milliseconds(50));

  EXPECT_EQ(fired, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(ManualTimerService, AdvanceStopsAtDuration) {
  ManualTimerService clock;
  int fired = 0;
  clock.start(milliseconds(100), [&] { ++fired; });
  clock.start(milliseconds(101), [&] { ++fired; });

  clock.advance(milliseconds(100));

  EXPECT_EQ(fired, 1);
  EXPECT_EQ(clock.pending(), 1u);
  EXPECT_EQ(clock.now(), milliseconds(100));
}

TEST(ManualTimerService, CancelledTimerNeverFires) {
  ManualTimerService clock;
  int fired = 0;
  const TimerService::TimerId id = clock.start(milliseconds(10), [&] { ++fired; });
  clock.cancel(id);
  clock.cancel(id);      // twice
  clock.cancel(12345);   // unknown

  clock.advance(milliseconds(20));

  EXPECT_EQ(fired, 0);
  EXPECT_EQ(clock.pending(), 0u);
}

TEST(ManualTimerService, CallbackMayStartAndCancelTimers) {
  ManualTimerService clock;
  std::vector<std::int64_t> fired_at;
  TimerService::TimerId doomed = 0;
  clock.start(milliseconds(10), [&] {
    fired_at.push_back(clock.now().count());
    clock.start(milliseconds(0), [&] { fired_at.push_back(clock.now().count()); });
    clock.start(milliseconds(5), [&] { fired_at.push_back(clock.now().count()); });
    clock.cancel(doomed);
  });
  doomed = clock.start(milliseconds(12), [&] { fired_at.push_back(-1); });

  clock.advance(milliseconds(20));

  EXPECT_EQ(fired_at, (std::vector<std::int64_t>{10, 10, 15}));
}

TEST(ManualTimerService, RunUntilIdleFiresChains) {
  ManualTimerService clock;
  int remaining = 10;
  std::function<void()> again = [&] {
    if (--remaining > 0) clock.start(milliseconds(1000), again);
  };
  clock.start(milliseconds(1000), again);

  clock.run_until_idle();

  EXPECT_EQ(remaining, 0);
  EXPECT_EQ(clock.now(), milliseconds(10000));
}

TEST(ManualTimerService, RunUntilIdleStopsAtLimit) {
  ManualTimerService clock;
  int fired = 0;
  clock.start(milliseconds(500), [&] { ++fired; });
  clock.start(milliseconds(5000), [&] { ++fired; });

  clock.run_until_idle(milliseconds(1000));

  EXPECT_EQ(fired, 1);
  EXPECT_EQ(clock.pending(), 1u);
}

TEST(AsioTimerService, FiresAfterDelay) {
  asio::io_context io;
  AsioTimerService timers(io);
  const auto started = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration waited{};
  timers.start(milliseconds(20), [&] { waited = std::chrono::steady_clock::now() - started; });

  io.run();

  EXPECT_GE(waited, milliseconds(20));
}

TEST(AsioTimerService, CancelBeforeExpiryPreventsCallback) {
  asio::io_context io;
  AsioTimerService timers(io);
  bool fired = false;
  const TimerService::TimerId id = timers.start(milliseconds(20), [&] { fired = true; });
  timers.cancel(id);

  io.run();

  EXPECT_FALSE(fired);
}

TEST(AsioTimerService, CancelAfterExpiryPreventsCallback) {
  // Both timers expire before the io_context runs, so Asio queues both
  // handlers with a success code at once. The first callback then cancels
  // the second, whose queued handler Asio can no longer recall.
  asio::io_context io;
  AsioTimerService timers(io);
  bool second_fired = false;
  TimerService::TimerId second = 0;
  timers.start(milliseconds(1), [&] { timers.cancel(second); });
  second = timers.start(milliseconds(1), [&] { second_fired = true; });
  std::this_thread::sleep_for(milliseconds(20));

  io.run();

  EXPECT_FALSE(second_fired);
}

}  // namespace
}  // namespace sippay::sip
