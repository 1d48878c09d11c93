// Transfers and the journal of SqlLedgerTransaction.
#include <fmt/format.h>

#include <limits>

#include "ledger/amount.hpp"
#include "ledger/currency.hpp"
#include "ledger/sql_ledger_transaction.hpp"
#include "ledger/sql_rows.hpp"
#include "ledger/sql_savepoint.hpp"

namespace sippay::ledger {

using rows::to_milliseconds;

namespace {

constexpr std::int64_t kMaxMinorUnits = std::numeric_limits<std::int64_t>::max();

[[noreturn]] void key_conflict(const Transfer& existing) {
  throw LedgerError(LedgerErrorCode::kKeyConflict,
                    fmt::format("transfer id \"{}\" is already used by a {} {} of {} {} from {} to {}; use a new "
                                "transfer id for a different transfer",
                                existing.id, to_string(existing.state), to_string(existing.kind), existing.amount,
                                existing.currency, existing.debit_account, existing.credit_account));
}

void check_active(const Account& account) {
  if (account.status != AccountStatus::kActive) {
    throw LedgerError(LedgerErrorCode::kAccountFrozen, fmt::format("account {} is frozen", account.id));
  }
}

// Throws kOverflow unless the account can receive `amount` more on top of
// its balance and pending credits, so that posting them can never overflow.
// All balances of a currency sum to zero and top_up keeps the issuance
// balance at or above -INT64_MAX, so the positive balances sum to at most
// INT64_MAX and this check is a second line of defence only.
void check_room_for_credit(const Account& account, std::int64_t amount) {
  const auto total = checked_add(account.balance, account.credits_pending);
  if (!total || !checked_add(*total, amount)) {
    throw LedgerError(LedgerErrorCode::kOverflow,
                      fmt::format("crediting {} minor units to account {} would exceed the maximum balance of {} "
                                  "minor units (balance {}, pending credits {})",
                                  amount, account.id, kMaxMinorUnits, account.balance, account.credits_pending));
  }
}

}  // namespace

std::optional<Transfer> SqlLedgerTransaction::find_transfer(std::string_view transfer_id) {
  sql::Query select(connection_, fmt::format("SELECT {} FROM transfers WHERE id = ?1", rows::kTransferColumns));
  select->bind(1, transfer_id);
  if (!select->step()) return std::nullopt;
  return rows::read_transfer(*select);
}

Transfer SqlLedgerTransaction::require_transfer(std::string_view transfer_id) {
  if (auto transfer = find_transfer(transfer_id)) return *transfer;
  throw LedgerError(LedgerErrorCode::kUnknownTransfer, fmt::format("unknown transfer \"{}\"", transfer_id));
}

TransferResult SqlLedgerTransaction::top_up(const TopUpRequest& request) {
  rows::check_transfer_id(request.transfer_id);
  rows::check_amount(request.amount);
  rows::check_text("the reference", request.reference, kMaxReferenceLength);

  if (auto existing = find_transfer(request.transfer_id)) {
    if (existing->kind != TransferKind::kTopUp || existing->credit_account != request.account ||
        existing->amount != request.amount) {
      key_conflict(*existing);
    }
    return {*existing, true};
  }

  const Account account = get_account(request.account);
  if (account.kind == AccountKind::kIssuance) {
    throw LedgerError(LedgerErrorCode::kWrongAccountKind,
                      fmt::format("account {} is an issuance account and cannot be topped up", account.id));
  }
  check_active(account);
  check_room_for_credit(account, request.amount);

  return in_savepoint([&] {
    const Account issuance = ensure_issuance_account(account.currency);
    // The issuance balance stays at or above -INT64_MAX, so that the sum of
    // all other balances of the currency fits in an int64.
    const auto issued = checked_subtract(issuance.balance, request.amount);
    if (!issued || *issued < -kMaxMinorUnits) {
      throw LedgerError(LedgerErrorCode::kOverflow,
                        fmt::format("topping up {} minor units would issue more than {} minor units of {} in total",
                                    request.amount, kMaxMinorUnits, account.currency));
    }

    Transfer transfer;
    transfer.id = request.transfer_id;
    transfer.kind = TransferKind::kTopUp;
    transfer.debit_account = issuance.id;
    transfer.credit_account = account.id;
    transfer.amount = request.amount;
    transfer.currency = account.currency;
    transfer.state = TransferState::kPosted;
    transfer.created_at = now_;
    transfer.expires_at = now_;
    transfer.settled_at = now_;
    transfer.reference = request.reference;
    insert_transfer(transfer);
    write_entry(transfer.id, JournalEvent::kTopUp,
                {{issuance.id, -request.amount, 0, 0}, {account.id, request.amount, 0, 0}});
    return TransferResult{transfer, false};
  });
}

TransferResult SqlLedgerTransaction::reserve(const ReserveRequest& request) {
  rows::check_transfer_id(request.transfer_id);
  rows::check_amount(request.amount);
  require_currency(request.currency);
  rows::check_text("the reference", request.reference, kMaxReferenceLength);

  if (auto existing = find_transfer(request.transfer_id)) {
    if (existing->kind != TransferKind::kPayment || existing->debit_account != request.debit_account ||
        existing->credit_account != request.credit_account || existing->amount != request.amount ||
        existing->currency != request.currency) {
      key_conflict(*existing);
    }
    return {*existing, true};
  }

  if (request.expires_at <= now_) {
    throw LedgerError(LedgerErrorCode::kInvalidArgument,
                      fmt::format("transfer {}: the deadline {} ms is not after now ({} ms)", request.transfer_id,
                                  to_milliseconds(request.expires_at), to_milliseconds(now_)));
  }
  if (request.debit_account == request.credit_account) {
    throw LedgerError(LedgerErrorCode::kInvalidArgument,
                      fmt::format("transfer {}: debit and credit account are both {}", request.transfer_id,
                                  request.debit_account));
  }

  const Account debit = get_account(request.debit_account);
  const Account credit = get_account(request.credit_account);
  for (const Account* account : {&debit, &credit}) {
    if (account->kind == AccountKind::kIssuance) {
      throw LedgerError(LedgerErrorCode::kWrongAccountKind,
                        fmt::format("transfer {}: account {} is an issuance account, which only top-ups use",
                                    request.transfer_id, account->id));
    }
    check_active(*account);
  }
  for (const Account* account : {&debit, &credit}) {
    if (account->currency != request.currency) {
      throw LedgerError(LedgerErrorCode::kCurrencyMismatch,
                        fmt::format("transfer {} is in {} but account {} is in {}", request.transfer_id,
                                    request.currency, account->id, account->currency));
    }
  }
  if (request.amount > debit.available()) {
    throw LedgerError(LedgerErrorCode::kInsufficientFunds,
                      fmt::format("insufficient funds in account {}: {} minor units requested, {} available",
                                  debit.id, request.amount, debit.available()));
  }
  check_room_for_credit(credit, request.amount);

  return in_savepoint([&] {
    Transfer transfer;
    transfer.id = request.transfer_id;
    transfer.kind = TransferKind::kPayment;
    transfer.debit_account = debit.id;
    transfer.credit_account = credit.id;
    transfer.amount = request.amount;
    transfer.currency = request.currency;
    transfer.state = TransferState::kPending;
    transfer.created_at = now_;
    transfer.expires_at = request.expires_at;
    transfer.reference = request.reference;
    insert_transfer(transfer);
    write_entry(transfer.id, JournalEvent::kReserve,
                {{debit.id, 0, request.amount, 0}, {credit.id, 0, 0, request.amount}});
    return TransferResult{transfer, false};
  });
}

TransferResult SqlLedgerTransaction::post(std::string_view transfer_id) {
  Transfer transfer = require_transfer(transfer_id);
  if (transfer.state == TransferState::kPosted) return {transfer, true};
  if (transfer.state == TransferState::kVoided) {
    throw LedgerError(LedgerErrorCode::kTransferVoided,
                      fmt::format("transfer {} cannot be posted: it was voided ({})", transfer.id,
                                  transfer.void_reason));
  }
  // The deadline is checked here, in the transaction that would post, so a
  // confirmation after it never posts even before the sweep runs.
  if (now_ >= transfer.expires_at) {
    throw LedgerError(LedgerErrorCode::kTransferExpired,
                      fmt::format("transfer {} cannot be posted: its deadline {} ms passed (now {} ms)",
                                  transfer.id, to_milliseconds(transfer.expires_at), to_milliseconds(now_)));
  }

  return in_savepoint([&] {
    mark_transfer_settled(transfer, TransferState::kPosted, "");
    write_entry(transfer.id, JournalEvent::kPost,
                {{transfer.debit_account, -transfer.amount, -transfer.amount, 0},
                 {transfer.credit_account, transfer.amount, 0, -transfer.amount}});
    transfer.state = TransferState::kPosted;
    transfer.settled_at = now_;
    return TransferResult{transfer, false};
  });
}

TransferResult SqlLedgerTransaction::void_transfer(std::string_view transfer_id, std::string_view reason) {
  if (reason.empty()) {
    throw LedgerError(LedgerErrorCode::kInvalidArgument,
                      fmt::format("transfer {}: a void needs a reason such as \"declined\"", transfer_id));
  }
  rows::check_text("the void reason", reason, kMaxVoidReasonLength);
  Transfer transfer = require_transfer(transfer_id);
  if (transfer.state == TransferState::kVoided) return {transfer, true};
  if (transfer.state == TransferState::kPosted) {
    throw LedgerError(LedgerErrorCode::kTransferPosted,
                      fmt::format("transfer {} cannot be voided: it was posted", transfer.id));
  }

  return in_savepoint([&] {
    mark_transfer_settled(transfer, TransferState::kVoided, reason);
    write_entry(transfer.id, JournalEvent::kVoid,
                {{transfer.debit_account, 0, -transfer.amount, 0},
                 {transfer.credit_account, 0, 0, -transfer.amount}});
    transfer.state = TransferState::kVoided;
    transfer.settled_at = now_;
    transfer.void_reason = std::string(reason);
    return TransferResult{transfer, false};
  });
}

std::vector<Transfer> SqlLedgerTransaction::expire_overdue(std::size_t limit) {
  rows::check_page_size(limit);
  std::vector<std::string> overdue;
  {
    sql::Query select(connection_,
                      "SELECT id FROM transfers WHERE state = 'pending' AND expires_at_ms <= ?1 "
                      "ORDER BY expires_at_ms, id LIMIT ?2");
    select->bind(1, to_milliseconds(now_)).bind(2, static_cast<std::int64_t>(limit));
    while (select->step()) overdue.push_back(select->column_text(0));
  }
  std::vector<Transfer> voided;
  for (const std::string& id : overdue) voided.push_back(void_transfer(id, "expired").transfer);
  return voided;
}

void SqlLedgerTransaction::insert_transfer(const Transfer& transfer) {
  sql::Query insert(connection_,
                    "INSERT INTO transfers (id, kind, debit_account, credit_account, amount, currency, state, "
                    "created_at_ms, expires_at_ms, settled_at_ms, void_reason, reference) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, '', ?11)");
  insert->bind(1, transfer.id)
      .bind(2, to_string(transfer.kind))
      .bind(3, transfer.debit_account)
      .bind(4, transfer.credit_account)
      .bind(5, transfer.amount)
      .bind(6, transfer.currency)
      .bind(7, to_string(transfer.state))
      .bind(8, to_milliseconds(transfer.created_at))
      .bind(9, to_milliseconds(transfer.expires_at));
  if (transfer.settled_at) {
    insert->bind(10, to_milliseconds(*transfer.settled_at));
  } else {
    insert->bind_null(10);
  }
  insert->bind(11, transfer.reference);
  insert->step();
}

void SqlLedgerTransaction::mark_transfer_settled(const Transfer& transfer, TransferState state,
                                                 std::string_view reason) {
  sql::Query update(connection_,
                    "UPDATE transfers SET state = ?2, settled_at_ms = ?3, void_reason = ?4 "
                    "WHERE id = ?1 AND state = 'pending'");
  update->bind(1, transfer.id).bind(2, to_string(state)).bind(3, to_milliseconds(now_)).bind(4, reason);
  update->step();
  if (connection_.changes() != 1) {
    // Another transaction settled it between our read and this update.
    throw LedgerError(LedgerErrorCode::kStorage,
                      fmt::format("transfer {} was settled concurrently; read it again", transfer.id));
  }
}

void SqlLedgerTransaction::write_entry(std::string_view transfer_id, JournalEvent event,
                                       const std::vector<Line>& lines) {
  std::int64_t entry_id = 0;
  {
    sql::Query insert(connection_,
                      "INSERT INTO journal_entries (transfer_id, event, created_at_ms) VALUES (?1, ?2, ?3) "
                      "RETURNING id");
    insert->bind(1, transfer_id).bind(2, to_string(event)).bind(3, to_milliseconds(now_));
    insert->step();
    entry_id = insert->column_int64(0);
    // Run it to completion so that the INSERT is done before the next one.
    while (insert->step()) {
    }
  }

  for (const Line& line : lines) {
    // The WHERE clause keeps every non-issuance account at or above zero
    // available, even if another transaction changed it since it was read.
    // The caller checked the amounts against what it read, so no row here
    // means a concurrent change.
    std::int64_t balance = 0;
    std::int64_t debits_pending = 0;
    {
      sql::Query update(connection_,
                        "UPDATE accounts SET balance = balance + ?2, debits_pending = debits_pending + ?3, "
                        "credits_pending = credits_pending + ?4 "
                        "WHERE id = ?1 AND (kind = 'issuance' OR balance + ?2 - (debits_pending + ?3) >= 0) "
                        "RETURNING balance, debits_pending");
      update->bind(1, line.account_id)
          .bind(2, line.amount)
          .bind(3, line.pending_debit_change)
          .bind(4, line.pending_credit_change);
      if (!update->step()) {
        throw LedgerError(LedgerErrorCode::kInsufficientFunds,
                          fmt::format("insufficient funds in account {} (changed concurrently); retry",
                                      line.account_id));
      }
      balance = update->column_int64(0);
      debits_pending = update->column_int64(1);
      while (update->step()) {
      }
    }

    sql::Query insert(connection_,
                      "INSERT INTO journal_lines (entry_id, account_id, amount, pending_debit_change, "
                      "pending_credit_change, balance_after, available_after) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert->bind(1, entry_id)
        .bind(2, line.account_id)
        .bind(3, line.amount)
        .bind(4, line.pending_debit_change)
        .bind(5, line.pending_credit_change)
        .bind(6, balance)
        .bind(7, balance - debits_pending);
    insert->step();
  }
}

}  // namespace sippay::ledger
