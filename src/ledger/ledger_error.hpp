// The errors of ledger operations. Every expected failure (unknown account,
// insufficient funds, a transfer already voided, ...) is a LedgerError with a
// code the caller can branch on and a message naming the value involved.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace sippay::ledger {

enum class LedgerErrorCode : unsigned char {
  kInvalidArgument,    // malformed id, URI, reference, page size or deadline
  kInvalidCurrency,    // not an ISO 4217 code this ledger supports
  kInvalidAmount,      // zero or negative amount, or too many decimals
  kOverflow,           // a balance or hold would leave the int64 range
  kUnknownAccount,
  kDuplicateAccount,
  kWrongAccountKind,   // e.g. a PIN on a merchant account, a payment from issuance
  kAccountFrozen,
  kCurrencyMismatch,
  kInsufficientFunds,  // amount > balance - pending holds
  kUnknownTransfer,
  kKeyConflict,        // a transfer id reused with other parameters
  kTransferExpired,    // post at or after the stored deadline
  kTransferVoided,     // post of a voided transfer
  kTransferPosted,     // void of a posted transfer
  kNestedTransaction,  // transact() called from inside transact() on one thread
  kStorage,            // the database failed (I/O, lock timeout, constraint)
};

// "insufficient funds" and so on: the code in words, for logs and messages.
std::string_view to_string(LedgerErrorCode code);

class LedgerError : public std::runtime_error {
 public:
  LedgerError(LedgerErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}

  LedgerErrorCode code() const { return code_; }

 private:
  LedgerErrorCode code_;
};

}  // namespace sippay::ledger
