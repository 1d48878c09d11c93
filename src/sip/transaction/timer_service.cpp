#include "sip/transaction/timer_service.hpp"

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

namespace sippay::sip {

class AsioTimerService::Impl {
 public:
  explicit Impl(asio::io_context& io) : io_(io) {}

  TimerId start(std::chrono::milliseconds delay, Callback callback) {
    const TimerId id = next_id_++;
    auto timer = std::make_unique<asio::steady_timer>(io_, delay);
    timer->async_wait([this, id, callback = std::move(callback)](std::error_code error) {
      if (error) return;  // cancelled
      // A timer cancelled after it expired but before this handler ran gets
      // a success code (Asio cannot recall a queued handler), so the table
      // decides whether it still counts.
      const auto it = timers_.find(id);
      if (it == timers_.end()) return;
      timers_.erase(it);
      callback();
    });
    timers_.emplace(id, std::move(timer));
    return id;
  }

  void cancel(TimerId id) {
    auto it = timers_.find(id);
    if (it == timers_.end()) return;
    // Destroying a steady_timer completes its wait with operation_aborted,
    // and the handler returns before touching anything.
    timers_.erase(it);
  }

 private:
  asio::io_context& io_;
  TimerId next_id_ = 1;
  std::unordered_map<TimerId, std::unique_ptr<asio::steady_timer>> timers_;
};

AsioTimerService::AsioTimerService(asio::io_context& io) : impl_(std::make_unique<Impl>(io)) {}
AsioTimerService::~AsioTimerService() = default;

TimerService::TimerId AsioTimerService::start(std::chrono::milliseconds delay, Callback callback) {
  return impl_->start(delay, std::move(callback));
}

void AsioTimerService::cancel(TimerId id) { impl_->cancel(id); }

TimerService::TimerId ManualTimerService::start(std::chrono::milliseconds delay, Callback callback) {
  const TimerId id = next_id_++;
  timers_.emplace(now_ + delay, Entry{id, std::move(callback)});
  return id;
}

void ManualTimerService::cancel(TimerId id) {
  for (auto it = timers_.begin(); it != timers_.end(); ++it) {
    if (it->second.id == id) {
      timers_.erase(it);
      return;
    }
  }
}

void ManualTimerService::advance(std::chrono::milliseconds duration) {
  const std::chrono::milliseconds end = now_ + duration;
  while (!timers_.empty() && timers_.begin()->first <= end) {
    auto it = timers_.begin();
    now_ = it->first;
    Callback callback = std::move(it->second.callback);
    timers_.erase(it);
    callback();
  }
  now_ = end;
}

void ManualTimerService::run_until_idle(std::chrono::milliseconds limit) {
  const std::chrono::milliseconds end = now_ + limit;
  while (!timers_.empty() && timers_.begin()->first <= end) {
    advance(timers_.begin()->first - now_);
  }
}

}  // namespace sippay::sip
