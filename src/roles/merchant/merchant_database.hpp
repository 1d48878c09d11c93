// One SQLite connection for the merchant's store: WAL journal,
// synchronous=FULL (a commit survives a power cut), prepared statements
// reused by SQL text, and transactions that roll back unless committed.
// Not thread-safe: the merchant uses it from its I/O thread only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace sippay::roles::merchant {

// A storage failure. The message names the database file, the operation and
// SQLite's message.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class MerchantDatabase;

// A prepared statement, reset when the Statement goes out of scope.
// Parameters are numbered from 1, columns from 0.
class Statement {
 public:
  Statement(MerchantDatabase& database, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::optional<std::string>& text);
  // Runs the statement or moves to its next row; false when there is none.
  bool step();
  bool is_null(int column) const;
  std::int64_t integer(int column) const;
  std::string text(int column) const;
  std::optional<std::string> optional_text(int column) const;

 private:
  MerchantDatabase& database_;
  sqlite3_stmt* statement_;
};

class MerchantDatabase {
 public:
  // Opens or creates the file (not its folder) and sets WAL and
  // synchronous=FULL.
  explicit MerchantDatabase(const std::filesystem::path& path);
  ~MerchantDatabase();
  MerchantDatabase(const MerchantDatabase&) = delete;
  MerchantDatabase& operator=(const MerchantDatabase&) = delete;

  void execute(std::string_view sql);
  std::int64_t changes() const;
  const std::string& path() const { return path_; }
  [[noreturn]] void fail(std::string_view operation) const;

 private:
  friend class Statement;
  sqlite3_stmt* prepared(std::string_view sql);

  sqlite3* handle_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit()
// ran. IMMEDIATE takes the write lock at once, so two merchant processes on
// one file wait for each other instead of failing at their first write.
class Transaction {
 public:
  explicit Transaction(MerchantDatabase& database);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  MerchantDatabase& database_;
  bool open_ = true;
};

// synchronous=NORMAL while it lives, for writes that are safe to lose in a
// crash of the machine (not of the process): their commit skips the fsync,
// and the next FULL commit makes them durable too. Outbox delivery marks
// use it: a lost mark only sends the message again, and receivers
// deduplicate (DESIGN.md §2).
class DeferredSync {
 public:
  explicit DeferredSync(MerchantDatabase& database);
  ~DeferredSync();
  DeferredSync(const DeferredSync&) = delete;
  DeferredSync& operator=(const DeferredSync&) = delete;

 private:
  MerchantDatabase& database_;
};

}  // namespace sippay::roles::merchant
