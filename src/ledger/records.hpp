// The values the ledger stores and returns: accounts, transfers, PIN state
// and history entries. Amounts are int64 minor units of the account's
// currency; times are milliseconds since the Unix epoch (UTC).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sippay::ledger {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Bytes = std::vector<std::uint8_t>;

// kIssuance is the one account per currency that top-ups are moved from. It
// is the only account whose balance may go negative: minus its balance is
// the money issued in that currency, so all balances of a currency sum to 0.
enum class AccountKind : unsigned char { kCustomer, kMerchant, kIssuance };
// A frozen account takes part in no new reserve or top-up; its pending
// transfers can still be posted or voided.
enum class AccountStatus : unsigned char { kActive, kFrozen };

std::string_view to_string(AccountKind kind);      // "customer", "merchant", "issuance"
std::string_view to_string(AccountStatus status);  // "active", "frozen"
std::optional<AccountKind> parse_account_kind(std::string_view text);
std::optional<AccountStatus> parse_account_status(std::string_view text);

struct NewAccount {
  std::string id;  // 1-64 characters of [A-Za-z0-9._@:+-], not starting with "issuance:"
  AccountKind kind = AccountKind::kCustomer;
  std::string owner_uri;  // sip: or sips: URI of the owner, at most 256 bytes
  std::string currency;   // ISO 4217, see currency.hpp
};

struct Account {
  std::string id;
  AccountKind kind = AccountKind::kCustomer;
  std::string owner_uri;
  std::string currency;
  std::int64_t balance = 0;          // posted money
  std::int64_t debits_pending = 0;   // holds of pending transfers that debit this account
  std::int64_t credits_pending = 0;  // pending transfers that will credit this account
  AccountStatus status = AccountStatus::kActive;
  TimePoint created_at;

  // Money that a new reserve may take: balance minus pending holds.
  std::int64_t available() const { return balance - debits_pending; }
};

// PIN state of a customer account. The gateway computes the verification
// value from the PIN with its key; the ledger only stores it.
struct PinState {
  std::optional<Bytes> verification_value;  // nullopt until set
  int failures = 0;                         // consecutive wrong PINs
  std::optional<TimePoint> locked_until;    // set by record_pin_failure on lockout
};

enum class TransferKind : unsigned char { kTopUp, kPayment };
enum class TransferState : unsigned char { kPending, kPosted, kVoided };

std::string_view to_string(TransferKind kind);    // "top_up", "payment"
std::string_view to_string(TransferState state);  // "pending", "posted", "voided"

struct Transfer {
  std::string id;  // the caller's idempotency key, e.g. the gateway's transaction id
  TransferKind kind = TransferKind::kPayment;
  std::string debit_account;
  std::string credit_account;
  std::int64_t amount = 0;
  std::string currency;
  TransferState state = TransferState::kPending;
  TimePoint created_at;
  TimePoint expires_at;                   // a pending transfer posts only before this instant
  std::optional<TimePoint> settled_at;    // when posted or voided
  std::string void_reason;                // empty unless voided, e.g. "declined", "expired"
  std::string reference;                  // caller's free text, e.g. the merchant order ref
};

// The outcome of reserve, post, void and top-up. `replayed` is true when the
// transfer id had already done this and nothing changed.
struct TransferResult {
  Transfer transfer;
  bool replayed = false;
};

struct ReserveRequest {
  std::string transfer_id;  // 1-128 printable ASCII characters, no spaces
  std::string debit_account;
  std::string credit_account;
  std::int64_t amount = 0;
  std::string currency;
  TimePoint expires_at;
  std::string reference;  // at most 256 bytes
};

struct TopUpRequest {
  std::string transfer_id;
  std::string account;
  std::int64_t amount = 0;
  std::string reference;
};

enum class JournalEvent : unsigned char { kTopUp, kReserve, kPost, kVoid };
std::string_view to_string(JournalEvent event);  // "top_up", "reserve", "post", "void"

// One journal line of an account, newest first in a HistoryPage.
struct HistoryEntry {
  std::int64_t entry_id = 0;  // store-generated, increasing
  TimePoint time;
  std::string transfer_id;
  JournalEvent event = JournalEvent::kTopUp;
  std::string counterparty;             // the other account of the transfer
  std::int64_t amount = 0;              // change of the balance (credit positive)
  std::int64_t pending_debit_change = 0;
  std::int64_t pending_credit_change = 0;
  std::int64_t balance_after = 0;
  std::int64_t available_after = 0;
  TransferState transfer_state = TransferState::kPending;  // the transfer's state now
  std::string reference;
};

struct HistoryPage {
  std::vector<HistoryEntry> entries;
  // Pass as `before_entry_id` for the next, older page; nullopt on the last.
  std::optional<std::int64_t> next_before_entry_id;
};

// Limits named in docs/ledger.md.
inline constexpr std::size_t kMaxAccountIdLength = 64;
inline constexpr std::size_t kMaxOwnerUriLength = 256;
inline constexpr std::size_t kMaxTransferIdLength = 128;
inline constexpr std::size_t kMaxReferenceLength = 256;
inline constexpr std::size_t kMaxVoidReasonLength = 64;
inline constexpr std::size_t kMaxPinVerificationValueLength = 64;
inline constexpr std::size_t kDefaultPageSize = 50;
inline constexpr std::size_t kMaxPageSize = 500;

}  // namespace sippay::ledger
