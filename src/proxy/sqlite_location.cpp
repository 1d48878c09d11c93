#include "proxy/sqlite_location.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>

#include "proxy/location_schema.hpp"

namespace sippay::proxy {
namespace {

std::int64_t to_milliseconds(TimePoint time) { return time.time_since_epoch().count(); }
TimePoint from_milliseconds(std::int64_t milliseconds) {
  return TimePoint(std::chrono::milliseconds(milliseconds));
}

}  // namespace

SqliteLocation::SqliteLocation(const std::filesystem::path& path, TimePoint now) : database_(path) {
  configure_connection();
  migrate_location_schema(database_);

  delete_aor_ = std::make_unique<sqlite::Statement>(database_, "DELETE FROM bindings WHERE aor = ?1");
  insert_binding_ = std::make_unique<sqlite::Statement>(
      database_,
      "INSERT INTO bindings (aor, contact_uri, q_thousandths, expires_at_ms, call_id, cseq, "
      "registered_at_ms, updated_at_ms, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  delete_expired_ = std::make_unique<sqlite::Statement>(
      database_, "DELETE FROM bindings WHERE expires_at_ms <= ?1");

  load(now);
}

SqliteLocation::~SqliteLocation() = default;

void SqliteLocation::configure_connection() {
  // A busy file fails at once instead of waiting: the only other holder of
  // the lock would be another registrar, which will not let go.
  database_.execute("PRAGMA busy_timeout = 0");
  // Set before the first read, so that the lock taken then is kept. In WAL
  // mode an exclusive connection needs no -shm file.
  database_.execute("PRAGMA locking_mode = EXCLUSIVE");
  std::string journal_mode;
  try {
    journal_mode = database_.query_pragma("journal_mode = WAL");
  } catch (const LocationError&) {
    if (!database_.last_error_is_busy()) throw;
    throw LocationError(fmt::format(
        "location database {}: the file is locked by another connection, probably another "
        "registrar; stop it or give this one another file",
        database_.path()));
  }
  if (journal_mode != "wal") {
    throw LocationError(fmt::format(
        "location database {}: failed to switch to WAL mode (journal_mode is \"{}\")",
        database_.path(), journal_mode));
  }
  // In WAL mode, NORMAL syncs at checkpoints only: a power loss can undo
  // the last commits, a crash of the process cannot.
  database_.execute("PRAGMA synchronous = NORMAL");
}

void SqliteLocation::load(TimePoint now) {
  const std::size_t expired = sweep(now);

  std::map<std::string, std::vector<Binding>> bindings_by_aor;
  sqlite::Statement select(database_,
                           "SELECT aor, contact_uri, q_thousandths, expires_at_ms, call_id, cseq, "
                           "registered_at_ms, updated_at_ms, source FROM bindings");
  std::size_t loaded = 0;
  while (select.step()) {
    Binding binding;
    binding.aor = select.column_text(0);
    binding.contact_uri = select.column_text(1);
    binding.q_thousandths = static_cast<int>(select.column_int64(2));
    binding.expires_at = from_milliseconds(select.column_int64(3));
    binding.call_id = select.column_text(4);
    binding.cseq = static_cast<std::uint32_t>(select.column_int64(5));
    binding.registered_at = from_milliseconds(select.column_int64(6));
    binding.updated_at = from_milliseconds(select.column_int64(7));
    binding.source = select.column_text(8);
    bindings_by_aor[binding.aor].push_back(std::move(binding));
    ++loaded;
  }
  for (auto& [aor, bindings] : bindings_by_aor) cache_.replace(aor, std::move(bindings));

  spdlog::info("location database {}: loaded {} bindings, removed {} expired ones",
               database_.path(), loaded, expired);
}

void SqliteLocation::insert(const Binding& binding) {
  insert_binding_->reset();
  insert_binding_->bind(1, binding.aor)
      .bind(2, binding.contact_uri)
      .bind(3, std::int64_t{binding.q_thousandths})
      .bind(4, to_milliseconds(binding.expires_at))
      .bind(5, binding.call_id)
      .bind(6, std::int64_t{binding.cseq})
      .bind(7, to_milliseconds(binding.registered_at))
      .bind(8, to_milliseconds(binding.updated_at))
      .bind(9, binding.source);
  insert_binding_->step();
}

std::vector<Binding> SqliteLocation::lookup(std::string_view aor, TimePoint now) const {
  return cache_.lookup(aor, now);
}

void SqliteLocation::replace(std::string_view aor, std::vector<Binding> bindings) {
  sqlite::Transaction transaction(database_);
  delete_aor_->reset();
  delete_aor_->bind(1, aor);
  delete_aor_->step();
  for (const Binding& binding : bindings) insert(binding);
  transaction.commit();

  cache_.replace(aor, std::move(bindings));
}

std::size_t SqliteLocation::sweep(TimePoint now) {
  sqlite::Transaction transaction(database_);
  delete_expired_->reset();
  delete_expired_->bind(1, to_milliseconds(now));
  delete_expired_->step();
  const auto removed = static_cast<std::size_t>(database_.changes());
  transaction.commit();

  cache_.sweep(now);
  return removed;
}

}  // namespace sippay::proxy
