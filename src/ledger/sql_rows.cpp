#include "ledger/sql_rows.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ledger/ledger_error.hpp"

namespace sippay::ledger::rows {
namespace {

[[noreturn]] void invalid(const std::string& message) {
  throw LedgerError(LedgerErrorCode::kInvalidArgument, message);
}

bool is_printable_ascii(char c) { return c > ' ' && c < 0x7f; }

template <class Enum, class Parse>
Enum parse_column(const sql::Statement& row, int column, Parse parse, std::string_view what) {
  const std::string text = row.column_text(column);
  if (auto value = parse(text)) return *value;
  throw LedgerError(LedgerErrorCode::kStorage, fmt::format("invalid {} \"{}\" stored in the ledger", what, text));
}

std::optional<TransferKind> parse_transfer_kind(std::string_view text) {
  if (text == "top_up") return TransferKind::kTopUp;
  if (text == "payment") return TransferKind::kPayment;
  return std::nullopt;
}

std::optional<TransferState> parse_transfer_state(std::string_view text) {
  if (text == "pending") return TransferState::kPending;
  if (text == "posted") return TransferState::kPosted;
  if (text == "voided") return TransferState::kVoided;
  return std::nullopt;
}

}  // namespace

std::int64_t to_milliseconds(TimePoint time) { return time.time_since_epoch().count(); }

TimePoint from_milliseconds(std::int64_t milliseconds) { return TimePoint(std::chrono::milliseconds(milliseconds)); }

Account read_account(const sql::Statement& row) {
  Account account;
  account.id = row.column_text(0);
  account.kind = parse_column<AccountKind>(row, 1, parse_account_kind, "account kind");
  account.owner_uri = row.column_text(2);
  account.currency = row.column_text(3);
  account.balance = row.column_int64(4);
  account.debits_pending = row.column_int64(5);
  account.credits_pending = row.column_int64(6);
  account.status = parse_column<AccountStatus>(row, 7, parse_account_status, "account status");
  account.created_at = from_milliseconds(row.column_int64(8));
  return account;
}

Transfer read_transfer(const sql::Statement& row) {
  Transfer transfer;
  transfer.id = row.column_text(0);
  transfer.kind = parse_column<TransferKind>(row, 1, parse_transfer_kind, "transfer kind");
  transfer.debit_account = row.column_text(2);
  transfer.credit_account = row.column_text(3);
  transfer.amount = row.column_int64(4);
  transfer.currency = row.column_text(5);
  transfer.state = parse_column<TransferState>(row, 6, parse_transfer_state, "transfer state");
  transfer.created_at = from_milliseconds(row.column_int64(7));
  transfer.expires_at = from_milliseconds(row.column_int64(8));
  if (!row.column_is_null(9)) transfer.settled_at = from_milliseconds(row.column_int64(9));
  transfer.void_reason = row.column_text(10);
  transfer.reference = row.column_text(11);
  return transfer;
}

void check_account_id(std::string_view id) {
  const bool valid_characters = std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("._@:+-").find(c) != std::string_view::npos;
  });
  if (id.empty() || id.size() > kMaxAccountIdLength || !valid_characters) {
    invalid(fmt::format("invalid account id \"{}\": use 1 to {} characters of A-Z a-z 0-9 . _ @ : + -", id,
                        kMaxAccountIdLength));
  }
}

void check_owner_uri(std::string_view uri) {
  const std::size_t scheme_length = uri.starts_with("sip:") ? 4 : uri.starts_with("sips:") ? 5 : 0;
  const bool printable = std::all_of(uri.begin(), uri.end(), is_printable_ascii);
  if (scheme_length == 0 || uri.size() == scheme_length || !printable || uri.size() > kMaxOwnerUriLength) {
    invalid(fmt::format("invalid owner URI \"{}\": expected a sip: or sips: URI of at most {} bytes without spaces, "
                        "such as sip:alice@pay.test",
                        uri, kMaxOwnerUriLength));
  }
}

void check_transfer_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxTransferIdLength || !std::all_of(id.begin(), id.end(), is_printable_ascii)) {
    invalid(fmt::format("invalid transfer id \"{}\": use 1 to {} printable ASCII characters without spaces", id,
                        kMaxTransferIdLength));
  }
}

void check_text(std::string_view what, std::string_view text, std::size_t max_length) {
  if (text.size() > max_length) {
    invalid(fmt::format("{} is {} bytes long; the maximum is {}", what, text.size(), max_length));
  }
}

void check_page_size(std::size_t limit) {
  if (limit == 0 || limit > kMaxPageSize) {
    invalid(fmt::format("invalid page size {}: use 1 to {}", limit, kMaxPageSize));
  }
}

void check_amount(std::int64_t amount) {
  if (amount <= 0) {
    throw LedgerError(LedgerErrorCode::kInvalidAmount,
                      fmt::format("invalid amount {} minor units: the amount must be positive", amount));
  }
}

std::string issuance_account_id(std::string_view currency) { return fmt::format("issuance:{}", currency); }

}  // namespace sippay::ledger::rows
