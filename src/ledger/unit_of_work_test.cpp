// transact(): ledger operations and the caller's own statements commit or
// roll back together; group commit batches concurrent callers.
#include <gtest/gtest.h>

#include <thread>

#include "ledger/ledger_test_support.hpp"

namespace sippay::ledger {
namespace {

using namespace testing;

class UnitOfWorkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = open_ledger(folder_.file("ledger.db"), clock_);
    ledger_->transact([](LedgerTransaction& tx) {
      tx.create_account(new_account("alice", AccountKind::kCustomer));
      tx.create_account(new_account("shop", AccountKind::kMerchant));
      tx.top_up(top_up_request("top-up-alice", "alice", 10000));
      // A caller's own table, as the gateway's outbox will be.
      tx.connection().execute(
          "CREATE TABLE IF NOT EXISTS outbox (transfer_id TEXT NOT NULL PRIMARY KEY, notice TEXT NOT NULL)");
    });
  }
  void TearDown() override { EXPECT_EQ(invariant_violations(*ledger_), std::vector<std::string>{}); }

  static void add_notice(LedgerTransaction& tx, const std::string& transfer_id, const std::string& notice) {
    sql::Query insert(tx.connection(), "INSERT INTO outbox (transfer_id, notice) VALUES (?1, ?2)");
    insert->bind(1, transfer_id).bind(2, notice);
    insert->step();
  }
  std::vector<std::string> notices() {
    return ledger_->transact([](LedgerTransaction& tx) {
      sql::Query select(tx.connection(), "SELECT transfer_id || ':' || notice FROM outbox ORDER BY transfer_id");
      std::vector<std::string> rows;
      while (select->step()) rows.push_back(select->column_text(0));
      return rows;
    });
  }
  std::int64_t available(const std::string& id) {
    return ledger_->transact([&](LedgerTransaction& tx) { return tx.get_account(id).available(); });
  }

  TemporaryFolder folder_;
  TestClock clock_;
  std::unique_ptr<SqliteLedger> ledger_;
};

TEST_F(UnitOfWorkTest, TransferAndOwnRowCommitTogether) {
  ledger_->transact([](LedgerTransaction& tx) {
    tx.reserve(reserve_request("t1", "alice", "shop", 1000, tx.now() + 60s));
    add_notice(tx, "t1", "confirmation request");
  });
  EXPECT_EQ(notices(), std::vector<std::string>{"t1:confirmation request"});
  EXPECT_EQ(available("alice"), 9000);
}

TEST_F(UnitOfWorkTest, ExceptionRollsBackEverything) {
  struct Crash {};
  EXPECT_THROW(ledger_->transact([](LedgerTransaction& tx) {
    tx.reserve(reserve_request("t1", "alice", "shop", 1000, tx.now() + 60s));
    add_notice(tx, "t1", "confirmation request");
    throw Crash{};
  }),
               Crash);
  EXPECT_EQ(notices(), std::vector<std::string>{});
  EXPECT_EQ(available("alice"), 10000);
  EXPECT_FALSE(ledger_->transact([](LedgerTransaction& tx) { return tx.find_transfer("t1"); }));
}

TEST_F(UnitOfWorkTest, CaughtLedgerErrorKeepsTransactionUsable) {
  // A refusal is an outcome too: the caller records it in the same
  // transaction in which the reserve failed.
  ledger_->transact([](LedgerTransaction& tx) {
    tx.reserve(reserve_request("t1", "alice", "shop", 4000, tx.now() + 60s));
    try {
      tx.reserve(reserve_request("t2", "alice", "shop", 7000, tx.now() + 60s));
      ADD_FAILURE() << "reserve beyond the available balance succeeded";
    } catch (const LedgerError& error) {
      EXPECT_EQ(error.code(), LedgerErrorCode::kInsufficientFunds);
      add_notice(tx, "t2", "insufficient funds");
    }
  });
  EXPECT_EQ(notices(), std::vector<std::string>{"t2:insufficient funds"});
  EXPECT_EQ(available("alice"), 6000);
}

TEST_F(UnitOfWorkTest, ResultIsReturned) {
  const std::int64_t balance = ledger_->transact([](LedgerTransaction& tx) { return tx.get_account("alice").balance; });
  EXPECT_EQ(balance, 10000);
}

TEST_F(UnitOfWorkTest, NestedTransactRejected) {
  EXPECT_EQ(error_code_of([&] {
              ledger_->transact([&](LedgerTransaction&) { ledger_->transact([](LedgerTransaction&) {}); });
            }),
            LedgerErrorCode::kNestedTransaction);
  // The ledger still works afterwards.
  EXPECT_EQ(available("alice"), 10000);
}

TEST_F(UnitOfWorkTest, FailedStatementRollsBackOnlyItsWork) {
  ledger_->transact([](LedgerTransaction& tx) { add_notice(tx, "t0", "first"); });
  EXPECT_EQ(error_code_of([&] {
              ledger_->transact([](LedgerTransaction& tx) {
                tx.reserve(reserve_request("t1", "alice", "shop", 1000, tx.now() + 60s));
                add_notice(tx, "t0", "duplicate key");
              });
            }),
            LedgerErrorCode::kStorage);
  EXPECT_EQ(notices(), std::vector<std::string>{"t0:first"});
  EXPECT_EQ(available("alice"), 10000);
}

// PRAGMA synchronous inside the work: 2 is FULL, 1 is NORMAL.
std::int64_t synchronous_setting(LedgerTransaction& tx) {
  sql::Query query(tx.connection(), "PRAGMA synchronous");
  return query->step() ? query->column_int64(0) : -1;
}

TEST_F(UnitOfWorkTest, DeferredCommitSkipsTheSyncAndStaysCommitted) {
  const GroupCommitStats before = ledger_->stats();
  const std::int64_t deferred_setting = ledger_->transact(Durability::kDeferred, [](LedgerTransaction& tx) {
    add_notice(tx, "t1", "delivery mark");
    return synchronous_setting(tx);
  });
  EXPECT_EQ(deferred_setting, 1);
  const std::int64_t synced_setting = ledger_->transact([](LedgerTransaction& tx) {
    add_notice(tx, "t2", "receipt");
    return synchronous_setting(tx);
  });
  EXPECT_EQ(synced_setting, 2);
  EXPECT_EQ(notices(), (std::vector<std::string>{"t1:delivery mark", "t2:receipt"}));
  const GroupCommitStats after = ledger_->stats();
  // notices() is a synced commit too: 3 commits, 2 of them synced.
  EXPECT_EQ(after.commits - before.commits, 3u);
  EXPECT_EQ(after.synced_commits - before.synced_commits, 2u);
}

TEST_F(UnitOfWorkTest, DeferredCommitSurvivesReopening) {
  ledger_->transact(Durability::kDeferred, [](LedgerTransaction& tx) {
    tx.reserve(reserve_request("t1", "alice", "shop", 1000, tx.now() + 60s));
    add_notice(tx, "t1", "deferred");
  });
  ledger_.reset();
  ledger_ = open_ledger(folder_.file("ledger.db"), clock_);
  EXPECT_EQ(notices(), std::vector<std::string>{"t1:deferred"});
  EXPECT_EQ(available("alice"), 9000);
}

TEST(GroupCommit, BatchWithOneSyncedWorkIsSynced) {
  TemporaryFolder folder;
  TestClock clock;
  auto ledger = open_ledger(folder.file("ledger.db"), clock);
  ledger->transact([](LedgerTransaction& tx) { tx.create_account(new_account("alice", AccountKind::kCustomer)); });
  const GroupCommitStats before = ledger->stats();

  // The deferred leader keeps its batch open until a synced and a deferred
  // work have queued; they share the next batch, which must sync.
  std::atomic<bool> leader_running = false;
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    ledger->transact(Durability::kDeferred, [&](LedgerTransaction&) {
      leader_running = true;
      while (ledger->queued() < 2) std::this_thread::yield();
    });
  });
  while (!leader_running) std::this_thread::yield();
  std::atomic<std::int64_t> seen_by_deferred = 0;
  threads.emplace_back([&] {
    ledger->transact(Durability::kDeferred, [&](LedgerTransaction& tx) {
      tx.top_up(top_up_request("deferred", "alice", 1));
      seen_by_deferred = synchronous_setting(tx);
    });
  });
  threads.emplace_back([&] {
    ledger->transact([&](LedgerTransaction& tx) { tx.top_up(top_up_request("synced", "alice", 1)); });
  });
  for (auto& thread : threads) thread.join();

  const GroupCommitStats after = ledger->stats();
  EXPECT_EQ(after.commits - before.commits, 2u);
  EXPECT_EQ(after.synced_commits - before.synced_commits, 1u);
  EXPECT_EQ(seen_by_deferred, 2);
  EXPECT_EQ(ledger->transact([](LedgerTransaction& tx) { return tx.get_account("alice").balance; }), 2);
}

TEST(GroupCommit, QueuedWorksShareOneCommit) {
  TemporaryFolder folder;
  TestClock clock;
  auto ledger = open_ledger(folder.file("ledger.db"), clock);
  ledger->transact([](LedgerTransaction& tx) { tx.create_account(new_account("alice", AccountKind::kCustomer)); });
  const GroupCommitStats before = ledger->stats();

  // The first work keeps the leader busy until the others have queued, so
  // they form exactly one further batch.
  constexpr int kFollowers = 6;
  std::atomic<bool> leader_running = false;
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    ledger->transact([&](LedgerTransaction& tx) {
      leader_running = true;
      while (ledger->queued() < kFollowers) std::this_thread::yield();
      tx.top_up(top_up_request("leader", "alice", 1));
    });
  });
  while (!leader_running) std::this_thread::yield();
  for (int i = 0; i < kFollowers; ++i) {
    threads.emplace_back([&, i] {
      ledger->transact([&](LedgerTransaction& tx) { tx.top_up(top_up_request("follower-" + std::to_string(i), "alice", 1)); });
    });
  }
  for (auto& thread : threads) thread.join();

  const GroupCommitStats after = ledger->stats();
  EXPECT_EQ(after.works - before.works, kFollowers + 1u);
  EXPECT_EQ(after.commits - before.commits, 2u);
  EXPECT_EQ(ledger->transact([](LedgerTransaction& tx) { return tx.get_account("alice").balance; }), kFollowers + 1);
  EXPECT_EQ(invariant_violations(*ledger), std::vector<std::string>{});
}

TEST(GroupCommit, BatchRespectsMaximum) {
  TemporaryFolder folder;
  TestClock clock;
  auto ledger = open_ledger(folder.file("ledger.db"), clock, 2);
  ledger->transact([](LedgerTransaction& tx) { tx.create_account(new_account("alice", AccountKind::kCustomer)); });
  const GroupCommitStats before = ledger->stats();

  constexpr int kFollowers = 5;
  std::atomic<bool> leader_running = false;
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    ledger->transact([&](LedgerTransaction&) {
      leader_running = true;
      while (ledger->queued() < kFollowers) std::this_thread::yield();
    });
  });
  while (!leader_running) std::this_thread::yield();
  for (int i = 0; i < kFollowers; ++i) {
    threads.emplace_back([&, i] {
      ledger->transact([&](LedgerTransaction& tx) { tx.top_up(top_up_request("t" + std::to_string(i), "alice", 1)); });
    });
  }
  for (auto& thread : threads) thread.join();
  // 1 leader alone, then 5 followers in batches of at most 2: 2 + 2 + 1.
  EXPECT_EQ(ledger->stats().commits - before.commits, 4u);
}

TEST(GroupCommit, FailingWorkDoesNotFailItsBatch) {
  TemporaryFolder folder;
  TestClock clock;
  auto ledger = open_ledger(folder.file("ledger.db"), clock);
  ledger->transact([](LedgerTransaction& tx) { tx.create_account(new_account("alice", AccountKind::kCustomer)); });

  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      try {
        ledger->transact([&](LedgerTransaction& tx) {
          tx.top_up(top_up_request("t" + std::to_string(i), "alice", 10));
          if (i % 2 == 1) throw std::runtime_error("caller failure");
        });
      } catch (const std::runtime_error&) {
        ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 4);
  EXPECT_EQ(ledger->transact([](LedgerTransaction& tx) { return tx.get_account("alice").balance; }), 40);
  EXPECT_EQ(invariant_violations(*ledger), std::vector<std::string>{});
}

}  // namespace
}  // namespace sippay::ledger
