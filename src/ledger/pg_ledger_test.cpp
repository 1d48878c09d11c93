// The PostgreSQL backend against a throwaway cluster that each test starts
// in a temporary folder (Unix socket only, no TCP). Skipped when the
// PostgreSQL server programs (initdb, pg_ctl) are not installed.
#include "ledger/pg_ledger.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>

#include "ledger/ledger_property.hpp"
#include "ledger/ledger_test_support.hpp"
#include "ledger/pg_connection.hpp"

namespace sippay::ledger {
namespace {

using namespace testing;

// The folder holding initdb and pg_ctl: $SIPPAY_PG_BIN, else the newest
// /usr/lib/postgresql/N/bin.
std::optional<std::filesystem::path> find_server_binaries() {
  if (const char* configured = std::getenv("SIPPAY_PG_BIN")) return std::filesystem::path(configured);
  std::optional<std::filesystem::path> found;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", error)) {
    const auto bin = entry.path() / "bin";
    if (std::filesystem::exists(bin / "initdb") && std::filesystem::exists(bin / "pg_ctl")) {
      if (!found || bin > *found) found = bin;
    }
  }
  return found;
}

// A PostgreSQL cluster in a temporary folder, stopped and deleted on
// destruction. As root, the server runs as the "postgres" user, because
// initdb refuses to run as root.
class PgCluster {
 public:
  explicit PgCluster(const std::filesystem::path& bin) : bin_(bin) {
    if (geteuid() == 0) {
      const passwd* user = getpwnam("postgres");
      if (user == nullptr) throw std::runtime_error("running as root, but there is no postgres user to run the server");
      if (chown(folder_.c_str(), user->pw_uid, user->pw_gid) != 0) throw std::runtime_error("chown failed");
      as_user_ = "runuser -u postgres -- ";
    }
    run(fmt::format("{}/initdb -D {}/data -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync > {}/initdb.log 2>&1",
                    bin_.string(), folder_.string(), folder_.string()),
        "initdb.log");
    run(fmt::format("{}/pg_ctl -D {}/data -l {}/server.log -w -t 60 -o \"-c listen_addresses='' -c port=5432 "
                    "-c unix_socket_directories={} -c fsync=off -c full_page_writes=off\" start > /dev/null 2>&1",
                    bin_.string(), folder_.string(), folder_.string(), folder_.string()),
        "server.log");
  }
  ~PgCluster() {
    std::system(fmt::format("{}{}/pg_ctl -D {}/data -m immediate -w stop > /dev/null 2>&1", as_user_, bin_.string(),
                            folder_.string())
                    .c_str());
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  std::string conninfo() const {
    return fmt::format("host={} port=5432 user=postgres dbname=postgres", folder_.string());
  }

 private:
  void run(const std::string& command, const std::string& log) {
    if (std::system((as_user_ + command).c_str()) != 0) {
      std::ifstream file(folder_ / log);
      std::stringstream text;
      text << file.rdbuf();
      throw std::runtime_error(fmt::format("\"{}\" failed:\n{}", command, text.str()));
    }
  }

  static std::filesystem::path make_folder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sippay-pg-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    return pattern;
  }

  std::filesystem::path bin_;
  std::filesystem::path folder_ = make_folder();
  std::string as_user_;
};

class PgLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto bin = find_server_binaries();
    if (!bin) {
      GTEST_SKIP() << "PostgreSQL server programs not found (no /usr/lib/postgresql/N/bin/initdb); install the "
                      "Debian package postgresql or set SIPPAY_PG_BIN to run these tests";
    }
    cluster_ = std::make_unique<PgCluster>(*bin);
    ledger_ = open();
  }
  void TearDown() override {
    if (ledger_) {
      EXPECT_EQ(invariant_violations(*ledger_), std::vector<std::string>{});
    }
  }

  std::unique_ptr<PgLedger> open() {
    PgLedgerOptions options;
    options.clock = clock_.function();
    return std::make_unique<PgLedger>(cluster_->conninfo(), options);
  }
  template <class Work>
  LedgerErrorCode error_of(Work work) {
    return error_code_of([&] { ledger_->transact(work); });
  }

  TestClock clock_;
  std::unique_ptr<PgCluster> cluster_;
  std::unique_ptr<PgLedger> ledger_;
};

TEST_F(PgLedgerTest, TransfersFollowRules) {
  ledger_->transact([](LedgerTransaction& tx) {
    tx.create_account(new_account("alice", AccountKind::kCustomer));
    tx.create_account(new_account("shop", AccountKind::kMerchant));
    tx.create_account(new_account("tokyo", AccountKind::kMerchant, "JPY"));
    tx.top_up(top_up_request("top-up-alice", "alice", 10000));
    tx.reserve(reserve_request("t1", "alice", "shop", 2500, tx.now() + 60s));
    tx.reserve(reserve_request("t2", "alice", "shop", 1000, tx.now() + 30s));
    tx.reserve(reserve_request("t3", "alice", "shop", 500, tx.now() + 90s));
  });
  EXPECT_EQ(error_of([](LedgerTransaction& tx) { tx.create_account(new_account("alice", AccountKind::kCustomer)); }),
            LedgerErrorCode::kDuplicateAccount);
  EXPECT_EQ(error_of([](LedgerTransaction& tx) {
              tx.reserve(reserve_request("t9", "alice", "shop", 6001, tx.now() + 60s));
            }),
            LedgerErrorCode::kInsufficientFunds);
  EXPECT_EQ(error_of([](LedgerTransaction& tx) {
              tx.reserve(reserve_request("t9", "alice", "tokyo", 1, tx.now() + 60s));
            }),
            LedgerErrorCode::kCurrencyMismatch);
  EXPECT_EQ(error_of([](LedgerTransaction& tx) { tx.post("missing"); }), LedgerErrorCode::kUnknownTransfer);

  EXPECT_FALSE(ledger_->transact([](LedgerTransaction& tx) { return tx.post("t1"); }).replayed);
  EXPECT_TRUE(ledger_->transact([](LedgerTransaction& tx) { return tx.post("t1"); }).replayed);
  EXPECT_EQ(error_of([](LedgerTransaction& tx) { tx.void_transfer("t1", "declined"); }),
            LedgerErrorCode::kTransferPosted);

  clock_.advance(30s);
  EXPECT_EQ(error_of([](LedgerTransaction& tx) { tx.post("t2"); }), LedgerErrorCode::kTransferExpired);
  const auto voided = ledger_->transact([](LedgerTransaction& tx) { return tx.expire_overdue(100); });
  ASSERT_EQ(voided.size(), 1u);
  EXPECT_EQ(voided[0].id, "t2");
  EXPECT_EQ(error_of([](LedgerTransaction& tx) { tx.post("t2"); }), LedgerErrorCode::kTransferVoided);

  const Account alice = ledger_->transact([](LedgerTransaction& tx) { return tx.get_account("alice"); });
  EXPECT_EQ(alice.balance, 7500);
  EXPECT_EQ(alice.debits_pending, 500);

  const HistoryPage page = ledger_->transact([](LedgerTransaction& tx) { return tx.history("alice", {}, 3); });
  ASSERT_EQ(page.entries.size(), 3u);
  EXPECT_EQ(page.entries[0].event, JournalEvent::kVoid);
  EXPECT_EQ(page.entries[0].transfer_id, "t2");
  EXPECT_EQ(page.entries[1].event, JournalEvent::kPost);
  EXPECT_EQ(page.entries[1].balance_after, 7500);
  EXPECT_TRUE(page.next_before_entry_id);
}

TEST_F(PgLedgerTest, PinStateAndOwnStatements) {
  ledger_->transact([](LedgerTransaction& tx) {
    tx.create_account(new_account("alice", AccountKind::kCustomer));
    tx.create_account(new_account("shop", AccountKind::kMerchant));
    tx.top_up(top_up_request("top-up-alice", "alice", 1000));
    tx.set_pin_verification_value("alice", Bytes{0, 1, 2, 255});
    tx.connection().execute("CREATE TABLE outbox (transfer_id TEXT PRIMARY KEY, notice TEXT NOT NULL)");
  });
  const PinState pin = ledger_->transact([](LedgerTransaction& tx) {
    tx.record_pin_failure("alice", 2, std::chrono::minutes(5));
    return tx.record_pin_failure("alice", 2, std::chrono::minutes(5));
  });
  EXPECT_EQ(pin.failures, 2);
  EXPECT_EQ(pin.locked_until, kStart + std::chrono::minutes(5));
  EXPECT_EQ(pin.verification_value, (Bytes{0, 1, 2, 255}));

  struct Crash {};
  EXPECT_THROW(ledger_->transact([](LedgerTransaction& tx) {
    tx.reserve(reserve_request("t1", "alice", "shop", 100, tx.now() + 60s));
    sql::Query insert(tx.connection(), "INSERT INTO outbox (transfer_id, notice) VALUES (?1, ?2)");
    insert->bind(1, "t1").bind(2, "confirmation request");
    insert->step();
    throw Crash{};
  }),
               Crash);
  EXPECT_FALSE(ledger_->transact([](LedgerTransaction& tx) { return tx.find_transfer("t1"); }));

  // A caught ledger error leaves the transaction usable.
  ledger_->transact([](LedgerTransaction& tx) {
    try {
      tx.reserve(reserve_request("t2", "alice", "shop", 5000, tx.now() + 60s));
    } catch (const LedgerError& error) {
      EXPECT_EQ(error.code(), LedgerErrorCode::kInsufficientFunds);
      sql::Query insert(tx.connection(), "INSERT INTO outbox (transfer_id, notice) VALUES (?1, ?2)");
      insert->bind(1, "t2").bind(2, "insufficient funds");
      insert->step();
    }
  });
  const std::string notice = ledger_->transact([](LedgerTransaction& tx) {
    sql::Query select(tx.connection(), "SELECT notice FROM outbox WHERE transfer_id = ?1");
    select->bind(1, "t2");
    return select->step() ? select->column_text(0) : std::string();
  });
  EXPECT_EQ(notice, "insufficient funds");
}

TEST_F(PgLedgerTest, DeferredCommitSkipsSynchronousCommit) {
  const auto setting = [](LedgerTransaction& tx) {
    sql::Query show(tx.connection(), "SHOW synchronous_commit");
    return show->step() ? show->column_text(0) : std::string();
  };
  ledger_->transact(Durability::kDeferred, [](LedgerTransaction& tx) {
    tx.create_account(new_account("alice", AccountKind::kCustomer));
  });
  EXPECT_EQ(ledger_->transact(Durability::kDeferred, setting), "off");
  EXPECT_EQ(ledger_->transact(setting), "on");
  EXPECT_TRUE(ledger_->transact([](LedgerTransaction& tx) { return tx.find_account("alice"); }));
}

TEST_F(PgLedgerTest, ConcurrentReservesNeverOverdraw) {
  ledger_->transact([](LedgerTransaction& tx) {
    tx.create_account(new_account("alice", AccountKind::kCustomer));
    tx.create_account(new_account("shop", AccountKind::kMerchant));
    tx.top_up(top_up_request("top-up-alice", "alice", 5000));
  });
  constexpr int kThreads = 4;
  std::atomic<std::int64_t> reserved = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      for (int i = 0; i < 40; ++i) {
        const std::string id = fmt::format("t{}-{}", t, i);
        const std::int64_t amount = 1 + static_cast<std::int64_t>(random() % 200);
        try {
          ledger_->transact([&](LedgerTransaction& tx) {
            tx.reserve(reserve_request(id, "alice", "shop", amount, tx.now() + 60s));
            if (i % 2 == 0) tx.post(id);
          });
          reserved += amount;
        } catch (const LedgerError& error) {
          EXPECT_EQ(error.code(), LedgerErrorCode::kInsufficientFunds) << error.what();
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();

  const Account alice = ledger_->transact([](LedgerTransaction& tx) { return tx.get_account("alice"); });
  EXPECT_GE(alice.available(), 0);
  EXPECT_EQ(alice.available(), 5000 - reserved.load());
  EXPECT_EQ(invariant_violations(*ledger_), std::vector<std::string>{});
  std::cout << "serialization retries: " << ledger_->retries() << "\n";
}

TEST_F(PgLedgerTest, ReopenKeepsPendingTransfers) {
  ledger_->transact([](LedgerTransaction& tx) {
    tx.create_account(new_account("alice", AccountKind::kCustomer));
    tx.create_account(new_account("shop", AccountKind::kMerchant));
    tx.top_up(top_up_request("top-up-alice", "alice", 1000));
    tx.reserve(reserve_request("t1", "alice", "shop", 400, tx.now() + 60s));
  });
  ledger_.reset();
  ledger_ = open();
  const auto transfer = ledger_->transact([](LedgerTransaction& tx) { return tx.find_transfer("t1"); });
  ASSERT_TRUE(transfer);
  EXPECT_EQ(transfer->state, TransferState::kPending);
  EXPECT_EQ(transfer->expires_at, kStart + 60s);
}

TEST_F(PgLedgerTest, RandomOperationsKeepInvariants) { run_random_operations(*ledger_, clock_, 7); }

TEST(PgParameters, RewrittenOutsideLiterals) {
  EXPECT_EQ(sql::rewrite_parameters("SELECT ?1, '?', ?12 WHERE a = '?2'"), "SELECT $1, '?', $12 WHERE a = '?2'");
}

}  // namespace
}  // namespace sippay::ledger
