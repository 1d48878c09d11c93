// The per-account transaction log of SqlLedgerTransaction.
#include <fmt/format.h>

#include <limits>

#include "ledger/sql_ledger_transaction.hpp"
#include "ledger/sql_rows.hpp"

namespace sippay::ledger {
namespace {

JournalEvent parse_event(const std::string& text) {
  if (text == "top_up") return JournalEvent::kTopUp;
  if (text == "reserve") return JournalEvent::kReserve;
  if (text == "post") return JournalEvent::kPost;
  if (text == "void") return JournalEvent::kVoid;
  throw LedgerError(LedgerErrorCode::kStorage, fmt::format("invalid journal event \"{}\" stored in the ledger", text));
}

TransferState parse_state(const std::string& text) {
  if (text == "pending") return TransferState::kPending;
  if (text == "posted") return TransferState::kPosted;
  if (text == "voided") return TransferState::kVoided;
  throw LedgerError(LedgerErrorCode::kStorage, fmt::format("invalid transfer state \"{}\" stored in the ledger", text));
}

}  // namespace

HistoryPage SqlLedgerTransaction::history(std::string_view account_id, std::optional<std::int64_t> before_entry_id,
                                          std::size_t limit) {
  rows::check_page_size(limit);
  get_account(account_id);

  // One row more than the page shows whether an older page exists.
  sql::Query select(connection_,
                    "SELECT e.id, e.created_at_ms, e.transfer_id, e.event, "
                    "CASE WHEN t.debit_account = l.account_id THEN t.credit_account ELSE t.debit_account END, "
                    "l.amount, l.pending_debit_change, l.pending_credit_change, l.balance_after, "
                    "l.available_after, t.state, t.reference "
                    "FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id "
                    "JOIN transfers t ON t.id = e.transfer_id "
                    "WHERE l.account_id = ?1 AND l.entry_id < ?2 ORDER BY l.entry_id DESC LIMIT ?3");
  select->bind(1, account_id)
      .bind(2, before_entry_id.value_or(std::numeric_limits<std::int64_t>::max()))
      .bind(3, static_cast<std::int64_t>(limit + 1));

  HistoryPage page;
  while (select->step()) {
    if (page.entries.size() == limit) {
      page.next_before_entry_id = page.entries.back().entry_id;
      break;
    }
    HistoryEntry entry;
    entry.entry_id = select->column_int64(0);
    entry.time = rows::from_milliseconds(select->column_int64(1));
    entry.transfer_id = select->column_text(2);
    entry.event = parse_event(select->column_text(3));
    entry.counterparty = select->column_text(4);
    entry.amount = select->column_int64(5);
    entry.pending_debit_change = select->column_int64(6);
    entry.pending_credit_change = select->column_int64(7);
    entry.balance_after = select->column_int64(8);
    entry.available_after = select->column_int64(9);
    entry.transfer_state = parse_state(select->column_text(10));
    entry.reference = select->column_text(11);
    page.entries.push_back(std::move(entry));
  }
  return page;
}

}  // namespace sippay::ledger
