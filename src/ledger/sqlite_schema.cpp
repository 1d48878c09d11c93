#include "ledger/sqlite_schema.hpp"

#include <fmt/format.h>

#include <array>

#include "ledger/ledger_error.hpp"
#include "ledger/sqlite_connection.hpp"

namespace sippay::ledger::sql {
namespace {

// Step i takes the schema from version i to i + 1. Append new steps; never
// edit one that has shipped. Amounts are int64 minor units; times are
// milliseconds since the Unix epoch.
constexpr std::array<const char*, kLedgerSchemaVersion> kMigrations = {
    R"sql(
      CREATE TABLE accounts (
        id                     TEXT    NOT NULL PRIMARY KEY,
        kind                   TEXT    NOT NULL CHECK (kind IN ('customer', 'merchant', 'issuance')),
        owner_uri              TEXT    NOT NULL,
        currency               TEXT    NOT NULL CHECK (length(currency) = 3),
        balance                INTEGER NOT NULL,
        debits_pending         INTEGER NOT NULL CHECK (debits_pending >= 0),
        credits_pending        INTEGER NOT NULL CHECK (credits_pending >= 0),
        status                 TEXT    NOT NULL CHECK (status IN ('active', 'frozen')),
        pin_verification_value BLOB,
        pin_failures           INTEGER NOT NULL CHECK (pin_failures >= 0),
        pin_locked_until_ms    INTEGER,
        created_at_ms          INTEGER NOT NULL,
        CHECK (kind = 'issuance' OR (balance >= 0 AND balance - debits_pending >= 0))
      ) WITHOUT ROWID;

      CREATE TABLE transfers (
        id             TEXT    NOT NULL PRIMARY KEY,
        kind           TEXT    NOT NULL CHECK (kind IN ('top_up', 'payment')),
        debit_account  TEXT    NOT NULL REFERENCES accounts (id),
        credit_account TEXT    NOT NULL REFERENCES accounts (id),
        amount         INTEGER NOT NULL CHECK (amount > 0),
        currency       TEXT    NOT NULL,
        state          TEXT    NOT NULL CHECK (state IN ('pending', 'posted', 'voided')),
        created_at_ms  INTEGER NOT NULL,
        expires_at_ms  INTEGER NOT NULL,
        settled_at_ms  INTEGER,
        void_reason    TEXT    NOT NULL,
        reference      TEXT    NOT NULL,
        CHECK (debit_account <> credit_account)
      ) WITHOUT ROWID;
      CREATE INDEX transfers_pending_by_deadline ON transfers (expires_at_ms) WHERE state = 'pending';

      CREATE TABLE journal_entries (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        transfer_id   TEXT    NOT NULL REFERENCES transfers (id),
        event         TEXT    NOT NULL CHECK (event IN ('top_up', 'reserve', 'post', 'void')),
        created_at_ms INTEGER NOT NULL
      );

      CREATE TABLE journal_lines (
        entry_id              INTEGER NOT NULL REFERENCES journal_entries (id),
        account_id            TEXT    NOT NULL REFERENCES accounts (id),
        amount                INTEGER NOT NULL,
        pending_debit_change  INTEGER NOT NULL,
        pending_credit_change INTEGER NOT NULL,
        balance_after         INTEGER NOT NULL,
        available_after       INTEGER NOT NULL,
        PRIMARY KEY (entry_id, account_id)
      ) WITHOUT ROWID;
      CREATE INDEX journal_lines_by_account ON journal_lines (account_id, entry_id);
    )sql",
};

int read_version(SqliteConnection& connection) {
  Query select(connection, "SELECT version FROM ledger_schema");
  if (!select->step()) {
    Query insert(connection, "INSERT INTO ledger_schema (version) VALUES (0)");
    insert->step();
    return 0;
  }
  return static_cast<int>(select->column_int64(0));
}

}  // namespace

void migrate_sqlite_schema(SqliteConnection& connection) {
  connection.execute("BEGIN IMMEDIATE");
  try {
    connection.execute("CREATE TABLE IF NOT EXISTS ledger_schema (version INTEGER NOT NULL)");
    const int version = read_version(connection);
    if (version < 0 || version > kLedgerSchemaVersion) {
      throw LedgerError(LedgerErrorCode::kStorage,
                        fmt::format("ledger database {}: schema version {} is not one this sippay supports (0 to "
                                    "{}); run a newer sippay or move the file away",
                                    connection.path(), version, kLedgerSchemaVersion));
    }
    for (int step = version; step < kLedgerSchemaVersion; ++step) {
      connection.execute(kMigrations[static_cast<std::size_t>(step)]);
    }
    Query update(connection, "UPDATE ledger_schema SET version = ?1");
    update->bind(1, std::int64_t{kLedgerSchemaVersion});
    update->step();
    connection.execute("COMMIT");
  } catch (...) {
    if (connection.in_transaction()) connection.execute("ROLLBACK");
    throw;
  }
}

}  // namespace sippay::ledger::sql
