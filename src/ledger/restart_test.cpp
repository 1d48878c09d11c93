// Closing and reopening the ledger file: pending transfers, deadlines and
// the schema survive; the expiry sweep works after a restart.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "ledger/ledger_test_support.hpp"
#include "ledger/sqlite_schema.hpp"

namespace sippay::ledger {
namespace {

using namespace testing;

// Runs a query returning one text value through a separate connection.
std::string query_text(const std::filesystem::path& path, const std::string& sql) {
  sqlite3* handle = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sqlite3_errmsg(handle);
  std::string value;
  if (sqlite3_step(statement) == SQLITE_ROW) value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return value;
}

class RestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ledger = open_ledger(path_, clock_);
    ledger->transact([](LedgerTransaction& tx) {
      tx.create_account(new_account("alice", AccountKind::kCustomer));
      tx.create_account(new_account("shop", AccountKind::kMerchant));
      tx.top_up(top_up_request("top-up-alice", "alice", 10000));
      tx.reserve(reserve_request("short", "alice", "shop", 1000, tx.now() + 30s));
      tx.reserve(reserve_request("long", "alice", "shop", 2000, tx.now() + 90s));
      tx.set_pin_verification_value("alice", Bytes{4, 2});
      tx.record_pin_failure("alice", 5, std::chrono::minutes(1));
    });
  }

  TemporaryFolder folder_;
  std::filesystem::path path_ = folder_.file("ledger.db");
  TestClock clock_;
};

TEST_F(RestartTest, PendingTransfersSurvive) {
  auto ledger = open_ledger(path_, clock_);
  const auto transfer = ledger->transact([](LedgerTransaction& tx) { return tx.find_transfer("long"); });
  ASSERT_TRUE(transfer);
  EXPECT_EQ(transfer->state, TransferState::kPending);
  EXPECT_EQ(transfer->expires_at, kStart + 90s);
  EXPECT_EQ(transfer->amount, 2000);
  const Account alice = ledger->transact([](LedgerTransaction& tx) { return tx.get_account("alice"); });
  EXPECT_EQ(alice.balance, 10000);
  EXPECT_EQ(alice.debits_pending, 3000);
  const PinState pin = ledger->transact([](LedgerTransaction& tx) { return tx.pin_state("alice"); });
  EXPECT_EQ(pin.verification_value, (Bytes{4, 2}));
  EXPECT_EQ(pin.failures, 1);
  EXPECT_EQ(invariant_violations(*ledger), std::vector<std::string>{});
}

TEST_F(RestartTest, SweepAfterRestartVoidsOverdue) {
  clock_.advance(60s);
  auto ledger = open_ledger(path_, clock_);
  const auto voided = ledger->transact([](LedgerTransaction& tx) { return tx.expire_overdue(100); });
  ASSERT_EQ(voided.size(), 1u);
  EXPECT_EQ(voided[0].id, "short");
  EXPECT_EQ(ledger->transact([](LedgerTransaction& tx) { return tx.post("long"); }).transfer.state,
            TransferState::kPosted);
  EXPECT_EQ(ledger->transact([](LedgerTransaction& tx) { return tx.get_account("shop").balance; }), 2000);
  EXPECT_EQ(invariant_violations(*ledger), std::vector<std::string>{});
}

TEST_F(RestartTest, PostAfterDeadlineRejectedWithoutSweep) {
  clock_.advance(90s);
  auto ledger = open_ledger(path_, clock_);
  EXPECT_EQ(error_code_of([&] { ledger->transact([](LedgerTransaction& tx) { tx.post("long"); }); }),
            LedgerErrorCode::kTransferExpired);
}

TEST_F(RestartTest, DurabilitySettingsAndSchemaVersion) {
  EXPECT_EQ(query_text(path_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_text(path_, "SELECT version FROM ledger_schema"), std::to_string(sql::kLedgerSchemaVersion));
  EXPECT_EQ(query_text(path_, "SELECT COUNT(*) FROM ledger_schema"), "1");
}

TEST_F(RestartTest, NewerSchemaRejected) {
  query_text(path_, "UPDATE ledger_schema SET version = 99");
  try {
    open_ledger(path_, clock_);
    FAIL() << "a newer schema was accepted";
  } catch (const LedgerError& error) {
    EXPECT_EQ(error.code(), LedgerErrorCode::kStorage);
    EXPECT_NE(std::string(error.what()).find("schema version 99"), std::string::npos) << error.what();
  }
}

TEST_F(RestartTest, TwoProcessesShareFile) {
  // A daemon and the operator tool open the same file, and each reads the
  // other's commits.
  auto daemon = open_ledger(path_, clock_);
  auto tool = open_ledger(path_, clock_);
  tool->transact([](LedgerTransaction& tx) { tx.top_up(top_up_request("cash-1", "alice", 500)); });
  EXPECT_EQ(daemon->transact([](LedgerTransaction& tx) { return tx.post("long"); }).transfer.state,
            TransferState::kPosted);
  const Account alice = tool->transact([](LedgerTransaction& tx) { return tx.get_account("alice"); });
  EXPECT_EQ(alice.balance, 10000 + 500 - 2000);
  EXPECT_EQ(alice.debits_pending, 1000);
  EXPECT_EQ(invariant_violations(*daemon), std::vector<std::string>{});
}

TEST(LedgerOpen, MissingFolderRejected) {
  TestClock clock;
  try {
    open_ledger("/nonexistent-folder/ledger.db", clock);
    FAIL() << "a ledger opened in a missing folder";
  } catch (const LedgerError& error) {
    EXPECT_EQ(error.code(), LedgerErrorCode::kStorage);
    EXPECT_NE(std::string(error.what()).find("/nonexistent-folder/ledger.db"), std::string::npos);
  }
}

}  // namespace
}  // namespace sippay::ledger
