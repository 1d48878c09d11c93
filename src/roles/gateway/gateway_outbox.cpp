#include "roles/gateway/gateway_outbox.hpp"

namespace sippay::roles::gateway {
namespace {

std::int64_t milliseconds_of(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

}  // namespace

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

std::vector<OutboxEntry> LedgerOutboxStore::due(std::chrono::system_clock::time_point now,
                                                std::size_t limit) {
  // A read: it need not make a batch of deferred delivery marks sync.
  return ledger_.transact(ledger::Durability::kDeferred, [&](ledger::LedgerTransaction& tx) {
    ledger::sql::Query query(tx.connection(),
                             "SELECT id, to_uri, content, attempts, next_attempt_ms FROM gateway_outbox "
                             "WHERE next_attempt_ms <= ?1 ORDER BY id LIMIT ?2");
    query->bind(1, milliseconds_of(now)).bind(2, static_cast<std::int64_t>(limit));
    std::vector<OutboxEntry> entries;
    while (query->step()) {
      OutboxEntry entry;
      entry.id = query->column_int64(0);
      entry.to_uri = query->column_text(1);
      entry.content = query->column_text(2);
      entry.attempts = static_cast<int>(query->column_int64(3));
      entry.next_attempt = std::chrono::system_clock::time_point(
          std::chrono::milliseconds(query->column_int64(4)));
      entries.push_back(std::move(entry));
    }
    return entries;
  });
}

// Delivery marks and retry times need no sync of their own: one lost in a
// crash of the machine only makes the entry go out again, and receivers
// deduplicate (DESIGN.md §2). The next state change's commit syncs them.
void LedgerOutboxStore::mark_delivered(std::int64_t id) {
  ledger_.transact(ledger::Durability::kDeferred, [&](ledger::LedgerTransaction& tx) {
    ledger::sql::Query query(tx.connection(), "DELETE FROM gateway_outbox WHERE id = ?1");
    query->bind(1, id);
    query->step();
  });
}

void LedgerOutboxStore::reschedule(std::int64_t id, std::chrono::system_clock::time_point next) {
  ledger_.transact(ledger::Durability::kDeferred, [&](ledger::LedgerTransaction& tx) {
    ledger::sql::Query query(tx.connection(),
                             "UPDATE gateway_outbox SET attempts = attempts + 1, next_attempt_ms = ?2 "
                             "WHERE id = ?1");
    query->bind(1, id).bind(2, milliseconds_of(next));
    query->step();
  });
}

std::vector<OutboxMessage> LedgerOutboxStore::undelivered() {
  return ledger_.transact([](ledger::LedgerTransaction& tx) {
    ledger::sql::Query query(tx.connection(),
                             "SELECT id, to_uri, message_type, content, attempts FROM gateway_outbox "
                             "ORDER BY id");
    std::vector<OutboxMessage> messages;
    while (query->step()) {
      messages.push_back({query->column_int64(0), query->column_text(1), query->column_text(2),
                          query->column_text(3), static_cast<int>(query->column_int64(4))});
    }
    return messages;
  });
}

}  // namespace sippay::roles::gateway
