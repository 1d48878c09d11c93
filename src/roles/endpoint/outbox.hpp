// Delivery of durable outbox entries (DESIGN.md §2): each entry is sent
// with PaymentEndpoint::send and resent with exponential backoff until the
// receiver answers 2xx. The store belongs to the role (the gateway's lives
// in the ledger database, written in the same transaction as the state
// change it reports).
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "roles/endpoint/payment_endpoint.hpp"

namespace sippay::roles {

struct OutboxEntry {
  std::int64_t id = 0;
  std::string to_uri;
  std::string content;
  int attempts = 0;  // sends so far
  std::chrono::system_clock::time_point next_attempt;
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // Undelivered entries whose next_attempt is at or before `now`, oldest first.
  virtual std::vector<OutboxEntry> due(std::chrono::system_clock::time_point now, std::size_t limit) = 0;
  virtual void mark_delivered(std::int64_t id) = 0;
  // Counts one more attempt and sets when the entry is due again.
  virtual void reschedule(std::int64_t id, std::chrono::system_clock::time_point next) = 0;
};

struct OutboxPolicy {
  std::chrono::milliseconds poll_interval{1000};  // how often the store is asked for due entries
  std::chrono::milliseconds first_retry{1000};    // wait after the first failed send
  std::chrono::milliseconds max_retry{60000};     // the backoff doubles up to this
  std::size_t batch = 32;                         // entries taken per poll
  std::size_t max_in_flight = 64;                 // sends without an answer yet
};

// The wait before attempt `attempts + 1` after a failure: first_retry
// doubled per earlier attempt, at most max_retry.
std::chrono::milliseconds outbox_backoff(const OutboxPolicy& policy, int attempts);

class OutboxSender {
 public:
  OutboxSender(asio::io_context& io, PaymentEndpoint& endpoint, OutboxStore& store, OutboxPolicy policy = {});
  ~OutboxSender();
  OutboxSender(const OutboxSender&) = delete;
  OutboxSender& operator=(const OutboxSender&) = delete;

  void start();
  // Looks for due entries now, for a role that has just added one.
  void kick();
  // Stops polling; answers still in flight are recorded when they come.
  void stop();

 private:
  void poll();
  void schedule();

  asio::io_context& io_;
  PaymentEndpoint& endpoint_;
  OutboxStore& store_;
  OutboxPolicy policy_;
  asio::steady_timer timer_;
  std::set<std::int64_t> in_flight_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool running_ = false;
};

}  // namespace sippay::roles
