#include "ledger/invariants.hpp"

#include <fmt/format.h>

namespace sippay::ledger {
namespace {

// Runs a query whose every row is a violation described by its columns.
void collect(sql::Connection& connection, std::string_view query, std::string_view description,
             std::vector<std::string>& violations) {
  sql::Query select(connection, query);
  while (select->step()) {
    violations.push_back(fmt::format("{}: {} {} {} {}", description, select->column_text(0),
                                     select->column_text(1), select->column_text(2), select->column_text(3)));
  }
}

}  // namespace

std::vector<std::string> check_invariants(LedgerTransaction& tx) {
  sql::Connection& connection = tx.connection();
  std::vector<std::string> violations;

  collect(connection,
          "SELECT id, kind, balance, debits_pending FROM accounts "
          "WHERE kind <> 'issuance' AND (balance < 0 OR balance - debits_pending < 0 OR credits_pending < 0)",
          "negative balance (id, kind, balance, debits_pending)", violations);
  collect(connection,
          "SELECT currency, SUM(balance), SUM(debits_pending), SUM(credits_pending) FROM accounts "
          "GROUP BY currency HAVING SUM(balance) <> 0 OR SUM(debits_pending) <> SUM(credits_pending)",
          "currency out of balance (currency, balances, pending debits, pending credits)", violations);
  collect(connection,
          "SELECT entry_id, COUNT(*), SUM(amount), SUM(pending_debit_change) - SUM(pending_credit_change) "
          "FROM journal_lines GROUP BY entry_id "
          "HAVING COUNT(*) < 2 OR SUM(amount) <> 0 OR SUM(pending_debit_change) <> SUM(pending_credit_change)",
          "unbalanced journal entry (entry, lines, amount sum, pending difference)", violations);
  collect(connection,
          "SELECT e.id, e.transfer_id, e.event, '' FROM journal_entries e "
          "WHERE NOT EXISTS (SELECT 1 FROM journal_lines l WHERE l.entry_id = e.id)",
          "journal entry without lines (entry, transfer, event)", violations);
  collect(connection,
          "SELECT a.id, a.balance, COALESCE(j.amount, 0), a.debits_pending FROM accounts a "
          "LEFT JOIN (SELECT account_id, SUM(amount) AS amount, SUM(pending_debit_change) AS debits, "
          "SUM(pending_credit_change) AS credits FROM journal_lines GROUP BY account_id) j "
          "ON j.account_id = a.id "
          "WHERE a.balance <> COALESCE(j.amount, 0) OR a.debits_pending <> COALESCE(j.debits, 0) "
          "OR a.credits_pending <> COALESCE(j.credits, 0)",
          "account differs from its journal (id, balance, journal sum, debits_pending)", violations);
  collect(connection,
          "SELECT a.id, a.debits_pending, a.credits_pending, "
          "COALESCE((SELECT SUM(amount) FROM transfers t WHERE t.state = 'pending' AND t.debit_account = a.id), 0) "
          "FROM accounts a "
          "WHERE a.debits_pending <> COALESCE((SELECT SUM(amount) FROM transfers t "
          "  WHERE t.state = 'pending' AND t.debit_account = a.id), 0) "
          "OR a.credits_pending <> COALESCE((SELECT SUM(amount) FROM transfers t "
          "  WHERE t.state = 'pending' AND t.credit_account = a.id), 0)",
          "pending columns differ from pending transfers (id, debits, credits, pending debit transfers)",
          violations);
  return violations;
}

}  // namespace sippay::ledger
