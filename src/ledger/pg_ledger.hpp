// The ledger on PostgreSQL (libpq). Each transact() takes a connection from
// a pool and runs the work in one SERIALIZABLE transaction. When PostgreSQL
// reports a serialization failure or deadlock (SQLSTATE 40001 or 40P01), it
// rolls back and runs the work again, up to `max_attempts` times. After
// that the caller gets the LedgerError kStorage.
// The ledger rules are the same as on SQLite (SqlLedgerTransaction).
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ledger/ledger.hpp"

namespace sippay::ledger {

namespace sql {
class PgConnection;
}

struct PgLedgerOptions {
  std::size_t connections = 4;
  // Runs of one work at most; between them a random back-off of up to 64 ms.
  int max_attempts = 20;
  // The time that transactions see as now(); the system clock by default.
  std::function<TimePoint()> clock;
};

class PgLedger final : public Ledger {
 public:
  // Connects with a libpq connection string and creates or upgrades the
  // schema. Throws LedgerError kStorage on failure.
  explicit PgLedger(const std::string& conninfo, PgLedgerOptions options = {});
  ~PgLedger() override;
  PgLedger(const PgLedger&) = delete;
  PgLedger& operator=(const PgLedger&) = delete;

  // Durability::kDeferred commits with synchronous_commit off (PostgreSQL's
  // asynchronous commit) for this transaction only.
  void run_transaction(const std::function<void(LedgerTransaction&)>& work, Durability durability) override;

  // Attempts run again after a serialization failure, for tests.
  std::uint64_t retries() const;

 private:
  sql::PgConnection& acquire();
  void release(sql::PgConnection& connection);

  PgLedgerOptions options_;
  std::vector<std::unique_ptr<sql::PgConnection>> connections_;

  mutable std::mutex mutex_;
  std::condition_variable released_;
  std::vector<sql::PgConnection*> idle_;
  std::uint64_t retries_ = 0;
};

}  // namespace sippay::ledger
