#include "roles/gateway/gateway_schema.hpp"

namespace sippay::roles::gateway {

void ensure_gateway_schema(ledger::LedgerTransaction& tx) {
  auto& connection = tx.connection();
  // Times are whole seconds since the Unix epoch (the protocol's UtcTime).
  connection.execute(R"sql(
    CREATE TABLE IF NOT EXISTS gateway_transactions (
      seq                  INTEGER PRIMARY KEY AUTOINCREMENT,
      transaction_id       TEXT    NOT NULL UNIQUE,
      customer             TEXT,
      purchase_id          TEXT    NOT NULL,
      merchant             TEXT    NOT NULL,
      merchant_order_ref   TEXT    NOT NULL,
      order_hash           TEXT    NOT NULL,
      amount               INTEGER NOT NULL,
      currency             TEXT    NOT NULL,
      state                TEXT    NOT NULL,
      reason               TEXT,
      expires_s            INTEGER NOT NULL,
      created_at_s         INTEGER NOT NULL,
      updated_at_s         INTEGER NOT NULL,
      confirmation_request TEXT    NOT NULL,
      UNIQUE (merchant, merchant_order_ref)
    ))sql");
  connection.execute(
      "CREATE UNIQUE INDEX IF NOT EXISTS gateway_transactions_by_purchase "
      "ON gateway_transactions (customer, purchase_id) WHERE customer IS NOT NULL");
  connection.execute(
      "CREATE INDEX IF NOT EXISTS gateway_transactions_pending "
      "ON gateway_transactions (expires_s) WHERE state = 'pending'");
  connection.execute(
      "CREATE INDEX IF NOT EXISTS gateway_transactions_by_merchant "
      "ON gateway_transactions (merchant, seq)");
  connection.execute(R"sql(
    CREATE TABLE IF NOT EXISTS gateway_aborts (
      merchant           TEXT    NOT NULL,
      merchant_order_ref TEXT    NOT NULL,
      PRIMARY KEY (merchant, merchant_order_ref)
    ))sql");
  connection.execute(R"sql(
    CREATE TABLE IF NOT EXISTS gateway_outbox (
      id              INTEGER PRIMARY KEY AUTOINCREMENT,
      to_uri          TEXT    NOT NULL,
      message_type    TEXT    NOT NULL,
      content         TEXT    NOT NULL,
      attempts        INTEGER NOT NULL,
      next_attempt_ms INTEGER NOT NULL
    ))sql");
  connection.execute(
      "CREATE INDEX IF NOT EXISTS gateway_outbox_due ON gateway_outbox (next_attempt_ms)");
}

}  // namespace sippay::roles::gateway
