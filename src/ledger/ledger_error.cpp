#include "ledger/ledger_error.hpp"

namespace sippay::ledger {

std::string_view to_string(LedgerErrorCode code) {
  switch (code) {
    case LedgerErrorCode::kInvalidArgument: return "invalid argument";
    case LedgerErrorCode::kInvalidCurrency: return "invalid currency";
    case LedgerErrorCode::kInvalidAmount: return "invalid amount";
    case LedgerErrorCode::kOverflow: return "amount overflow";
    case LedgerErrorCode::kUnknownAccount: return "unknown account";
    case LedgerErrorCode::kDuplicateAccount: return "duplicate account";
    case LedgerErrorCode::kWrongAccountKind: return "wrong account kind";
    case LedgerErrorCode::kAccountFrozen: return "account frozen";
    case LedgerErrorCode::kCurrencyMismatch: return "currency mismatch";
    case LedgerErrorCode::kInsufficientFunds: return "insufficient funds";
    case LedgerErrorCode::kUnknownTransfer: return "unknown transfer";
    case LedgerErrorCode::kKeyConflict: return "transfer id conflict";
    case LedgerErrorCode::kTransferExpired: return "transfer expired";
    case LedgerErrorCode::kTransferVoided: return "transfer voided";
    case LedgerErrorCode::kTransferPosted: return "transfer posted";
    case LedgerErrorCode::kNestedTransaction: return "nested transaction";
    case LedgerErrorCode::kStorage: return "storage failure";
  }
  return "unknown error";
}

}  // namespace sippay::ledger
