#include "ledger/sqlite_ledger.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "ledger/sql_ledger_transaction.hpp"
#include "ledger/sqlite_connection.hpp"
#include "ledger/sqlite_schema.hpp"

namespace sippay::ledger {
namespace {

// The ledger whose work runs on this thread now, to detect nested transact().
thread_local const SqliteLedger* running_ledger = nullptr;

TimePoint system_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace

struct SqliteLedger::QueuedWork {
  const std::function<void(LedgerTransaction&)>* work = nullptr;
  Durability durability = Durability::kSynced;
  std::exception_ptr error;
  bool done = false;
};

SqliteLedger::SqliteLedger(const std::filesystem::path& path, SqliteLedgerOptions options)
    : options_(std::move(options)), connection_(std::make_unique<sql::SqliteConnection>(path)) {
  if (!options_.clock) options_.clock = system_now;
  if (options_.max_batch == 0) options_.max_batch = 1;
  configure_connection();
  sql::migrate_sqlite_schema(*connection_);
}

SqliteLedger::~SqliteLedger() = default;

void SqliteLedger::configure_connection() {
  connection_->execute(fmt::format("PRAGMA busy_timeout = {}", options_.busy_timeout.count()));
  const std::string journal_mode = connection_->query_pragma("journal_mode = WAL");
  if (journal_mode != "wal") {
    connection_->fail(fmt::format("failed to switch to WAL mode (journal_mode is \"{}\")", journal_mode));
  }
  // FULL syncs the WAL at every commit, so a committed transfer survives a
  // power loss, not only a crash of the process.
  connection_->execute("PRAGMA synchronous = FULL");
  connection_->execute("PRAGMA foreign_keys = ON");
  // Statement journals and other temporary tables stay in memory instead of
  // files created and deleted in the temporary folder for each statement.
  connection_->execute("PRAGMA temp_store = MEMORY");
}

void SqliteLedger::run_transaction(const std::function<void(LedgerTransaction&)>& work, Durability durability) {
  if (running_ledger == this) {
    throw LedgerError(LedgerErrorCode::kNestedTransaction,
                      "transact() was called from inside a transaction of the same ledger; do all the work in "
                      "the outer transaction");
  }

  QueuedWork item;
  item.work = &work;
  item.durability = durability;
  std::unique_lock lock(mutex_);
  queue_.push_back(&item);
  while (!item.done) {
    if (leader_active_) {
      batch_done_.wait(lock);
      continue;
    }
    leader_active_ = true;
    std::vector<QueuedWork*> batch;
    while (!queue_.empty() && batch.size() < options_.max_batch) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    run_batch(batch);
    lock.lock();
    for (QueuedWork* done : batch) done->done = true;
    stats_.works += batch.size();
    stats_.commits += 1;
    if (synchronous_ == Durability::kSynced) stats_.synced_commits += 1;
    leader_active_ = false;
    batch_done_.notify_all();
  }
  lock.unlock();
  if (item.error) std::rethrow_exception(item.error);
}

void SqliteLedger::set_synchronous(Durability durability) {
  if (durability == synchronous_) return;
  connection_->execute(durability == Durability::kSynced ? "PRAGMA synchronous = FULL"
                                                         : "PRAGMA synchronous = NORMAL");
  synchronous_ = durability;
}

void SqliteLedger::run_batch(const std::vector<QueuedWork*>& batch) {
  const bool synced = std::any_of(batch.begin(), batch.end(),
                                  [](const QueuedWork* item) { return item->durability == Durability::kSynced; });
  try {
    set_synchronous(synced ? Durability::kSynced : Durability::kDeferred);
    connection_->execute("BEGIN IMMEDIATE");
  } catch (const LedgerError&) {
    for (QueuedWork* item : batch) item->error = std::current_exception();
    return;
  }

  for (QueuedWork* item : batch) {
    if (!connection_->in_transaction()) {
      // SQLite rolled the whole transaction back after an error in an
      // earlier work; nothing of this batch can commit.
      item->error = std::make_exception_ptr(LedgerError(
          LedgerErrorCode::kStorage,
          fmt::format("ledger database {}: the transaction was rolled back by an earlier error in the same "
                      "commit; retry",
                      connection_->path())));
      continue;
    }
    try {
      connection_->execute("SAVEPOINT work");
      SqlLedgerTransaction transaction(*connection_, options_.clock());
      running_ledger = this;
      (*item->work)(transaction);
      running_ledger = nullptr;
      connection_->execute("RELEASE SAVEPOINT work");
    } catch (...) {
      running_ledger = nullptr;
      item->error = std::current_exception();
      if (connection_->in_transaction()) {
        try {
          connection_->execute("ROLLBACK TO SAVEPOINT work");
          connection_->execute("RELEASE SAVEPOINT work");
        } catch (const LedgerError& error) {
          spdlog::error("ledger: rolling back a failed work failed: {}", error.what());
        }
      }
    }
  }

  // Every work before a lost transaction must fail too.
  if (!connection_->in_transaction()) {
    for (QueuedWork* item : batch) {
      if (!item->error) {
        item->error = std::make_exception_ptr(LedgerError(
            LedgerErrorCode::kStorage,
            fmt::format("ledger database {}: the transaction was rolled back by an error in the same commit; "
                        "retry",
                        connection_->path())));
      }
    }
    return;
  }
  try {
    connection_->execute("COMMIT");
  } catch (const LedgerError& error) {
    spdlog::error("ledger: commit of {} works failed: {}", batch.size(), error.what());
    if (connection_->in_transaction()) {
      try {
        connection_->execute("ROLLBACK");
      } catch (const LedgerError& rollback_error) {
        spdlog::error("ledger: rollback after the failed commit failed: {}", rollback_error.what());
      }
    }
    for (QueuedWork* item : batch) {
      if (!item->error) item->error = std::current_exception();
    }
  }
}

GroupCommitStats SqliteLedger::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::size_t SqliteLedger::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace sippay::ledger
