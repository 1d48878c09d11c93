// Reserve, post, void, top-up and their errors on a real SQLite file.
#include <gtest/gtest.h>

#include <limits>

#include "ledger/ledger_test_support.hpp"

namespace sippay::ledger {
namespace {

using namespace testing;

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

class TransferTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ledger_ = open_ledger(folder_.file("ledger.db"), clock_);
    ledger_->transact([](LedgerTransaction& tx) {
      tx.create_account(new_account("alice", AccountKind::kCustomer));
      tx.create_account(new_account("bob", AccountKind::kCustomer));
      tx.create_account(new_account("shop", AccountKind::kMerchant));
      tx.create_account(new_account("tokyo-shop", AccountKind::kMerchant, "JPY"));
      tx.top_up(top_up_request("top-up-alice", "alice", 10000));
    });
  }
  void TearDown() override { EXPECT_EQ(invariant_violations(*ledger_), std::vector<std::string>{}); }

  Account account(const std::string& id) {
    return ledger_->transact([&](LedgerTransaction& tx) { return tx.get_account(id); });
  }
  TransferResult reserve(const std::string& id, std::int64_t amount, std::string debit = "alice",
                         std::string credit = "shop") {
    return ledger_->transact([&](LedgerTransaction& tx) {
      return tx.reserve(reserve_request(id, debit, credit, amount, tx.now() + 60s));
    });
  }
  TransferResult post(const std::string& id) {
    return ledger_->transact([&](LedgerTransaction& tx) { return tx.post(id); });
  }
  TransferResult void_transfer(const std::string& id, const std::string& reason = "declined") {
    return ledger_->transact([&](LedgerTransaction& tx) { return tx.void_transfer(id, reason); });
  }

  TemporaryFolder folder_;
  TestClock clock_;
  std::unique_ptr<SqliteLedger> ledger_;
};

TEST_F(TransferTest, TopUpComesFromIssuance) {
  EXPECT_EQ(account("alice").balance, 10000);
  const Account issuance = account("issuance:EUR");
  EXPECT_EQ(issuance.kind, AccountKind::kIssuance);
  EXPECT_EQ(issuance.balance, -10000);
}

TEST_F(TransferTest, ReserveHoldsFunds) {
  const TransferResult result = reserve("t1", 2500);
  EXPECT_FALSE(result.replayed);
  EXPECT_EQ(result.transfer.state, TransferState::kPending);
  EXPECT_EQ(result.transfer.expires_at, kStart + 60s);

  const Account alice = account("alice");
  EXPECT_EQ(alice.balance, 10000);
  EXPECT_EQ(alice.debits_pending, 2500);
  EXPECT_EQ(alice.available(), 7500);
  EXPECT_EQ(account("shop").credits_pending, 2500);
  EXPECT_EQ(account("shop").balance, 0);
}

TEST_F(TransferTest, PostMovesFunds) {
  reserve("t1", 2500);
  const TransferResult result = post("t1");
  EXPECT_FALSE(result.replayed);
  EXPECT_EQ(result.transfer.state, TransferState::kPosted);
  EXPECT_EQ(result.transfer.settled_at, kStart);

  const Account alice = account("alice");
  EXPECT_EQ(alice.balance, 7500);
  EXPECT_EQ(alice.debits_pending, 0);
  const Account shop = account("shop");
  EXPECT_EQ(shop.balance, 2500);
  EXPECT_EQ(shop.credits_pending, 0);
}

TEST_F(TransferTest, VoidReleasesHold) {
  reserve("t1", 2500);
  const TransferResult result = void_transfer("t1", "declined");
  EXPECT_EQ(result.transfer.state, TransferState::kVoided);
  EXPECT_EQ(result.transfer.void_reason, "declined");
  EXPECT_EQ(account("alice").available(), 10000);
  EXPECT_EQ(account("shop").credits_pending, 0);
}

TEST_F(TransferTest, DoublePostIsIdempotent) {
  reserve("t1", 2500);
  post("t1");
  const TransferResult again = post("t1");
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.transfer.state, TransferState::kPosted);
  EXPECT_EQ(account("alice").balance, 7500);
  EXPECT_EQ(account("shop").balance, 2500);
}

TEST_F(TransferTest, RepeatedReserveReturnsExisting) {
  reserve("t1", 2500);
  const TransferResult again = reserve("t1", 2500);
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(account("alice").debits_pending, 2500);
}

TEST_F(TransferTest, RepeatedVoidReturnsExisting) {
  reserve("t1", 2500);
  void_transfer("t1");
  const TransferResult again = void_transfer("t1", "expired");
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.transfer.void_reason, "declined");
}

TEST_F(TransferTest, RepeatedTopUpReturnsExisting) {
  const TransferResult again = ledger_->transact(
      [](LedgerTransaction& tx) { return tx.top_up(top_up_request("top-up-alice", "alice", 10000)); });
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(account("alice").balance, 10000);
}

TEST_F(TransferTest, ReusedIdWithOtherParametersConflicts) {
  reserve("t1", 2500);
  EXPECT_EQ(error_code_of([&] { reserve("t1", 2600); }), LedgerErrorCode::kKeyConflict);
  EXPECT_EQ(error_code_of([&] { reserve("t1", 2500, "bob"); }), LedgerErrorCode::kKeyConflict);
  EXPECT_EQ(error_code_of([&] {
              ledger_->transact([](LedgerTransaction& tx) { tx.top_up(top_up_request("t1", "alice", 2500)); });
            }),
            LedgerErrorCode::kKeyConflict);
}

TEST_F(TransferTest, PostAfterVoidRejected) {
  reserve("t1", 2500);
  void_transfer("t1");
  EXPECT_EQ(error_code_of([&] { post("t1"); }), LedgerErrorCode::kTransferVoided);
  EXPECT_EQ(account("shop").balance, 0);
}

TEST_F(TransferTest, VoidAfterPostRejected) {
  reserve("t1", 2500);
  post("t1");
  EXPECT_EQ(error_code_of([&] { void_transfer("t1"); }), LedgerErrorCode::kTransferPosted);
  EXPECT_EQ(account("shop").balance, 2500);
}

TEST_F(TransferTest, VoidOfTopUpRejected) {
  EXPECT_EQ(error_code_of([&] { void_transfer("top-up-alice"); }), LedgerErrorCode::kTransferPosted);
}

TEST_F(TransferTest, PostAtDeadlineRejected) {
  reserve("t1", 2500);
  clock_.advance(60s);
  EXPECT_EQ(error_code_of([&] { post("t1"); }), LedgerErrorCode::kTransferExpired);
  EXPECT_EQ(account("alice").balance, 10000);
  EXPECT_EQ(account("alice").debits_pending, 2500);
}

TEST_F(TransferTest, PostJustBeforeDeadlinePosts) {
  reserve("t1", 2500);
  clock_.advance(59999ms);
  EXPECT_EQ(post("t1").transfer.state, TransferState::kPosted);
}

TEST_F(TransferTest, ExpirySweepVoidsOverdue) {
  reserve("t1", 1000);
  clock_.advance(30s);
  reserve("t2", 1000);
  clock_.advance(30s);  // t1 is due now, t2 in 30 s.

  const auto voided = ledger_->transact([](LedgerTransaction& tx) { return tx.expire_overdue(100); });
  ASSERT_EQ(voided.size(), 1u);
  EXPECT_EQ(voided[0].id, "t1");
  EXPECT_EQ(voided[0].void_reason, "expired");
  EXPECT_EQ(account("alice").debits_pending, 1000);
  EXPECT_EQ(error_code_of([&] { post("t1"); }), LedgerErrorCode::kTransferVoided);
  EXPECT_EQ(post("t2").transfer.state, TransferState::kPosted);
}

TEST_F(TransferTest, ExpirySweepHonoursLimit) {
  reserve("t1", 100);
  reserve("t2", 100);
  reserve("t3", 100);
  clock_.advance(61s);
  auto first = ledger_->transact([](LedgerTransaction& tx) { return tx.expire_overdue(2); });
  EXPECT_EQ(first.size(), 2u);
  auto second = ledger_->transact([](LedgerTransaction& tx) { return tx.expire_overdue(2); });
  EXPECT_EQ(second.size(), 1u);
  EXPECT_EQ(account("alice").debits_pending, 0);
}

TEST_F(TransferTest, UnknownAccountRejected) {
  EXPECT_EQ(error_code_of([&] { reserve("t1", 100, "nobody", "shop"); }), LedgerErrorCode::kUnknownAccount);
  EXPECT_EQ(error_code_of([&] { reserve("t1", 100, "alice", "nobody"); }), LedgerErrorCode::kUnknownAccount);
  EXPECT_EQ(error_code_of([&] {
              ledger_->transact([](LedgerTransaction& tx) { tx.top_up(top_up_request("t9", "nobody", 1)); });
            }),
            LedgerErrorCode::kUnknownAccount);
  EXPECT_EQ(error_code_of([&] { account("nobody"); }), LedgerErrorCode::kUnknownAccount);
}

TEST_F(TransferTest, UnknownTransferRejected) {
  EXPECT_EQ(error_code_of([&] { post("missing"); }), LedgerErrorCode::kUnknownTransfer);
  EXPECT_EQ(error_code_of([&] { void_transfer("missing"); }), LedgerErrorCode::kUnknownTransfer);
  EXPECT_FALSE(ledger_->transact([](LedgerTransaction& tx) { return tx.find_transfer("missing"); }));
}

TEST_F(TransferTest, CurrencyMismatchRejected) {
  EXPECT_EQ(error_code_of([&] { reserve("t1", 100, "alice", "tokyo-shop"); }), LedgerErrorCode::kCurrencyMismatch);
  EXPECT_EQ(error_code_of([&] {
              ledger_->transact([](LedgerTransaction& tx) {
                tx.reserve(reserve_request("t2", "alice", "shop", 100, tx.now() + 60s, "USD"));
              });
            }),
            LedgerErrorCode::kCurrencyMismatch);
  EXPECT_EQ(error_code_of([&] {
              ledger_->transact([](LedgerTransaction& tx) {
                tx.reserve(reserve_request("t3", "alice", "shop", 100, tx.now() + 60s, "EURO"));
              });
            }),
            LedgerErrorCode::kInvalidCurrency);
}

TEST_F(TransferTest, InsufficientFundsRejected) {
  reserve("t1", 8000);
  EXPECT_EQ(error_code_of([&] { reserve("t2", 2001); }), LedgerErrorCode::kInsufficientFunds);
  EXPECT_EQ(reserve("t3", 2000).transfer.state, TransferState::kPending);
  EXPECT_EQ(account("alice").available(), 0);
  EXPECT_EQ(error_code_of([&] { reserve("t4", 1, "bob"); }), LedgerErrorCode::kInsufficientFunds);
}

TEST_F(TransferTest, NonPositiveAmountRejected) {
  EXPECT_EQ(error_code_of([&] { reserve("t1", 0); }), LedgerErrorCode::kInvalidAmount);
  EXPECT_EQ(error_code_of([&] { reserve("t1", -5); }), LedgerErrorCode::kInvalidAmount);
  EXPECT_EQ(error_code_of([&] {
              ledger_->transact([](LedgerTransaction& tx) { tx.top_up(top_up_request("t2", "alice", -1)); });
            }),
            LedgerErrorCode::kInvalidAmount);
}

TEST_F(TransferTest, BalanceOverflowRejected) {
  auto top_up = [&](const std::string& id, const std::string& account_id, std::int64_t amount) {
    ledger_->transact([&](LedgerTransaction& tx) { tx.top_up(top_up_request(id, account_id, amount)); });
  };
  // The issuance account may fall to -INT64_MAX and no further, so the
  // positive balances of a currency, and any one account's balance plus its
  // pending credits, always fit in an int64.
  EXPECT_EQ(error_code_of([&] { top_up("too-big", "bob", kMax); }), LedgerErrorCode::kOverflow);
  top_up("big", "bob", kMax - 10000);
  EXPECT_EQ(account("issuance:EUR").balance, -kMax);
  EXPECT_EQ(error_code_of([&] { top_up("more", "alice", 1); }), LedgerErrorCode::kOverflow);

  reserve("t1", 10000, "alice", "bob");
  post("t1");
  EXPECT_EQ(account("bob").balance, kMax);
  EXPECT_EQ(account("alice").balance, 0);
}

TEST_F(TransferTest, InvalidDeadlineRejected) {
  EXPECT_EQ(error_code_of([&] {
              ledger_->transact(
                  [](LedgerTransaction& tx) { tx.reserve(reserve_request("t1", "alice", "shop", 1, tx.now())); });
            }),
            LedgerErrorCode::kInvalidArgument);
}

TEST_F(TransferTest, SameAccountRejected) {
  EXPECT_EQ(error_code_of([&] { reserve("t1", 100, "alice", "alice"); }), LedgerErrorCode::kInvalidArgument);
}

TEST_F(TransferTest, IssuanceAccountNotUsableForPayments) {
  EXPECT_EQ(error_code_of([&] { reserve("t1", 100, "issuance:EUR", "shop"); }), LedgerErrorCode::kWrongAccountKind);
  EXPECT_EQ(error_code_of([&] { reserve("t1", 100, "alice", "issuance:EUR"); }), LedgerErrorCode::kWrongAccountKind);
}

TEST_F(TransferTest, FrozenAccountRejectsReserve) {
  reserve("t1", 100);
  ledger_->transact([](LedgerTransaction& tx) { tx.set_account_status("alice", AccountStatus::kFrozen); });
  EXPECT_EQ(error_code_of([&] { reserve("t2", 100); }), LedgerErrorCode::kAccountFrozen);
  // A transfer reserved before the freeze still settles.
  EXPECT_EQ(post("t1").transfer.state, TransferState::kPosted);
}

TEST_F(TransferTest, InvalidTransferIdRejected) {
  EXPECT_EQ(error_code_of([&] { reserve("", 100); }), LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(error_code_of([&] { reserve("with space", 100); }), LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(error_code_of([&] { reserve(std::string(kMaxTransferIdLength + 1, 'x'), 100); }),
            LedgerErrorCode::kInvalidArgument);
}

TEST_F(TransferTest, VoidNeedsReason) {
  reserve("t1", 100);
  EXPECT_EQ(error_code_of([&] { void_transfer("t1", ""); }), LedgerErrorCode::kInvalidArgument);
}

TEST_F(TransferTest, ErrorMessagesNameValues) {
  try {
    reserve("t1", 20000);
    FAIL() << "reserve beyond the balance succeeded";
  } catch (const LedgerError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("alice"), std::string::npos) << message;
    EXPECT_NE(message.find("20000"), std::string::npos) << message;
    EXPECT_NE(message.find("10000 available"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace sippay::ledger
