// The narrow SQL interface the ledger logic runs on, so that one
// implementation of the ledger rules serves SQLite and PostgreSQL.
//
// SQL text given to a Connection uses only standard SQL plus:
//   - numbered parameters ?1, ?2, ... (a PostgreSQL connection rewrites
//     them to $1, $2, ...);
//   - INSERT/UPDATE ... RETURNING (SQLite 3.35 and later, PostgreSQL);
//   - partial indexes (CREATE INDEX ... WHERE).
// Integers are int64; byte strings are BLOB in SQLite and BYTEA in PostgreSQL.
// Every failure throws LedgerError kStorage.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "ledger/records.hpp"

namespace sippay::ledger::sql {

// A prepared statement. Parameters are numbered from 1, columns from 0.
class Statement {
 public:
  virtual ~Statement() = default;

  virtual Statement& bind(int index, std::int64_t value) = 0;
  virtual Statement& bind(int index, std::string_view text) = 0;
  virtual Statement& bind_blob(int index, std::span<const std::uint8_t> bytes) = 0;
  virtual Statement& bind_null(int index) = 0;

  // Runs the statement or advances to its next row; false when there is no
  // (further) row.
  virtual bool step() = 0;
  // Clears the bindings and makes the statement ready to run again.
  virtual void reset() = 0;

  virtual bool column_is_null(int column) const = 0;
  virtual std::int64_t column_int64(int column) const = 0;
  virtual std::string column_text(int column) const = 0;
  virtual Bytes column_blob(int column) const = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // A statement for `sql`, prepared once per connection and reused. The
  // caller resets it after use (Query does).
  virtual Statement& cached_statement(std::string_view sql) = 0;
  // Runs statements that return no rows, e.g. SAVEPOINT or DDL.
  virtual void execute(std::string_view sql) = 0;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  virtual std::int64_t changes() const = 0;
  // Whether a transaction is open on this connection.
  virtual bool in_transaction() const = 0;
};

// A cached statement that is reset when the Query goes out of scope, so
// that no read stays open on the connection.
class Query {
 public:
  Query(Connection& connection, std::string_view sql) : statement_(connection.cached_statement(sql)) {}
  ~Query() { statement_.reset(); }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Statement* operator->() { return &statement_; }
  Statement& operator*() { return statement_; }

 private:
  Statement& statement_;
};

}  // namespace sippay::ledger::sql
