#include "proxy/location_schema.hpp"

#include <array>
#include <fmt/format.h>
#include <string>

#include "proxy/location_service.hpp"

namespace sippay::proxy {
namespace {

// Step i takes the schema from user_version i to i + 1. Append new steps;
// never edit one that has shipped.
constexpr std::array<const char*, kLocationSchemaVersion> kMigrations = {
    // 0 -> 1: one row per binding. Times are milliseconds since the Unix
    // epoch; q_thousandths is -1 when the Contact had no q parameter.
    R"sql(
      CREATE TABLE bindings (
        aor              TEXT    NOT NULL,
        contact_uri      TEXT    NOT NULL,
        q_thousandths    INTEGER NOT NULL,
        expires_at_ms    INTEGER NOT NULL,
        call_id          TEXT    NOT NULL,
        cseq             INTEGER NOT NULL,
        registered_at_ms INTEGER NOT NULL,
        updated_at_ms    INTEGER NOT NULL,
        source           TEXT    NOT NULL,
        PRIMARY KEY (aor, contact_uri)
      ) WITHOUT ROWID;
      CREATE INDEX bindings_by_expiry ON bindings (expires_at_ms);
    )sql",
};

}  // namespace

void migrate_location_schema(sqlite::Database& database) {
  const int version = std::stoi(database.query_pragma("user_version"));
  if (version < 0) {
    throw LocationError(fmt::format(
        "location database {}: invalid schema version {}; move the file away to start afresh",
        database.path(), version));
  }
  if (version > kLocationSchemaVersion) {
    throw LocationError(fmt::format(
        "location database {}: schema version {} is newer than the {} this sippay supports; "
        "run a newer sippay or move the file away",
        database.path(), version, kLocationSchemaVersion));
  }

  for (int step = version; step < kLocationSchemaVersion; ++step) {
    sqlite::Transaction transaction(database);
    database.execute(kMigrations[static_cast<std::size_t>(step)],
                     fmt::format("migrating the schema from version {} to {} failed", step, step + 1));
    // PRAGMA takes no bound parameters; `step + 1` is an integer this code made.
    database.execute(fmt::format("PRAGMA user_version = {}", step + 1));
    transaction.commit();
  }
}

}  // namespace sippay::proxy
