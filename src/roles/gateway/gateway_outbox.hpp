// The gateway's durable outbox (DESIGN.md §2, rules 6 and 9): every
// confirmation request, receipt, failure notice and answer is written in the
// same database transaction as the state change that caused it, and stays
// until the receiver answered 2xx.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.hpp"

namespace sippay::roles::gateway {

struct OutboxMessage {
  std::int64_t id = 0;
  std::string to_uri;
  std::string message_type;  // the protocol's wire name, for logs
  std::string content;       // the exact JSON bytes to sign and envelope
  int attempts = 0;          // sending attempts so far
  ledger::TimePoint next_attempt;
};

// Adds a message due at once. Runs inside `tx`.
void enqueue_outbox(ledger::LedgerTransaction& tx, std::string_view to_uri,
                    std::string_view message_type, std::string_view content);

// The retry schedule: the delay after `attempts` failed attempts doubles
// from `first` up to `longest`.
struct OutboxPolicy {
  std::chrono::milliseconds first{1000};
  std::chrono::milliseconds longest{60000};
  std::size_t batch = 32;  // messages taken per pass
};

std::chrono::milliseconds outbox_delay(const OutboxPolicy& policy, int attempts);

// The outbox on a ledger: each call is its own database transaction.
class LedgerOutbox {
 public:
  explicit LedgerOutbox(ledger::Ledger& ledger, OutboxPolicy policy = {})
      : ledger_(ledger), policy_(policy) {}

  // Messages whose next attempt is due, oldest first, at most policy.batch.
  // Each one taken counts as an attempt and is moved to its next retry
  // time, so a crash while sending leaves it due again later.
  std::vector<OutboxMessage> take_due();
  // The receiver answered 2xx: the message is removed.
  void mark_delivered(std::int64_t id);
  // Messages not delivered yet.
  std::size_t size();
  // The earliest next attempt, or nothing when empty.
  std::optional<ledger::TimePoint> next_due();

  const OutboxPolicy& policy() const { return policy_; }

 private:
  ledger::Ledger& ledger_;
  OutboxPolicy policy_;
};

}  // namespace sippay::roles::gateway
