// The account database: interfaces that SQLite (sqlite_ledger.hpp) and a
// later PostgreSQL backend implement.
//
// All work happens inside Ledger::transact, which runs the caller's function
// in one database transaction:
//
//   ledger.transact([&](LedgerTransaction& tx) {
//     auto reserved = tx.reserve(request);
//     sql::Query insert(tx.connection(), "INSERT INTO gateway_outbox ... VALUES (?1, ?2)");
//     insert->bind(1, reserved.transfer.id).bind(2, notice);
//     insert->step();
//   });
//
// Either everything the function did (ledger operations and the caller's own
// statements) commits, or, when it throws, nothing does and the exception
// reaches the caller of transact. Each ledger operation that throws a
// LedgerError changes nothing, so the function may catch it and go on, for
// example to record a refusal in the same transaction.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ledger/ledger_error.hpp"
#include "ledger/records.hpp"
#include "ledger/sql.hpp"

namespace sippay::ledger {

// The operations available inside one database transaction. Every time
// check uses now(), read once when the transaction's work starts.
class LedgerTransaction {
 public:
  virtual ~LedgerTransaction() = default;

  virtual TimePoint now() const = 0;

  // Accounts.
  virtual Account create_account(const NewAccount& account) = 0;
  virtual std::optional<Account> find_account(std::string_view id) = 0;
  // Throws kUnknownAccount.
  virtual Account get_account(std::string_view id) = 0;
  // Accounts with id > `after_id`, sorted by id; at most `limit` (1 to
  // kMaxPageSize).
  virtual std::vector<Account> list_accounts(std::string_view after_id, std::size_t limit) = 0;
  virtual void set_account_status(std::string_view id, AccountStatus status) = 0;

  // Transfers. All are idempotent by transfer id: see records.hpp.
  // Moves `amount` from the currency's issuance account to `account` at once.
  virtual TransferResult top_up(const TopUpRequest& request) = 0;
  // Holds `amount` of the debit account until post, void or expiry.
  virtual TransferResult reserve(const ReserveRequest& request) = 0;
  // Moves the held money. Throws kTransferExpired at or after the deadline
  // (and changes nothing: the expiry sweep or the caller voids it),
  // kTransferVoided after a void.
  virtual TransferResult post(std::string_view transfer_id) = 0;
  // Releases the hold. Throws kTransferPosted after a post.
  virtual TransferResult void_transfer(std::string_view transfer_id, std::string_view reason) = 0;
  virtual std::optional<Transfer> find_transfer(std::string_view transfer_id) = 0;
  // Voids, with reason "expired", up to `limit` pending transfers whose
  // deadline is at or before now(), oldest deadline first, and returns them.
  virtual std::vector<Transfer> expire_overdue(std::size_t limit) = 0;

  // The account's journal lines older than `before_entry_id` (all when
  // nullopt), newest first, at most `limit` (1 to kMaxPageSize).
  virtual HistoryPage history(std::string_view account_id, std::optional<std::int64_t> before_entry_id,
                              std::size_t limit) = 0;

  // PIN state of customer accounts (kWrongAccountKind on others).
  virtual PinState pin_state(std::string_view account_id) = 0;
  // Stores a new verification value and clears failures and lockout.
  virtual void set_pin_verification_value(std::string_view account_id, const Bytes& value) = 0;
  // Adds one failure; at `max_failures` consecutive failures locks the
  // account until now() + `lockout`. Returns the new state.
  virtual PinState record_pin_failure(std::string_view account_id, int max_failures,
                                      std::chrono::milliseconds lockout) = 0;
  virtual void reset_pin_failures(std::string_view account_id) = 0;

  // The connection this transaction runs on, for the caller's own tables.
  // Use the SQL subset of sql.hpp so that the statements run on every
  // backend, and never COMMIT, ROLLBACK or BEGIN here.
  virtual sql::Connection& connection() = 0;
};

// When a commit returns, relative to the data reaching stable storage.
enum class Durability {
  // After: the commit survives a power loss. Every state change the
  // protocol reports to a peer is committed this way.
  kSynced,
  // Possibly before: the commit survives a crash of the process, but a
  // crash of the machine (SQLite) or of the database server (PostgreSQL)
  // may undo it, together with later deferred commits and never in part.
  // The next synced commit makes it durable too. Only for changes that
  // are safe to lose, such as an outbox entry's delivery mark (the entry
  // is then sent again, and receivers deduplicate).
  kDeferred,
};

class Ledger {
 public:
  virtual ~Ledger() = default;

  // Runs `work` in one database transaction and returns what it returns.
  // Thread-safe. `work` must not call transact itself (kNestedTransaction)
  // and must have no effect outside the database, because a backend may run
  // it again after a serialization failure.
  template <class Work>
  auto transact(Work&& work) -> std::invoke_result_t<Work&, LedgerTransaction&> {
    return transact(Durability::kSynced, std::forward<Work>(work));
  }

  template <class Work>
  auto transact(Durability durability, Work&& work) -> std::invoke_result_t<Work&, LedgerTransaction&> {
    using Result = std::invoke_result_t<Work&, LedgerTransaction&>;
    if constexpr (std::is_void_v<Result>) {
      run_transaction([&](LedgerTransaction& tx) { work(tx); }, durability);
    } else {
      std::optional<Result> result;
      run_transaction([&](LedgerTransaction& tx) { result.emplace(work(tx)); }, durability);
      return std::move(*result);
    }
  }

  // The primitive under transact(): returns after the work committed, or
  // throws what the work threw (after rolling it back) or kStorage when the
  // commit failed.
  virtual void run_transaction(const std::function<void(LedgerTransaction&)>& work, Durability durability) = 0;
};

}  // namespace sippay::ledger
