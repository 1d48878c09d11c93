#include "roles/gateway/gateway_outbox.hpp"

#include <algorithm>

namespace sippay::roles::gateway {

void enqueue_outbox(ledger::LedgerTransaction& tx, std::string_view to_uri,
                    std::string_view message_type, std::string_view content) {
  ledger::sql::Query query(tx.connection(),
                           "INSERT INTO gateway_outbox (to_uri, message_type, content, attempts, "
                           "next_attempt_ms) VALUES (?1, ?2, ?3, 0, ?4)");
  query->bind(1, to_uri)
      .bind(2, message_type)
      .bind(3, content)
      .bind(4, static_cast<std::int64_t>(tx.now().time_since_epoch().count()));
  query->step();
}

std::chrono::milliseconds outbox_delay(const OutboxPolicy& policy, int attempts) {
  std::chrono::milliseconds delay = policy.first;
  for (int i = 1; i < attempts && delay < policy.longest; ++i) delay *= 2;
  return std::min(delay, policy.longest);
}

std::vector<OutboxMessage> LedgerOutbox::take_due() {
  return ledger_.transact([&](ledger::LedgerTransaction& tx) {
    const std::int64_t now = tx.now().time_since_epoch().count();
    std::vector<OutboxMessage> messages;
    {
      ledger::sql::Query query(tx.connection(),
                               "SELECT id, to_uri, message_type, content, attempts FROM gateway_outbox "
                               "WHERE next_attempt_ms <= ?1 ORDER BY id LIMIT ?2");
      query->bind(1, now).bind(2, static_cast<std::int64_t>(policy_.batch));
      while (query->step()) {
        OutboxMessage message;
        message.id = query->column_int64(0);
        message.to_uri = query->column_text(1);
        message.message_type = query->column_text(2);
        message.content = query->column_text(3);
        message.attempts = static_cast<int>(query->column_int64(4)) + 1;
        messages.push_back(std::move(message));
      }
    }
    for (OutboxMessage& message : messages) {
      message.next_attempt =
          tx.now() + outbox_delay(policy_, message.attempts);
      ledger::sql::Query update(tx.connection(),
                                "UPDATE gateway_outbox SET attempts = ?2, next_attempt_ms = ?3 WHERE id = ?1");
      update->bind(1, message.id)
          .bind(2, static_cast<std::int64_t>(message.attempts))
          .bind(3, static_cast<std::int64_t>(message.next_attempt.time_since_epoch().count()));
      update->step();
    }
    return messages;
  });
}

void LedgerOutbox::mark_delivered(std::int64_t id) {
  ledger_.transact([&](ledger::LedgerTransaction& tx) {
    ledger::sql::Query query(tx.connection(), "DELETE FROM gateway_outbox WHERE id = ?1");
    query->bind(1, id);
    query->step();
  });
}

std::size_t LedgerOutbox::size() {
  return ledger_.transact([](ledger::LedgerTransaction& tx) {
    ledger::sql::Query query(tx.connection(), "SELECT count(*) FROM gateway_outbox");
    query->step();
    return static_cast<std::size_t>(query->column_int64(0));
  });
}

std::optional<ledger::TimePoint> LedgerOutbox::next_due() {
  return ledger_.transact([](ledger::LedgerTransaction& tx) -> std::optional<ledger::TimePoint> {
    ledger::sql::Query query(tx.connection(), "SELECT min(next_attempt_ms) FROM gateway_outbox");
    if (!query->step() || query->column_is_null(0)) return std::nullopt;
    return ledger::TimePoint(std::chrono::milliseconds(query->column_int64(0)));
  });
}

}  // namespace sippay::roles::gateway
