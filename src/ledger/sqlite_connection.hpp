// sql::Connection on one SQLite connection, with a cache of prepared
// statements keyed by their SQL text. Not thread-safe: SqliteLedger uses it
// from one thread at a time.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>

#include "ledger/sql.hpp"

struct sqlite3;

namespace sippay::ledger::sql {

class SqliteConnection final : public Connection {
 public:
  // Opens `path` for reading and writing, creating the file (not its folder).
  explicit SqliteConnection(const std::filesystem::path& path);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  Statement& cached_statement(std::string_view sql) override;
  void execute(std::string_view sql) override;
  std::int64_t changes() const override;
  bool in_transaction() const override;

  // The value of a PRAGMA that returns one row and one column, as text.
  std::string query_pragma(std::string_view pragma);

  sqlite3* handle() const { return handle_; }
  const std::string& path() const { return path_; }
  // Throws LedgerError kStorage: "ledger database PATH: OPERATION: SQLite's message".
  [[noreturn]] void fail(std::string_view operation) const;

 private:
  sqlite3* handle_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace sippay::ledger::sql
