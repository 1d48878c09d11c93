// Accounts and PIN state of SqlLedgerTransaction.
#include <fmt/format.h>

#include "ledger/currency.hpp"
#include "ledger/sql_ledger_transaction.hpp"
#include "ledger/sql_rows.hpp"
#include "ledger/sql_savepoint.hpp"

namespace sippay::ledger {

using rows::from_milliseconds;
using rows::to_milliseconds;

SqlLedgerTransaction::SqlLedgerTransaction(sql::Connection& connection, TimePoint now)
    : connection_(connection), now_(now) {}

Account SqlLedgerTransaction::create_account(const NewAccount& account) {
  rows::check_account_id(account.id);
  if (account.id.starts_with("issuance:")) {
    throw LedgerError(LedgerErrorCode::kInvalidArgument,
                      fmt::format("invalid account id \"{}\": ids starting with \"issuance:\" are reserved for "
                                  "the ledger's issuance accounts",
                                  account.id));
  }
  if (account.kind == AccountKind::kIssuance) {
    throw LedgerError(LedgerErrorCode::kWrongAccountKind,
                      fmt::format("account {}: issuance accounts are created by the ledger, not by callers",
                                  account.id));
  }
  rows::check_owner_uri(account.owner_uri);
  require_currency(account.currency);

  return in_savepoint([&] {
    if (find_account(account.id)) {
      throw LedgerError(LedgerErrorCode::kDuplicateAccount,
                        fmt::format("account {} already exists", account.id));
    }
    sql::Query insert(connection_,
                      "INSERT INTO accounts (id, kind, owner_uri, currency, balance, debits_pending, "
                      "credits_pending, status, pin_failures, created_at_ms) "
                      "VALUES (?1, ?2, ?3, ?4, 0, 0, 0, 'active', 0, ?5)");
    insert->bind(1, account.id)
        .bind(2, to_string(account.kind))
        .bind(3, account.owner_uri)
        .bind(4, account.currency)
        .bind(5, to_milliseconds(now_));
    insert->step();
    return get_account(account.id);
  });
}

std::optional<Account> SqlLedgerTransaction::find_account(std::string_view id) {
  sql::Query select(connection_, fmt::format("SELECT {} FROM accounts WHERE id = ?1", rows::kAccountColumns));
  select->bind(1, id);
  if (!select->step()) return std::nullopt;
  return rows::read_account(*select);
}

Account SqlLedgerTransaction::get_account(std::string_view id) {
  if (auto account = find_account(id)) return *account;
  throw LedgerError(LedgerErrorCode::kUnknownAccount, fmt::format("unknown account \"{}\"", id));
}

std::vector<Account> SqlLedgerTransaction::list_accounts(std::string_view after_id, std::size_t limit) {
  rows::check_page_size(limit);
  sql::Query select(connection_, fmt::format("SELECT {} FROM accounts WHERE id > ?1 ORDER BY id LIMIT ?2",
                                             rows::kAccountColumns));
  select->bind(1, after_id).bind(2, static_cast<std::int64_t>(limit));
  std::vector<Account> accounts;
  while (select->step()) accounts.push_back(rows::read_account(*select));
  return accounts;
}

void SqlLedgerTransaction::set_account_status(std::string_view id, AccountStatus status) {
  const Account account = get_account(id);
  if (account.kind == AccountKind::kIssuance) {
    throw LedgerError(LedgerErrorCode::kWrongAccountKind,
                      fmt::format("account {}: an issuance account cannot be frozen", id));
  }
  sql::Query update(connection_, "UPDATE accounts SET status = ?2 WHERE id = ?1");
  update->bind(1, id).bind(2, to_string(status));
  update->step();
}

Account SqlLedgerTransaction::require_customer(std::string_view account_id) {
  Account account = get_account(account_id);
  if (account.kind != AccountKind::kCustomer) {
    throw LedgerError(LedgerErrorCode::kWrongAccountKind,
                      fmt::format("account {} is a {} account; PINs belong to customer accounts only", account_id,
                                  to_string(account.kind)));
  }
  return account;
}

Account SqlLedgerTransaction::ensure_issuance_account(std::string_view currency) {
  const std::string id = rows::issuance_account_id(currency);
  if (auto account = find_account(id)) return *account;
  sql::Query insert(connection_,
                    "INSERT INTO accounts (id, kind, owner_uri, currency, balance, debits_pending, "
                    "credits_pending, status, pin_failures, created_at_ms) "
                    "VALUES (?1, 'issuance', '', ?2, 0, 0, 0, 'active', 0, ?3)");
  insert->bind(1, id).bind(2, currency).bind(3, to_milliseconds(now_));
  insert->step();
  return get_account(id);
}

PinState SqlLedgerTransaction::pin_state(std::string_view account_id) {
  require_customer(account_id);
  sql::Query select(connection_,
                    "SELECT pin_verification_value, pin_failures, pin_locked_until_ms FROM accounts WHERE id = ?1");
  select->bind(1, account_id);
  select->step();
  PinState state;
  if (!select->column_is_null(0)) state.verification_value = select->column_blob(0);
  state.failures = static_cast<int>(select->column_int64(1));
  if (!select->column_is_null(2)) state.locked_until = from_milliseconds(select->column_int64(2));
  return state;
}

void SqlLedgerTransaction::set_pin_verification_value(std::string_view account_id, const Bytes& value) {
  require_customer(account_id);
  if (value.empty() || value.size() > kMaxPinVerificationValueLength) {
    throw LedgerError(LedgerErrorCode::kInvalidArgument,
                      fmt::format("account {}: a PIN verification value of {} bytes is invalid; use 1 to {} bytes",
                                  account_id, value.size(), kMaxPinVerificationValueLength));
  }
  sql::Query update(connection_,
                    "UPDATE accounts SET pin_verification_value = ?2, pin_failures = 0, "
                    "pin_locked_until_ms = NULL WHERE id = ?1");
  update->bind(1, account_id).bind_blob(2, value);
  update->step();
}

PinState SqlLedgerTransaction::record_pin_failure(std::string_view account_id, int max_failures,
                                                  std::chrono::milliseconds lockout) {
  require_customer(account_id);
  if (max_failures < 1 || lockout.count() < 0) {
    throw LedgerError(LedgerErrorCode::kInvalidArgument,
                      fmt::format("invalid PIN lockout policy: {} failures, {} ms; use at least 1 failure and a "
                                  "lockout of 0 ms or more",
                                  max_failures, lockout.count()));
  }
  // One statement, so that two concurrent failures both count.
  sql::Query update(connection_,
                    "UPDATE accounts SET pin_failures = pin_failures + 1, "
                    "pin_locked_until_ms = CASE WHEN pin_failures + 1 >= ?2 THEN ?3 ELSE pin_locked_until_ms END "
                    "WHERE id = ?1");
  update->bind(1, account_id)
      .bind(2, std::int64_t{max_failures})
      .bind(3, to_milliseconds(now_ + lockout));
  update->step();
  return pin_state(account_id);
}

void SqlLedgerTransaction::reset_pin_failures(std::string_view account_id) {
  require_customer(account_id);
  sql::Query update(connection_,
                    "UPDATE accounts SET pin_failures = 0, pin_locked_until_ms = NULL WHERE id = ?1");
  update->bind(1, account_id);
  update->step();
}

}  // namespace sippay::ledger
