// The ledger's tables in SQLite, and their migrations.
#pragma once

namespace sippay::ledger::sql {

class SqliteConnection;

inline constexpr int kLedgerSchemaVersion = 1;

// Creates or upgrades the schema to kLedgerSchemaVersion, recorded in the
// table ledger_schema. Throws LedgerError kStorage for a file whose schema is
// newer than this program's.
void migrate_sqlite_schema(SqliteConnection& connection);

}  // namespace sippay::ledger::sql
