#include "ledger/records.hpp"

namespace sippay::ledger {

std::string_view to_string(AccountKind kind) {
  switch (kind) {
    case AccountKind::kCustomer: return "customer";
    case AccountKind::kMerchant: return "merchant";
    case AccountKind::kIssuance: return "issuance";
  }
  return "unknown";
}

std::string_view to_string(AccountStatus status) {
  return status == AccountStatus::kActive ? "active" : "frozen";
}

std::optional<AccountKind> parse_account_kind(std::string_view text) {
  if (text == "customer") return AccountKind::kCustomer;
  if (text == "merchant") return AccountKind::kMerchant;
  if (text == "issuance") return AccountKind::kIssuance;
  return std::nullopt;
}

std::optional<AccountStatus> parse_account_status(std::string_view text) {
  if (text == "active") return AccountStatus::kActive;
  if (text == "frozen") return AccountStatus::kFrozen;
  return std::nullopt;
}

std::string_view to_string(TransferKind kind) { return kind == TransferKind::kTopUp ? "top_up" : "payment"; }

std::string_view to_string(TransferState state) {
  switch (state) {
    case TransferState::kPending: return "pending";
    case TransferState::kPosted: return "posted";
    case TransferState::kVoided: return "voided";
  }
  return "unknown";
}

std::string_view to_string(JournalEvent event) {
  switch (event) {
    case JournalEvent::kTopUp: return "top_up";
    case JournalEvent::kReserve: return "reserve";
    case JournalEvent::kPost: return "post";
    case JournalEvent::kVoid: return "void";
  }
  return "unknown";
}

}  // namespace sippay::ledger
