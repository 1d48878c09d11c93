// Timers for the transaction layer, behind an interface so that the RFC 3261
// timers run on Asio in daemons and on a manual clock in tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>

namespace asio {
class io_context;
}

namespace sippay::sip {

class TimerService {
 public:
  using TimerId = std::uint64_t;
  using Callback = std::function<void()>;

  virtual ~TimerService() = default;
  // Runs `callback` once after `delay` unless cancelled first. Never runs it
  // from inside start().
  virtual TimerId start(std::chrono::milliseconds delay, Callback callback) = 0;
  // Once cancel() returns, the callback never runs. Cancelling an unknown or
  // fired timer does nothing.
  virtual void cancel(TimerId id) = 0;
};

// Timers on an asio::io_context's steady clock.
class AsioTimerService final : public TimerService {
 public:
  explicit AsioTimerService(asio::io_context& io);
  ~AsioTimerService() override;
  TimerId start(std::chrono::milliseconds delay, Callback callback) override;
  void cancel(TimerId id) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// A clock that moves only when advance() is called: timers fire inside advance(), in
// deadline order, each at its own deadline. For deterministic tests.
class ManualTimerService final : public TimerService {
 public:
  TimerId start(std::chrono::milliseconds delay, Callback callback) override;
  void cancel(TimerId id) override;

  // Moves the clock forward by `duration`, firing every timer due.
  void advance(std::chrono::milliseconds duration);
  // Fires timers in order until none is left or `limit` has passed.
  void run_until_idle(std::chrono::milliseconds limit = std::chrono::hours(1));
  std::chrono::milliseconds now() const { return now_; }
  std::size_t pending() const { return timers_.size(); }

 private:
  struct Entry {
    TimerId id;
    Callback callback;
  };
  std::chrono::milliseconds now_{0};
  TimerId next_id_ = 1;
  // Ordered by deadline, then by start order for equal deadlines.
  std::multimap<std::chrono::milliseconds, Entry> timers_;
};

}  // namespace sippay::sip
