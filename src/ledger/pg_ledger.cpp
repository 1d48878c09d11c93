#include "ledger/pg_ledger.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <thread>

#include "ledger/pg_connection.hpp"
#include "ledger/sql_ledger_transaction.hpp"

namespace sippay::ledger {
namespace {

thread_local const PgLedger* running_ledger = nullptr;

constexpr int kSchemaVersion = 1;

// The SQLite schema of sqlite_schema.cpp in PostgreSQL types: BIGINT for
// amounts and times, BYTEA for the PIN value, an identity column for the
// journal entry id.
constexpr const char* kSchema = R"sql(
  CREATE TABLE accounts (
    id                     TEXT    NOT NULL PRIMARY KEY,
    kind                   TEXT    NOT NULL CHECK (kind IN ('customer', 'merchant', 'issuance')),
    owner_uri              TEXT    NOT NULL,
    currency               TEXT    NOT NULL CHECK (length(currency) = 3),
    balance                BIGINT  NOT NULL,
    debits_pending         BIGINT  NOT NULL CHECK (debits_pending >= 0),
    credits_pending        BIGINT  NOT NULL CHECK (credits_pending >= 0),
    status                 TEXT    NOT NULL CHECK (status IN ('active', 'frozen')),
    pin_verification_value BYTEA,
    pin_failures           INTEGER NOT NULL CHECK (pin_failures >= 0),
    pin_locked_until_ms    BIGINT,
    created_at_ms          BIGINT  NOT NULL,
    CHECK (kind = 'issuance' OR (balance >= 0 AND balance - debits_pending >= 0))
  );
  CREATE TABLE transfers (
    id             TEXT   NOT NULL PRIMARY KEY,
    kind           TEXT   NOT NULL CHECK (kind IN ('top_up', 'payment')),
    debit_account  TEXT   NOT NULL REFERENCES accounts (id),
    credit_account TEXT   NOT NULL REFERENCES accounts (id),
    amount         BIGINT NOT NULL CHECK (amount > 0),
    currency       TEXT   NOT NULL,
    state          TEXT   NOT NULL CHECK (state IN ('pending', 'posted', 'voided')),
    created_at_ms  BIGINT NOT NULL,
    expires_at_ms  BIGINT NOT NULL,
    settled_at_ms  BIGINT,
    void_reason    TEXT   NOT NULL,
    reference      TEXT   NOT NULL,
    CHECK (debit_account <> credit_account)
  );
  CREATE INDEX transfers_pending_by_deadline ON transfers (expires_at_ms) WHERE state = 'pending';
  CREATE TABLE journal_entries (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transfer_id   TEXT   NOT NULL REFERENCES transfers (id),
    event         TEXT   NOT NULL CHECK (event IN ('top_up', 'reserve', 'post', 'void')),
    created_at_ms BIGINT NOT NULL
  );
  CREATE TABLE journal_lines (
    entry_id              BIGINT NOT NULL REFERENCES journal_entries (id),
    account_id            TEXT   NOT NULL REFERENCES accounts (id),
    amount                BIGINT NOT NULL,
    pending_debit_change  BIGINT NOT NULL,
    pending_credit_change BIGINT NOT NULL,
    balance_after         BIGINT NOT NULL,
    available_after       BIGINT NOT NULL,
    PRIMARY KEY (entry_id, account_id)
  );
  CREATE INDEX journal_lines_by_account ON journal_lines (account_id, entry_id);
)sql";

TimePoint system_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

void migrate(sql::PgConnection& connection) {
  connection.execute("BEGIN");
  try {
    // Serializes concurrent first opens of an empty database.
    connection.execute("SELECT pg_advisory_xact_lock(7316402)");
    connection.execute("CREATE TABLE IF NOT EXISTS ledger_schema (version INTEGER NOT NULL)");
    int version = 0;
    {
      sql::Query select(connection, "SELECT version FROM ledger_schema");
      if (select->step()) version = static_cast<int>(select->column_int64(0));
    }
    if (version < 0 || version > kSchemaVersion) {
      throw LedgerError(LedgerErrorCode::kStorage,
                        fmt::format("ledger database: schema version {} is not one this sippay supports (0 to {}); "
                                    "run a newer sippay or use another database",
                                    version, kSchemaVersion));
    }
    if (version == 0) {
      connection.execute(kSchema);
      connection.execute(fmt::format("INSERT INTO ledger_schema (version) VALUES ({})", kSchemaVersion));
    }
    connection.execute("COMMIT");
  } catch (...) {
    if (connection.in_transaction()) connection.execute("ROLLBACK");
    throw;
  }
}

// Sleeps a random 0 to 2^min(attempt, 6) ms, so that transactions that
// conflicted do not meet again at once.
void back_off(int attempt) {
  thread_local std::minstd_rand random(std::random_device{}());
  const int ceiling = 1 << std::min(attempt, 6);
  std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(0, ceiling)(random)));
}

}  // namespace

PgLedger::PgLedger(const std::string& conninfo, PgLedgerOptions options) : options_(std::move(options)) {
  if (!options_.clock) options_.clock = system_now;
  if (options_.connections == 0) options_.connections = 1;
  if (options_.max_attempts < 1) options_.max_attempts = 1;
  for (std::size_t i = 0; i < options_.connections; ++i) {
    connections_.push_back(std::make_unique<sql::PgConnection>(conninfo));
    idle_.push_back(connections_.back().get());
  }
  migrate(*connections_.front());
}

PgLedger::~PgLedger() = default;

sql::PgConnection& PgLedger::acquire() {
  std::unique_lock lock(mutex_);
  released_.wait(lock, [this] { return !idle_.empty(); });
  sql::PgConnection* connection = idle_.back();
  idle_.pop_back();
  return *connection;
}

void PgLedger::release(sql::PgConnection& connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(&connection);
  }
  released_.notify_one();
}

void PgLedger::run_transaction(const std::function<void(LedgerTransaction&)>& work, Durability durability) {
  if (running_ledger == this) {
    throw LedgerError(LedgerErrorCode::kNestedTransaction,
                      "transact() was called from inside a transaction of the same ledger; do all the work in "
                      "the outer transaction");
  }
  sql::PgConnection& connection = acquire();
  struct Release {
    PgLedger& ledger;
    sql::PgConnection& connection;
    ~Release() { ledger.release(connection); }
  } release_on_exit{*this, connection};

  for (int attempt = 1;; ++attempt) {
    try {
      connection.clear_retryable_failure();
      connection.execute("BEGIN ISOLATION LEVEL SERIALIZABLE");
      if (durability == Durability::kDeferred) connection.execute("SET LOCAL synchronous_commit TO OFF");
      SqlLedgerTransaction transaction(connection, options_.clock());
      running_ledger = this;
      work(transaction);
      running_ledger = nullptr;
      connection.execute("COMMIT");
      return;
    } catch (...) {
      running_ledger = nullptr;
      const bool retryable = connection.saw_retryable_failure();
      if (connection.in_transaction()) {
        try {
          connection.execute("ROLLBACK");
        } catch (const LedgerError& error) {
          spdlog::error("ledger: rollback failed: {}", error.what());
        }
      }
      if (!retryable || attempt >= options_.max_attempts) throw;
      {
        std::lock_guard lock(mutex_);
        ++retries_;
      }
      back_off(attempt);
    }
  }
}

std::uint64_t PgLedger::retries() const {
  std::lock_guard lock(mutex_);
  return retries_;
}

}  // namespace sippay::ledger
