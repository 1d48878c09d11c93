// The schema of the location database and its migrations, versioned with
// PRAGMA user_version.
#pragma once

#include "proxy/sqlite_database.hpp"

namespace sippay::proxy {

// The user_version that migrate_location_schema leaves.
inline constexpr int kLocationSchemaVersion = 1;

// Brings the schema from the file's user_version up to
// kLocationSchemaVersion, one transaction per step; a new file starts at 0.
// Throws LocationError when the file has a newer version than this build
// supports, or when a step fails. A failed step leaves the file at the last
// version that completed.
void migrate_location_schema(sqlite::Database& database);

}  // namespace sippay::proxy
