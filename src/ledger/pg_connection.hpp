// sql::Connection on one libpq connection. Statements are prepared on the
// server once per connection (PQprepare) and cached by their SQL text;
// ?N parameters are rewritten to PostgreSQL's $N. Results are read in text
// format, byte strings are sent as binary parameters and read back with
// PQunescapeBytea. Not thread-safe: PgLedger gives each thread its own.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "ledger/sql.hpp"

struct pg_conn;

namespace sippay::ledger::sql {

class PgConnection final : public Connection {
 public:
  // Connects with a libpq connection string, e.g. "host=/tmp/sock dbname=payments".
  explicit PgConnection(const std::string& conninfo);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  Statement& cached_statement(std::string_view sql) override;
  void execute(std::string_view sql) override;
  std::int64_t changes() const override { return changes_; }
  bool in_transaction() const override;

  // Whether a command failed with a serialization failure or deadlock
  // (SQLSTATE 40001 or 40P01) since the last clear_retryable_failure(), even
  // if the work caught the error and rolled back to a savepoint.
  bool saw_retryable_failure() const { return saw_retryable_failure_; }
  void clear_retryable_failure() { saw_retryable_failure_ = false; }

  pg_conn* handle() const { return handle_; }
  void record_changes(std::int64_t changes) { changes_ = changes; }
  // Throws LedgerError kStorage with the operation, message and SQLSTATE.
  [[noreturn]] void fail(std::string_view operation, const std::string& sqlstate, std::string_view message);

 private:
  pg_conn* handle_ = nullptr;
  std::int64_t changes_ = 0;
  bool saw_retryable_failure_ = false;
  int next_statement_number_ = 0;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

// "?1 ... ?12" -> "$1 ... $12", leaving quoted literals alone.
std::string rewrite_parameters(std::string_view sql);

}  // namespace sippay::ledger::sql
