// A thin RAII layer over the SQLite C API: a connection, prepared
// statements and transactions. Every failure throws LocationError naming the
// database file and SQLite's message.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace sippay::proxy::sqlite {

class Database {
 public:
  // Opens `path` for reading and writing, creating the file when it does
  // not exist (but not its folder).
  explicit Database(const std::filesystem::path& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements that return no rows the caller needs.
  // `operation` describes the work in an error message; when it is empty,
  // the SQL text does.
  void execute(std::string_view sql, std::string_view operation = {});
  // The value of a PRAGMA that returns one row and one column, as text.
  std::string query_pragma(std::string_view pragma);

  // Whether the last failure was SQLITE_BUSY: another connection holds a
  // lock on the file.
  bool last_error_is_busy() const;
  // Rows changed by the last INSERT, UPDATE or DELETE that completed.
  std::int64_t changes() const;

  sqlite3* handle() const { return handle_; }
  const std::string& path() const { return path_; }
  // Throws LocationError: "location database PATH: OPERATION: SQLite's message".
  [[noreturn]] void fail(std::string_view operation) const;

 private:
  sqlite3* handle_ = nullptr;
  std::string path_;
};

// A prepared statement. Parameters are numbered from 1, columns from 0.
class Statement {
 public:
  Statement(Database& database, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, std::int64_t value);
  // Advances to the next row; false when there is none. After an error the
  // statement is reset, so it can run again.
  bool step();
  // Makes the statement ready to run again with new parameters.
  void reset();

  std::int64_t column_int64(int column) const;
  std::string column_text(int column) const;

 private:
  Database& database_;
  sqlite3_stmt* statement_ = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit()
// succeeded.
class Transaction {
 public:
  explicit Transaction(Database& database);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();

 private:
  Database& database_;
  bool open_ = true;
};

}  // namespace sippay::proxy::sqlite
