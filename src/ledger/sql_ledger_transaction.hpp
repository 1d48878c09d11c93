// The ledger rules written once over sql::Connection, shared by every SQL
// backend. The backend opens and commits the database transaction. This
// class runs each operation in a SAVEPOINT, so that a failed operation
// leaves the transaction as it was.
//
// Every state change is a conditional UPDATE checked by its row count (e.g.
// "... WHERE state = 'pending'"), so the rules also hold under PostgreSQL's
// READ COMMITTED row locking, not only under SQLite's single writer.
#pragma once

#include "ledger/ledger.hpp"

namespace sippay::ledger {

class SqlLedgerTransaction final : public LedgerTransaction {
 public:
  SqlLedgerTransaction(sql::Connection& connection, TimePoint now);

  TimePoint now() const override { return now_; }

  Account create_account(const NewAccount& account) override;
  std::optional<Account> find_account(std::string_view id) override;
  Account get_account(std::string_view id) override;
  std::vector<Account> list_accounts(std::string_view after_id, std::size_t limit) override;
  void set_account_status(std::string_view id, AccountStatus status) override;

  TransferResult top_up(const TopUpRequest& request) override;
  TransferResult reserve(const ReserveRequest& request) override;
  TransferResult post(std::string_view transfer_id) override;
  TransferResult void_transfer(std::string_view transfer_id, std::string_view reason) override;
  std::optional<Transfer> find_transfer(std::string_view transfer_id) override;
  std::vector<Transfer> expire_overdue(std::size_t limit) override;

  HistoryPage history(std::string_view account_id, std::optional<std::int64_t> before_entry_id,
                      std::size_t limit) override;

  PinState pin_state(std::string_view account_id) override;
  void set_pin_verification_value(std::string_view account_id, const Bytes& value) override;
  PinState record_pin_failure(std::string_view account_id, int max_failures,
                              std::chrono::milliseconds lockout) override;
  void reset_pin_failures(std::string_view account_id) override;

  sql::Connection& connection() override { return connection_; }

 private:
  // One balance change of a journal entry.
  struct Line {
    std::string account_id;
    std::int64_t amount = 0;
    std::int64_t pending_debit_change = 0;
    std::int64_t pending_credit_change = 0;
  };

  // Runs `operation` inside SAVEPOINT ledger_operation, rolling back to it
  // when `operation` throws.
  template <class Operation>
  auto in_savepoint(Operation&& operation);

  Account require_customer(std::string_view account_id);
  Account ensure_issuance_account(std::string_view currency);
  Transfer require_transfer(std::string_view transfer_id);
  void insert_transfer(const Transfer& transfer);
  void mark_transfer_settled(const Transfer& transfer, TransferState state, std::string_view reason);
  // Applies each line to its account (conditional UPDATE ... RETURNING) and
  // writes the entry and its lines with the resulting balances.
  void write_entry(std::string_view transfer_id, JournalEvent event, const std::vector<Line>& lines);

  sql::Connection& connection_;
  TimePoint now_;
};

}  // namespace sippay::ledger
