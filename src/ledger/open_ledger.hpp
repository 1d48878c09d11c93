// Opens a ledger from one configuration string, so that daemons and tools
// take either backend:
//   postgresql://... or postgres://...  PostgreSQL (a libpq connection URI)
//   anything else                         a SQLite file path
#pragma once

#include <memory>
#include <string>

#include "ledger/ledger.hpp"

namespace sippay::ledger {

bool is_postgresql_location(const std::string& location);

// Throws LedgerError kStorage naming the location when it cannot be opened.
std::unique_ptr<Ledger> open_ledger_at(const std::string& location);

}  // namespace sippay::ledger
