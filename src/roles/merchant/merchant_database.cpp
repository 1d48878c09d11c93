#include "roles/merchant/merchant_database.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace sippay::roles::merchant {
namespace {

// How long a write waits for another connection's lock before failing.
constexpr int kBusyTimeoutMs = 5000;

}  // namespace

Statement::Statement(MerchantDatabase& database, std::string_view sql)
    : database_(database), statement_(database.prepared(sql)) {}

Statement::~Statement() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) {
    database_.fail(fmt::format("binding parameter {}", index));
  }
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT makes SQLite copy the text, which the caller may free.
  if (sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK) {
    database_.fail(fmt::format("binding parameter {}", index));
  }
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  if (text) return bind(index, std::string_view(*text));
  if (sqlite3_bind_null(statement_, index) != SQLITE_OK) {
    database_.fail(fmt::format("binding parameter {}", index));
  }
  return *this;
}

bool Statement::step() {
  const int status = sqlite3_step(statement_);
  if (status == SQLITE_ROW) return true;
  if (status == SQLITE_DONE) return false;
  database_.fail(fmt::format("\"{}\"", sqlite3_sql(statement_)));
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::int64_t Statement::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_blob(statement_, column));
  if (data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
}

std::optional<std::string> Statement::optional_text(int column) const {
  if (is_null(column)) return std::nullopt;
  return text(column);
}

MerchantDatabase::MerchantDatabase(const std::filesystem::path& path) : path_(path.string()) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int status = sqlite3_open_v2(path_.c_str(), &handle_, flags, nullptr);
  if (status != SQLITE_OK) {
    const std::string message = handle_ != nullptr ? sqlite3_errmsg(handle_) : sqlite3_errstr(status);
    sqlite3_close(handle_);
    handle_ = nullptr;
    throw StoreError(fmt::format("merchant store {}: opening failed: {}; check that the path names "
                                 "a file in an existing, writable folder",
                                 path_, message));
  }
  sqlite3_extended_result_codes(handle_, 1);
  sqlite3_busy_timeout(handle_, kBusyTimeoutMs);
  execute("PRAGMA journal_mode=WAL");
  execute("PRAGMA synchronous=FULL");
  execute("PRAGMA foreign_keys=ON");
}

MerchantDatabase::~MerchantDatabase() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close(handle_);
}

void MerchantDatabase::execute(std::string_view sql) {
  const std::string text(sql);
  if (sqlite3_exec(handle_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    fail(fmt::format("\"{}\"", text));
  }
}

std::int64_t MerchantDatabase::changes() const { return sqlite3_changes64(handle_); }

void MerchantDatabase::fail(std::string_view operation) const {
  throw StoreError(
      fmt::format("merchant store {}: {} failed: {}", path_, operation, sqlite3_errmsg(handle_)));
}

sqlite3_stmt* MerchantDatabase::prepared(std::string_view sql) {
  const auto found = statements_.find(std::string(sql));
  if (found != statements_.end()) return found->second;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(handle_, sql.data(), static_cast<int>(sql.size()),
                         SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
    fail(fmt::format("preparing \"{}\"", sql));
  }
  statements_.emplace(std::string(sql), statement);
  return statement;
}

Transaction::Transaction(MerchantDatabase& database) : database_(database) {
  database_.execute("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    database_.execute("ROLLBACK");
  } catch (const StoreError& error) {
    // SQLite may have ended the transaction itself after an I/O error.
    spdlog::warn("{}", error.what());
  }
}

void Transaction::commit() {
  database_.execute("COMMIT");
  open_ = false;
}

DeferredSync::DeferredSync(MerchantDatabase& database) : database_(database) {
  database_.execute("PRAGMA synchronous=NORMAL");
}

DeferredSync::~DeferredSync() {
  try {
    database_.execute("PRAGMA synchronous=FULL");
  } catch (const StoreError& error) {
    spdlog::error("{}", error.what());
  }
}

}  // namespace sippay::roles::merchant
