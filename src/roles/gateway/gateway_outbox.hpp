// The gateway's durable outbox (DESIGN.md §2, rules 6 and 9): every
// confirmation request, receipt, failure notice and answer is written in the
// same database transaction as the state change that caused it, and stays
// until the receiver answered 2xx. roles::OutboxSender delivers it.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.hpp"
#include "roles/endpoint/outbox.hpp"

namespace sippay::roles::gateway {

struct OutboxMessage {
  std::int64_t id = 0;
  std::string to_uri;
  std::string message_type;  // the protocol's wire name, for logs
  std::string content;       // the exact JSON bytes to sign and envelope
  int attempts = 0;          // sends so far
};

// Adds a message due at once. Runs inside `tx`.
void enqueue_outbox(ledger::LedgerTransaction& tx, std::string_view to_uri,
                    std::string_view message_type, std::string_view content);

// The outbox on a ledger database: each call is its own transaction.
class LedgerOutboxStore final : public OutboxStore {
 public:
  explicit LedgerOutboxStore(ledger::Ledger& ledger) : ledger_(ledger) {}

  std::vector<OutboxEntry> due(std::chrono::system_clock::time_point now, std::size_t limit) override;
  // Removes the entry: the receiver committed it.
  void mark_delivered(std::int64_t id) override;
  void reschedule(std::int64_t id, std::chrono::system_clock::time_point next) override;

  // Every undelivered message, oldest first.
  std::vector<OutboxMessage> undelivered();

 private:
  ledger::Ledger& ledger_;
};

}  // namespace sippay::roles::gateway
