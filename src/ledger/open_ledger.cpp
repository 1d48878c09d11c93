#include "ledger/open_ledger.hpp"

#include "ledger/pg_ledger.hpp"
#include "ledger/sqlite_ledger.hpp"

namespace sippay::ledger {

bool is_postgresql_location(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::unique_ptr<Ledger> open_ledger_at(const std::string& location) {
  if (is_postgresql_location(location)) return std::make_unique<PgLedger>(location);
  return std::make_unique<SqliteLedger>(location);
}

}  // namespace sippay::ledger
