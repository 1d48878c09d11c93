#include "ledger/pg_connection.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <optional>
#include <vector>

#include "ledger/ledger_error.hpp"

namespace sippay::ledger::sql {
namespace {

// One PGresult, cleared on destruction.
struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string sqlstate_of(const PGresult* result) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  return state != nullptr ? state : "";
}

class PgStatement final : public Statement {
 public:
  PgStatement(PgConnection& connection, std::string_view sql, std::string name)
      : connection_(connection), sql_(sql), name_(std::move(name)) {
    const std::string text = rewrite_parameters(sql);
    Result result(PQprepare(connection.handle(), name_.c_str(), text.c_str(), 0, nullptr));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
      connection.fail(fmt::format("preparing \"{}\" failed", sql_), sqlstate_of(result.get()),
                      PQerrorMessage(connection.handle()));
    }
    Result description(PQdescribePrepared(connection.handle(), name_.c_str()));
    const int count = PQresultStatus(description.get()) == PGRES_COMMAND_OK ? PQnparams(description.get()) : 0;
    values_.resize(static_cast<std::size_t>(count));
    binary_.resize(static_cast<std::size_t>(count), 0);
  }

  Statement& bind(int index, std::int64_t value) override {
    slot(index) = std::to_string(value);
    binary_[static_cast<std::size_t>(index - 1)] = 0;
    return *this;
  }
  Statement& bind(int index, std::string_view text) override {
    slot(index) = std::string(text);
    binary_[static_cast<std::size_t>(index - 1)] = 0;
    return *this;
  }
  Statement& bind_blob(int index, std::span<const std::uint8_t> bytes) override {
    slot(index) = std::string(bytes.begin(), bytes.end());
    binary_[static_cast<std::size_t>(index - 1)] = 1;
    return *this;
  }
  Statement& bind_null(int index) override {
    slot(index).reset();
    return *this;
  }

  bool step() override {
    if (!result_) {
      run();
      row_ = 0;
    } else {
      ++row_;
    }
    return row_ < PQntuples(result_.get());
  }

  void reset() override {
    result_.reset();
    row_ = -1;
    for (auto& value : values_) value.reset();
  }

  bool column_is_null(int column) const override { return PQgetisnull(result_.get(), row_, column) == 1; }
  std::int64_t column_int64(int column) const override {
    const char* text = PQgetvalue(result_.get(), row_, column);
    const std::size_t size = static_cast<std::size_t>(PQgetlength(result_.get(), row_, column));
    std::int64_t value = 0;
    // NULL reads as 0, as in SQLite.
    std::from_chars(text, text + size, value);
    return value;
  }
  std::string column_text(int column) const override {
    return std::string(PQgetvalue(result_.get(), row_, column),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row_, column)));
  }
  Bytes column_blob(int column) const override {
    std::size_t size = 0;
    unsigned char* bytes =
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row_, column)), &size);
    if (bytes == nullptr) return {};
    Bytes value(bytes, bytes + size);
    PQfreemem(bytes);
    return value;
  }

 private:
  std::optional<std::string>& slot(int index) {
    if (index < 1 || static_cast<std::size_t>(index) > values_.size()) {
      connection_.fail(fmt::format("binding parameter {} of \"{}\" failed", index, sql_), "",
                       fmt::format("the statement has {} parameters", values_.size()));
    }
    return values_[static_cast<std::size_t>(index - 1)];
  }

  void run() {
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (const auto& value : values_) {
      values.push_back(value ? value->data() : nullptr);
      lengths.push_back(value ? static_cast<int>(value->size()) : 0);
    }
    result_.reset(PQexecPrepared(connection_.handle(), name_.c_str(), static_cast<int>(values.size()), values.data(),
                                 lengths.data(), binary_.data(), 0));
    const ExecStatusType status = PQresultStatus(result_.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      const std::string sqlstate = sqlstate_of(result_.get());
      const std::string message = PQresultErrorMessage(result_.get());
      result_.reset();
      connection_.fail(fmt::format("\"{}\" failed", sql_), sqlstate, message);
    }
    const char* changed = PQcmdTuples(result_.get());
    connection_.record_changes(changed[0] != '\0' ? std::stoll(changed) : 0);
  }

  PgConnection& connection_;
  std::string sql_;
  std::string name_;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> binary_;
  Result result_;
  int row_ = -1;
};

}  // namespace

std::string rewrite_parameters(std::string_view sql) {
  std::string text;
  text.reserve(sql.size());
  bool in_literal = false;
  for (char c : sql) {
    if (c == '\'') in_literal = !in_literal;
    text += (c == '?' && !in_literal) ? '$' : c;
  }
  return text;
}

PgConnection::PgConnection(const std::string& conninfo) : handle_(PQconnectdb(conninfo.c_str())) {
  if (PQstatus(handle_) != CONNECTION_OK) {
    const std::string message = handle_ != nullptr ? PQerrorMessage(handle_) : "out of memory";
    PQfinish(handle_);
    handle_ = nullptr;
    // The connection string is left out because it may contain a password;
    // libpq's message names the host or socket.
    throw LedgerError(LedgerErrorCode::kStorage,
                      fmt::format("ledger database (PostgreSQL): failed to connect: {}", message));
  }
  // Notices (e.g. "there is no transaction in progress") go nowhere.
  PQsetNoticeProcessor(handle_, [](void*, const char*) {}, nullptr);
}

PgConnection::~PgConnection() {
  statements_.clear();
  PQfinish(handle_);
}

Statement& PgConnection::cached_statement(std::string_view sql) {
  auto found = statements_.find(std::string(sql));
  if (found == statements_.end()) {
    auto statement = std::make_unique<PgStatement>(*this, sql, fmt::format("ledger_{}", next_statement_number_++));
    found = statements_.emplace(std::string(sql), std::move(statement)).first;
  }
  return *found->second;
}

void PgConnection::execute(std::string_view sql) {
  const std::string text(sql);
  Result result(PQexec(handle_, text.c_str()));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    fail(fmt::format("\"{}\" failed", text), sqlstate_of(result.get()), PQresultErrorMessage(result.get()));
  }
}

bool PgConnection::in_transaction() const { return PQtransactionStatus(handle_) != PQTRANS_IDLE; }

void PgConnection::fail(std::string_view operation, const std::string& sqlstate, std::string_view message) {
  if (sqlstate == "40001" || sqlstate == "40P01") saw_retryable_failure_ = true;
  std::string_view trimmed = message;
  while (!trimmed.empty() && trimmed.back() == '\n') trimmed.remove_suffix(1);
  throw LedgerError(LedgerErrorCode::kStorage, fmt::format("ledger database: {}: {} (SQLSTATE {})", operation,
                                                           trimmed, sqlstate.empty() ? "none" : sqlstate));
}

}  // namespace sippay::ledger::sql
