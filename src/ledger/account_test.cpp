// Accounts, PIN state and the transaction log.
#include <gtest/gtest.h>

#include "ledger/ledger_test_support.hpp"

namespace sippay::ledger {
namespace {

using namespace testing;

class AccountTest : public ::testing::Test {
 protected:
  void SetUp() override { ledger_ = open_ledger(folder_.file("ledger.db"), clock_); }

  LedgerErrorCode create_error(const NewAccount& account) {
    return error_code_of([&] { ledger_->transact([&](LedgerTransaction& tx) { tx.create_account(account); }); });
  }

  TemporaryFolder folder_;
  TestClock clock_;
  std::unique_ptr<SqliteLedger> ledger_;
};

TEST_F(AccountTest, CreateStoresFields) {
  const Account created =
      ledger_->transact([](LedgerTransaction& tx) { return tx.create_account(new_account("alice", AccountKind::kCustomer)); });
  EXPECT_EQ(created.id, "alice");
  EXPECT_EQ(created.kind, AccountKind::kCustomer);
  EXPECT_EQ(created.owner_uri, "sip:alice@pay.test");
  EXPECT_EQ(created.currency, "EUR");
  EXPECT_EQ(created.balance, 0);
  EXPECT_EQ(created.status, AccountStatus::kActive);
  EXPECT_EQ(created.created_at, kStart);
}

TEST_F(AccountTest, DuplicateRejected) {
  ledger_->transact([](LedgerTransaction& tx) { tx.create_account(new_account("alice", AccountKind::kCustomer)); });
  EXPECT_EQ(create_error(new_account("alice", AccountKind::kMerchant)), LedgerErrorCode::kDuplicateAccount);
}

TEST_F(AccountTest, InvalidFieldsRejected) {
  EXPECT_EQ(create_error(new_account("", AccountKind::kCustomer)), LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(create_error(new_account("a b", AccountKind::kCustomer)), LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(create_error(new_account(std::string(kMaxAccountIdLength + 1, 'a'), AccountKind::kCustomer)),
            LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(create_error(new_account("issuance:EUR", AccountKind::kCustomer)), LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(create_error(new_account("x", AccountKind::kIssuance)), LedgerErrorCode::kWrongAccountKind);
  EXPECT_EQ(create_error(new_account("x", AccountKind::kCustomer, "eur")), LedgerErrorCode::kInvalidCurrency);
  EXPECT_EQ(create_error(new_account("x", AccountKind::kCustomer, "XXX")), LedgerErrorCode::kInvalidCurrency);
  EXPECT_EQ(create_error(NewAccount{"x", AccountKind::kCustomer, "mailto:x@pay.test", "EUR"}),
            LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(create_error(NewAccount{"x", AccountKind::kCustomer, "sip:x y@pay.test", "EUR"}),
            LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(create_error(NewAccount{"x", AccountKind::kCustomer, "sips:", "EUR"}), LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(create_error(NewAccount{"x", AccountKind::kCustomer, "sip:" + std::string(kMaxOwnerUriLength, 'a'), "EUR"}),
            LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(create_error(NewAccount{"x", AccountKind::kCustomer, "sip:x@pay.test", ""}),
            LedgerErrorCode::kInvalidCurrency);
}

TEST_F(AccountTest, ListPagesById) {
  ledger_->transact([](LedgerTransaction& tx) {
    for (const char* id : {"c", "a", "b", "d"}) tx.create_account(new_account(id, AccountKind::kCustomer));
  });
  const auto first = ledger_->transact([](LedgerTransaction& tx) { return tx.list_accounts("", 3); });
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(first[0].id, "a");
  EXPECT_EQ(first[2].id, "c");
  const auto second = ledger_->transact([](LedgerTransaction& tx) { return tx.list_accounts("c", 3); });
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].id, "d");
  EXPECT_EQ(error_code_of([&] { ledger_->transact([](LedgerTransaction& tx) { tx.list_accounts("", 0); }); }),
            LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(error_code_of([&] {
              ledger_->transact([](LedgerTransaction& tx) { tx.list_accounts("", kMaxPageSize + 1); });
            }),
            LedgerErrorCode::kInvalidArgument);
}

TEST_F(AccountTest, PinValueStoredAndFailuresLock) {
  ledger_->transact([](LedgerTransaction& tx) {
    tx.create_account(new_account("alice", AccountKind::kCustomer));
    tx.set_pin_verification_value("alice", Bytes{1, 2, 3, 0, 255});
  });
  auto record_failure = [&] {
    return ledger_->transact(
        [](LedgerTransaction& tx) { return tx.record_pin_failure("alice", 3, std::chrono::minutes(15)); });
  };
  EXPECT_EQ(record_failure().failures, 1);
  const PinState second = record_failure();
  EXPECT_EQ(second.failures, 2);
  EXPECT_FALSE(second.locked_until);
  const PinState third = record_failure();
  EXPECT_EQ(third.failures, 3);
  EXPECT_EQ(third.locked_until, kStart + std::chrono::minutes(15));
  EXPECT_EQ(third.verification_value, (Bytes{1, 2, 3, 0, 255}));

  ledger_->transact([](LedgerTransaction& tx) { tx.reset_pin_failures("alice"); });
  const PinState reset = ledger_->transact([](LedgerTransaction& tx) { return tx.pin_state("alice"); });
  EXPECT_EQ(reset.failures, 0);
  EXPECT_FALSE(reset.locked_until);
  EXPECT_EQ(reset.verification_value, (Bytes{1, 2, 3, 0, 255}));
}

TEST_F(AccountTest, PinSetClearsFailures) {
  ledger_->transact([](LedgerTransaction& tx) {
    tx.create_account(new_account("alice", AccountKind::kCustomer));
    EXPECT_FALSE(tx.pin_state("alice").verification_value);
    tx.record_pin_failure("alice", 1, std::chrono::minutes(1));
    tx.set_pin_verification_value("alice", Bytes{9});
    const PinState state = tx.pin_state("alice");
    EXPECT_EQ(state.failures, 0);
    EXPECT_FALSE(state.locked_until);
  });
}

TEST_F(AccountTest, PinErrorsRejected) {
  ledger_->transact([](LedgerTransaction& tx) {
    tx.create_account(new_account("alice", AccountKind::kCustomer));
    tx.create_account(new_account("shop", AccountKind::kMerchant));
  });
  auto run = [&](auto action) { return error_code_of([&] { ledger_->transact(action); }); };
  EXPECT_EQ(run([](LedgerTransaction& tx) { tx.set_pin_verification_value("shop", Bytes{1}); }),
            LedgerErrorCode::kWrongAccountKind);
  EXPECT_EQ(run([](LedgerTransaction& tx) { tx.set_pin_verification_value("nobody", Bytes{1}); }),
            LedgerErrorCode::kUnknownAccount);
  EXPECT_EQ(run([](LedgerTransaction& tx) { tx.set_pin_verification_value("alice", Bytes{}); }),
            LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(run([](LedgerTransaction& tx) {
              tx.set_pin_verification_value("alice", Bytes(kMaxPinVerificationValueLength + 1, 7));
            }),
            LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(run([](LedgerTransaction& tx) { tx.record_pin_failure("alice", 0, std::chrono::minutes(1)); }),
            LedgerErrorCode::kInvalidArgument);
  EXPECT_EQ(run([](LedgerTransaction& tx) { tx.reset_pin_failures("shop"); }), LedgerErrorCode::kWrongAccountKind);
}

TEST_F(AccountTest, HistoryListsEntriesNewestFirst) {
  ledger_->transact([](LedgerTransaction& tx) {
    tx.create_account(new_account("alice", AccountKind::kCustomer));
    tx.create_account(new_account("shop", AccountKind::kMerchant));
    tx.top_up(top_up_request("top-up-1", "alice", 5000));
  });
  clock_.advance(1s);
  ledger_->transact([](LedgerTransaction& tx) {
    tx.reserve(reserve_request("t1", "alice", "shop", 1200, tx.now() + 60s));
    tx.post("t1");
    tx.reserve(reserve_request("t2", "alice", "shop", 300, tx.now() + 60s));
    tx.void_transfer("t2", "declined");
  });

  const HistoryPage page = ledger_->transact([](LedgerTransaction& tx) { return tx.history("alice", {}, 10); });
  ASSERT_EQ(page.entries.size(), 5u);
  EXPECT_FALSE(page.next_before_entry_id);

  const HistoryEntry& voided = page.entries[0];
  EXPECT_EQ(voided.transfer_id, "t2");
  EXPECT_EQ(voided.event, JournalEvent::kVoid);
  EXPECT_EQ(voided.transfer_state, TransferState::kVoided);
  EXPECT_EQ(voided.pending_debit_change, -300);
  EXPECT_EQ(voided.available_after, 3800);

  const HistoryEntry& posted = page.entries[2];
  EXPECT_EQ(posted.transfer_id, "t1");
  EXPECT_EQ(posted.event, JournalEvent::kPost);
  EXPECT_EQ(posted.counterparty, "shop");
  EXPECT_EQ(posted.amount, -1200);
  EXPECT_EQ(posted.balance_after, 3800);
  EXPECT_EQ(posted.time, kStart + 1s);
  EXPECT_EQ(posted.reference, "order-1");

  const HistoryEntry& reserved = page.entries[3];
  EXPECT_EQ(reserved.event, JournalEvent::kReserve);
  EXPECT_EQ(reserved.amount, 0);
  EXPECT_EQ(reserved.pending_debit_change, 1200);
  EXPECT_EQ(reserved.balance_after, 5000);
  EXPECT_EQ(reserved.available_after, 3800);

  const HistoryEntry& top_up = page.entries[4];
  EXPECT_EQ(top_up.event, JournalEvent::kTopUp);
  EXPECT_EQ(top_up.counterparty, "issuance:EUR");
  EXPECT_EQ(top_up.amount, 5000);
  EXPECT_EQ(top_up.time, kStart);

  const HistoryPage shop = ledger_->transact([](LedgerTransaction& tx) { return tx.history("shop", {}, 10); });
  ASSERT_EQ(shop.entries.size(), 4u);
  EXPECT_EQ(shop.entries[2].amount, 1200);
  EXPECT_EQ(shop.entries[2].counterparty, "alice");
}

TEST_F(AccountTest, HistoryPages) {
  ledger_->transact([](LedgerTransaction& tx) {
    tx.create_account(new_account("alice", AccountKind::kCustomer));
    for (int i = 0; i < 7; ++i) tx.top_up(top_up_request("top-up-" + std::to_string(i), "alice", 100));
  });
  std::vector<std::string> seen;
  std::optional<std::int64_t> before;
  int pages = 0;
  do {
    const HistoryPage page =
        ledger_->transact([&](LedgerTransaction& tx) { return tx.history("alice", before, 3); });
    for (const auto& entry : page.entries) seen.push_back(entry.transfer_id);
    before = page.next_before_entry_id;
    ++pages;
  } while (before);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"top-up-6", "top-up-5", "top-up-4", "top-up-3", "top-up-2",
                                            "top-up-1", "top-up-0"}));
}

TEST_F(AccountTest, HistoryErrorsRejected) {
  EXPECT_EQ(error_code_of([&] { ledger_->transact([](LedgerTransaction& tx) { tx.history("nobody", {}, 10); }); }),
            LedgerErrorCode::kUnknownAccount);
  ledger_->transact([](LedgerTransaction& tx) { tx.create_account(new_account("alice", AccountKind::kCustomer)); });
  EXPECT_EQ(error_code_of([&] { ledger_->transact([](LedgerTransaction& tx) { tx.history("alice", {}, 0); }); }),
            LedgerErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sippay::ledger
