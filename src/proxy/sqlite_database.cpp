#include "proxy/sqlite_database.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include "proxy/location_service.hpp"

namespace sippay::proxy::sqlite {

Database::Database(const std::filesystem::path& path) : path_(path.string()) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const int status = sqlite3_open_v2(path_.c_str(), &handle_, flags, nullptr);
  if (status != SQLITE_OK) {
    // The handle can be null when SQLite could not allocate it.
    const std::string message = handle_ != nullptr ? sqlite3_errmsg(handle_) : sqlite3_errstr(status);
    sqlite3_close(handle_);
    handle_ = nullptr;
    throw LocationError(fmt::format(
        "location database {}: failed to open: {}; check that the path names a file in an existing, "
        "writable folder",
        path_, message));
  }
  sqlite3_extended_result_codes(handle_, 1);
}

Database::~Database() { sqlite3_close(handle_); }

void Database::execute(std::string_view sql, std::string_view operation) {
  const std::string text(sql);
  if (sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    fail(operation.empty() ? fmt::format("\"{}\" failed", text) : std::string(operation));
  }
}

std::string Database::query_pragma(std::string_view pragma) {
  Statement statement(*this, fmt::format("PRAGMA {}", pragma));
  if (!statement.step()) fail(fmt::format("PRAGMA {} returned no row", pragma));
  return statement.column_text(0);
}

bool Database::last_error_is_busy() const { return sqlite3_errcode(handle_) == SQLITE_BUSY; }

std::int64_t Database::changes() const { return sqlite3_changes64(handle_); }

void Database::fail(std::string_view operation) const {
  throw LocationError(fmt::format("location database {}: {}: {}", path_, operation, sqlite3_errmsg(handle_)));
}

Statement::Statement(Database& database, std::string_view sql) : database_(database) {
  const int status = sqlite3_prepare_v2(database.handle(), sql.data(), static_cast<int>(sql.size()),
                                        &statement_, nullptr);
  if (status != SQLITE_OK) database.fail(fmt::format("preparing \"{}\" failed", sql));
}

Statement::~Statement() { sqlite3_finalize(statement_); }

Statement& Statement::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT makes SQLite copy the text, which the caller may free.
  if (sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    database_.fail(fmt::format("binding parameter {} failed", index));
  }
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) {
    database_.fail(fmt::format("binding parameter {} failed", index));
  }
  return *this;
}

bool Statement::step() {
  const int status = sqlite3_step(statement_);
  if (status == SQLITE_ROW) return true;
  if (status == SQLITE_DONE) return false;

  // Reset so that the statement can run again, but read the message first.
  const std::string operation = fmt::format("\"{}\" failed", sqlite3_sql(statement_));
  const std::string message = sqlite3_errmsg(database_.handle());
  sqlite3_reset(statement_);
  throw LocationError(fmt::format("location database {}: {}: {}", database_.path(), operation, message));
}

void Statement::reset() {
  // sqlite3_reset repeats the error of the last step, which step() has
  // already reported.
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::int64_t Statement::column_int64(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::string Statement::column_text(int column) const {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  if (text == nullptr) return {};
  const int size = sqlite3_column_bytes(statement_, column);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

Transaction::Transaction(Database& database) : database_(database) {
  database_.execute("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!open_) return;
  // Errors are ignored: a failed ROLLBACK leaves nothing more to undo here,
  // and a destructor must not throw.
  sqlite3_exec(database_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  database_.execute("COMMIT");
  open_ = false;
}

}  // namespace sippay::proxy::sqlite
