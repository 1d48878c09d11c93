// A location service kept in memory and written through to a SQLite file,
// so that a restart keeps the registrations.
//
// Lookups read the memory copy; each replace() and sweep() is one SQLite
// transaction, and memory changes only after it commits. The file is opened
// in WAL mode with an exclusive lock held until the object is destroyed: a
// second SqliteLocation, or any other process, cannot open the file
// meanwhile, because its memory copy would go stale.
#pragma once

#include <filesystem>
#include <memory>

#include "proxy/in_memory_location.hpp"
#include "proxy/sqlite_database.hpp"

namespace sippay::proxy {

class SqliteLocation final : public LocationService {
 public:
  // Opens or creates the database file at `path` (its folder must exist),
  // brings its schema up to date, deletes the bindings expired at `now` and
  // loads the rest. Throws LocationError naming `path` when the file cannot
  // be opened, is not a SQLite database, is locked by another connection or
  // has a newer schema.
  SqliteLocation(const std::filesystem::path& path, TimePoint now);
  ~SqliteLocation() override;

  std::vector<Binding> lookup(std::string_view aor, TimePoint now) const override;
  void replace(std::string_view aor, std::vector<Binding> bindings) override;
  std::size_t sweep(TimePoint now) override;
  std::size_t size() const override { return cache_.size(); }

 private:
  void configure_connection();
  void load(TimePoint now);
  void insert(const Binding& binding);

  sqlite::Database database_;
  // Prepared once; declared after database_ so that they are finalized first.
  std::unique_ptr<sqlite::Statement> delete_aor_;
  std::unique_ptr<sqlite::Statement> insert_binding_;
  std::unique_ptr<sqlite::Statement> delete_expired_;
  InMemoryLocation cache_;
};

}  // namespace sippay::proxy
