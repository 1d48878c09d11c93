// A bound on the messages the gateway has accepted and not yet responded
// to: the ones on the worker threads plus the ones waiting for a worker.
// When it is reached, the next message gets a 503 response at once (RFC 3261
// §21.5.4) instead of waiting in an unbounded queue, and its sender retries.
//
// Thread safe: try_enter runs on the I/O thread, a Ticket ends on a worker.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

namespace sippay::roles::gateway {

class InFlightLimit {
 public:
  // One message inside the limit, until the Ticket is destroyed.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept : count_(std::exchange(other.count_, nullptr)) {}
    Ticket& operator=(Ticket&&) = delete;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() {
      if (count_) count_->fetch_sub(1, std::memory_order_acq_rel);
    }

   private:
    friend class InFlightLimit;
    explicit Ticket(std::shared_ptr<std::atomic<std::size_t>> count) : count_(std::move(count)) {}
    std::shared_ptr<std::atomic<std::size_t>> count_;
  };

  // `limit` must be at least 1.
  explicit InFlightLimit(std::size_t limit) : limit_(limit) {}

  // Returns a ticket while fewer than `limit` messages are in flight, else nothing.
  std::optional<Ticket> try_enter() {
    std::size_t current = count_->load(std::memory_order_acquire);
    do {
      if (current >= limit_) return std::nullopt;
    } while (!count_->compare_exchange_weak(current, current + 1, std::memory_order_acq_rel));
    return Ticket(count_);
  }

  std::size_t in_flight() const { return count_->load(std::memory_order_acquire); }
  std::size_t limit() const { return limit_; }

 private:
  std::size_t limit_;
  // Shared with the tickets, so that one may outlive the limit.
  std::shared_ptr<std::atomic<std::size_t>> count_ = std::make_shared<std::atomic<std::size_t>>(0);
};

}  // namespace sippay::roles::gateway
