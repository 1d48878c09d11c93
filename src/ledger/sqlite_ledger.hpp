// The ledger on one SQLite file: WAL, synchronous=FULL, foreign keys on,
// and group commit.
//
// Group commit: callers of transact() on any thread queue their work. One
// of them at a time becomes the leader: it takes every queued work (up to
// `max_batch`), runs each in its own SAVEPOINT inside one BEGIN IMMEDIATE
// ... COMMIT, then wakes their callers. So while one commit waits for its
// fsync, the next callers queue up and share the next one. A work that
// throws is rolled back to its savepoint alone; a failed COMMIT fails every
// work of the batch.
//
// A batch commits with synchronous=FULL when any of its works asked for
// Durability::kSynced, else with synchronous=NORMAL (no fsync of the WAL at
// COMMIT; the next FULL commit syncs the earlier frames with its own).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>

#include "ledger/ledger.hpp"

namespace sippay::ledger {

namespace sql {
class SqliteConnection;
}

struct SqliteLedgerOptions {
  // Works per commit at most.
  std::size_t max_batch = 64;
  // How long BEGIN IMMEDIATE waits for another process (such as the
  // `sippay accounts` tool) to release the write lock.
  std::chrono::milliseconds busy_timeout{5000};
  // The time that transactions see as now(); the system clock by default.
  std::function<TimePoint()> clock;
};

struct GroupCommitStats {
  std::uint64_t works = 0;    // transact() calls finished, committed or not
  std::uint64_t commits = 0;  // COMMIT statements run
  std::uint64_t synced_commits = 0;  // of those, the ones that waited for the fsync
};

class SqliteLedger final : public Ledger {
 public:
  // Opens or creates the ledger file and brings its schema up to date.
  // Throws LedgerError kStorage naming the file on failure.
  explicit SqliteLedger(const std::filesystem::path& path, SqliteLedgerOptions options = {});
  ~SqliteLedger() override;
  SqliteLedger(const SqliteLedger&) = delete;
  SqliteLedger& operator=(const SqliteLedger&) = delete;

  void run_transaction(const std::function<void(LedgerTransaction&)>& work, Durability durability) override;

  GroupCommitStats stats() const;
  // Callers waiting for the next batch, for tests of batching.
  std::size_t queued() const;

 private:
  struct QueuedWork;

  void configure_connection();
  void run_batch(const std::vector<QueuedWork*>& batch);
  void set_synchronous(Durability durability);

  SqliteLedgerOptions options_;
  std::unique_ptr<sql::SqliteConnection> connection_;
  Durability synchronous_ = Durability::kSynced;  // what PRAGMA synchronous is set to now

  mutable std::mutex mutex_;
  std::condition_variable batch_done_;
  std::deque<QueuedWork*> queue_;
  bool leader_active_ = false;
  GroupCommitStats stats_;
};

}  // namespace sippay::ledger
