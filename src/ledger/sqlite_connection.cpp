#include "ledger/sqlite_connection.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include "ledger/ledger_error.hpp"

namespace sippay::ledger::sql {
namespace {

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(SqliteConnection& connection, std::string_view sql) : connection_(connection) {
    const int status = sqlite3_prepare_v3(connection.handle(), sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &statement_, nullptr);
    if (status != SQLITE_OK) connection.fail(fmt::format("preparing \"{}\" failed", sql));
  }
  ~SqliteStatement() override { sqlite3_finalize(statement_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  Statement& bind(int index, std::int64_t value) override {
    check_bind(sqlite3_bind_int64(statement_, index, value), index);
    return *this;
  }
  Statement& bind(int index, std::string_view text) override {
    // SQLITE_TRANSIENT makes SQLite copy the text, which the caller may free.
    check_bind(sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT),
               index);
    return *this;
  }
  Statement& bind_blob(int index, std::span<const std::uint8_t> bytes) override {
    check_bind(sqlite3_bind_blob(statement_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT),
               index);
    return *this;
  }
  Statement& bind_null(int index) override {
    check_bind(sqlite3_bind_null(statement_, index), index);
    return *this;
  }

  bool step() override {
    const int status = sqlite3_step(statement_);
    if (status == SQLITE_ROW) return true;
    if (status == SQLITE_DONE) return false;
    // Read the message before the reset, which may replace it.
    const std::string operation = fmt::format("\"{}\" failed", sqlite3_sql(statement_));
    const std::string message = sqlite3_errmsg(connection_.handle());
    sqlite3_reset(statement_);
    throw LedgerError(LedgerErrorCode::kStorage,
                      fmt::format("ledger database {}: {}: {}", connection_.path(), operation, message));
  }

  void reset() override {
    // sqlite3_reset repeats the error of the last step, which step() has
    // already reported.
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }

  bool column_is_null(int column) const override { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
  std::int64_t column_int64(int column) const override { return sqlite3_column_int64(statement_, column); }
  std::string column_text(int column) const override {
    const unsigned char* text = sqlite3_column_text(statement_, column);
    if (text == nullptr) return {};
    const int size = sqlite3_column_bytes(statement_, column);
    return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
  }
  Bytes column_blob(int column) const override {
    const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_, column));
    const int size = sqlite3_column_bytes(statement_, column);
    if (data == nullptr) return {};
    return Bytes(data, data + size);
  }

 private:
  void check_bind(int status, int index) {
    if (status != SQLITE_OK) connection_.fail(fmt::format("binding parameter {} failed", index));
  }

  SqliteConnection& connection_;
  sqlite3_stmt* statement_ = nullptr;
};

}  // namespace

SqliteConnection::SqliteConnection(const std::filesystem::path& path) : path_(path.string()) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int status = sqlite3_open_v2(path_.c_str(), &handle_, flags, nullptr);
  if (status != SQLITE_OK) {
    // The handle can be null when SQLite could not allocate it.
    const std::string message = handle_ != nullptr ? sqlite3_errmsg(handle_) : sqlite3_errstr(status);
    sqlite3_close(handle_);
    handle_ = nullptr;
    throw LedgerError(LedgerErrorCode::kStorage,
                      fmt::format("ledger database {}: failed to open: {}; check that the path names a file in "
                                  "an existing, writable folder",
                                  path_, message));
  }
  sqlite3_extended_result_codes(handle_, 1);
}

SqliteConnection::~SqliteConnection() {
  // Statements must be finalized before the connection closes.
  statements_.clear();
  sqlite3_close(handle_);
}

Statement& SqliteConnection::cached_statement(std::string_view sql) {
  auto found = statements_.find(std::string(sql));
  if (found == statements_.end()) {
    found = statements_.emplace(std::string(sql), std::make_unique<SqliteStatement>(*this, sql)).first;
  }
  return *found->second;
}

void SqliteConnection::execute(std::string_view sql) {
  const std::string text(sql);
  if (sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    fail(fmt::format("\"{}\" failed", text));
  }
}

std::int64_t SqliteConnection::changes() const { return sqlite3_changes64(handle_); }

bool SqliteConnection::in_transaction() const { return sqlite3_get_autocommit(handle_) == 0; }

std::string SqliteConnection::query_pragma(std::string_view pragma) {
  Query query(*this, fmt::format("PRAGMA {}", pragma));
  if (!query->step()) fail(fmt::format("PRAGMA {} returned no row", pragma));
  return query->column_text(0);
}

void SqliteConnection::fail(std::string_view operation) const {
  throw LedgerError(LedgerErrorCode::kStorage,
                    fmt::format("ledger database {}: {}: {}", path_, operation, sqlite3_errmsg(handle_)));
}

}  // namespace sippay::ledger::sql
