// The gateway's own tables in the ledger database: transaction records,
// remembered aborts and the durable outbox (docs/gateway.md). They live
// beside the ledger's tables so that one database transaction covers the
// ledger change and the gateway's records of it.
#pragma once

#include "ledger/ledger.hpp"

namespace sippay::roles::gateway {

// Creates the tables and indexes that do not exist yet. Runs inside `tx`.
void ensure_gateway_schema(ledger::LedgerTransaction& tx);

}  // namespace sippay::roles::gateway
