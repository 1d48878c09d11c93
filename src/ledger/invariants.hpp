// A full check of the ledger's invariants, for tests, the operator tool and
// the demo. It reads every account, transfer and journal line, so it costs
// time in proportion to the whole ledger.
#pragma once

#include <string>
#include <vector>

#include "ledger/ledger.hpp"

namespace sippay::ledger {

// Returns one message per violated invariant; empty when all hold:
//   - no account other than an issuance account has a negative balance or
//     a negative available balance (balance - debits_pending);
//   - per currency, all balances sum to zero, and pending debits equal
//     pending credits;
//   - every journal entry has at least two lines, its amounts sum to zero
//     and its pending debit changes equal its pending credit changes;
//   - each account's balance, debits_pending and credits_pending equal the
//     sums of its journal lines, and its pending columns equal the sums of
//     its pending transfers.
std::vector<std::string> check_invariants(LedgerTransaction& tx);

}  // namespace sippay::ledger
