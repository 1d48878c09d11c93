// Random sequences of top-up, reserve, post, void, expiry and repeats,
// checked against a model of the expected balances and against the
// ledger's invariants after every transaction. Shared by the property tests
// of every backend.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "ledger/ledger_test_support.hpp"

namespace sippay::ledger::testing {

struct ModelAccount {
  std::string currency;
  std::int64_t balance = 0;
  std::int64_t debits_pending = 0;
  std::int64_t credits_pending = 0;
};

struct ModelTransfer {
  std::string debit;
  std::string credit;
  std::int64_t amount = 0;
  TimePoint expires_at;
  TransferState state = TransferState::kPending;
};

class Model {
 public:
  std::map<std::string, ModelAccount> accounts;
  std::map<std::string, ModelTransfer> transfers;
  // How often each outcome happened, to check that a run covers them all.
  std::map<std::string, int> outcomes;

  void hold(const ModelTransfer& transfer, std::int64_t sign) {
    accounts[transfer.debit].debits_pending += sign * transfer.amount;
    accounts[transfer.credit].credits_pending += sign * transfer.amount;
  }
};

class PropertyRun {
 public:
  PropertyRun(unsigned seed, LedgerTransaction& tx, Model& model) : random_(seed), tx_(tx), model_(model) {}

  void one_operation(int sequence) {
    const int choice = uniform(0, 99);
    if (choice < 10) return top_up(sequence);
    if (choice < 45) return reserve(sequence);
    if (choice < 70) return post();
    if (choice < 82) return void_one();
    if (choice < 87) return expire();
    return repeat();
  }

 private:
  int uniform(int low, int high) { return std::uniform_int_distribution<int>(low, high)(random_); }

  template <class Container>
  const std::string& pick(const Container& items) {
    auto it = items.begin();
    std::advance(it, uniform(0, static_cast<int>(items.size()) - 1));
    return it->first;
  }

  void top_up(int sequence) {
    const std::string account = pick(model_.accounts);
    const std::int64_t amount = uniform(1, 5000);
    const std::string id = "top-up-" + std::to_string(sequence);
    try {
      tx_.top_up({id, account, amount, ""});
      model_.accounts[account].balance += amount;
      ++model_.outcomes["top-up"];
      model_.accounts[model_.accounts[account].currency == "EUR" ? "issuance:EUR" : "issuance:JPY"].balance -= amount;
    } catch (const LedgerError& error) {
      EXPECT_EQ(error.code(), LedgerErrorCode::kWrongAccountKind) << error.what();
      EXPECT_TRUE(account.starts_with("issuance:")) << account;
    }
  }

  void reserve(int sequence) {
    const std::string debit = pick(model_.accounts);
    const std::string credit = pick(model_.accounts);
    // One reserve in 20 has an amount of zero or below.
    const std::int64_t amount = uniform(0, 19) == 0 ? uniform(-5, 0) : uniform(1, 3000);
    const std::string id = "t-" + std::to_string(sequence);
    const TimePoint expires_at = tx_.now() + std::chrono::seconds(uniform(1, 120));
    const ModelAccount& from = model_.accounts[debit];
    const ModelAccount& to = model_.accounts[credit];
    const std::string currency = uniform(0, 9) == 0 ? "JPY" : from.currency;

    LedgerErrorCode expected = LedgerErrorCode::kStorage;
    bool valid = false;
    if (amount <= 0) {
      expected = LedgerErrorCode::kInvalidAmount;
    } else if (debit == credit) {
      expected = LedgerErrorCode::kInvalidArgument;
    } else if (debit.starts_with("issuance:") || credit.starts_with("issuance:")) {
      expected = LedgerErrorCode::kWrongAccountKind;
    } else if (from.currency != currency || to.currency != currency) {
      expected = LedgerErrorCode::kCurrencyMismatch;
    } else if (amount > from.balance - from.debits_pending) {
      expected = LedgerErrorCode::kInsufficientFunds;
    } else {
      valid = true;
    }

    try {
      const TransferResult result = tx_.reserve({id, debit, credit, amount, currency, expires_at, ""});
      ASSERT_TRUE(valid) << "reserve " << id << " succeeded, expected " << to_string(expected);
      EXPECT_FALSE(result.replayed);
      ModelTransfer transfer{debit, credit, amount, expires_at, TransferState::kPending};
      model_.hold(transfer, 1);
      model_.transfers[id] = transfer;
      ++model_.outcomes["reserved"];
    } catch (const LedgerError& error) {
      ASSERT_FALSE(valid) << "reserve " << id << " failed: " << error.what();
      EXPECT_EQ(error.code(), expected) << error.what();
      ++model_.outcomes[std::string("reserve: ") + std::string(to_string(error.code()))];
    }
  }

  void post() {
    if (model_.transfers.empty()) return;
    const std::string id = pick(model_.transfers);
    ModelTransfer& transfer = model_.transfers[id];
    try {
      const TransferResult result = tx_.post(id);
      if (transfer.state == TransferState::kPosted) {
        EXPECT_TRUE(result.replayed);
        ++model_.outcomes["post replayed"];
        return;
      }
      ASSERT_EQ(transfer.state, TransferState::kPending) << id;
      ++model_.outcomes["posted"];
      ASSERT_LT(tx_.now(), transfer.expires_at) << id << " posted after its deadline";
      model_.hold(transfer, -1);
      model_.accounts[transfer.debit].balance -= transfer.amount;
      model_.accounts[transfer.credit].balance += transfer.amount;
      transfer.state = TransferState::kPosted;
    } catch (const LedgerError& error) {
      if (transfer.state == TransferState::kVoided) {
        EXPECT_EQ(error.code(), LedgerErrorCode::kTransferVoided);
      } else {
        EXPECT_EQ(error.code(), LedgerErrorCode::kTransferExpired) << error.what();
        EXPECT_GE(tx_.now(), transfer.expires_at);
        ++model_.outcomes["post after deadline"];
      }
    }
  }

  void void_one() {
    if (model_.transfers.empty()) return;
    const std::string id = pick(model_.transfers);
    ModelTransfer& transfer = model_.transfers[id];
    try {
      const TransferResult result = tx_.void_transfer(id, "declined");
      if (transfer.state == TransferState::kVoided) {
        EXPECT_TRUE(result.replayed);
        return;
      }
      ASSERT_EQ(transfer.state, TransferState::kPending);
      model_.hold(transfer, -1);
      transfer.state = TransferState::kVoided;
      ++model_.outcomes["voided"];
    } catch (const LedgerError& error) {
      EXPECT_EQ(transfer.state, TransferState::kPosted);
      EXPECT_EQ(error.code(), LedgerErrorCode::kTransferPosted) << error.what();
    }
  }

  void expire() {
    const auto voided = tx_.expire_overdue(kMaxPageSize);
    for (const Transfer& transfer : voided) {
      ModelTransfer& modelled = model_.transfers[transfer.id];
      ASSERT_EQ(modelled.state, TransferState::kPending) << transfer.id;
      ASSERT_GE(tx_.now(), modelled.expires_at) << transfer.id;
      model_.hold(modelled, -1);
      modelled.state = TransferState::kVoided;
      ++model_.outcomes["expired"];
    }
    // Nothing overdue stays pending.
    for (const auto& [id, transfer] : model_.transfers) {
      if (transfer.state == TransferState::kPending) {
        EXPECT_LT(tx_.now(), transfer.expires_at) << id;
      }
    }
  }

  // A retransmission: the same reserve again changes nothing.
  void repeat() {
    if (model_.transfers.empty()) return;
    const std::string id = pick(model_.transfers);
    const ModelTransfer& transfer = model_.transfers[id];
    const TransferResult result = tx_.reserve({id, transfer.debit, transfer.credit, transfer.amount,
                                               model_.accounts[transfer.debit].currency, tx_.now() + 1s, ""});
    EXPECT_TRUE(result.replayed);
    EXPECT_EQ(result.transfer.state, transfer.state);
  }

  std::mt19937 random_;
  LedgerTransaction& tx_;
  Model& model_;
};

inline void expect_matches_model(Ledger& ledger, const Model& model) {
  ledger.transact([&](LedgerTransaction& tx) {
    for (const auto& [id, expected] : model.accounts) {
      const auto account = tx.find_account(id);
      if (!account) {
        EXPECT_EQ(expected.balance, 0) << id;
        continue;
      }
      EXPECT_EQ(account->balance, expected.balance) << id;
      EXPECT_EQ(account->debits_pending, expected.debits_pending) << id;
      EXPECT_EQ(account->credits_pending, expected.credits_pending) << id;
      EXPECT_GE(account->kind == AccountKind::kIssuance ? 0 : account->available(), 0) << id;
    }
    for (const auto& [id, expected] : model.transfers) {
      EXPECT_EQ(tx.find_transfer(id)->state, expected.state) << id;
    }
  });
}

// Runs 3000 random operations in 60 transactions on a ledger without
// accounts, checking the model and the invariants after each transaction.
inline void run_random_operations(Ledger& ledger, TestClock& clock, unsigned seed) {
  constexpr int kTransactions = 60;
  constexpr int kOperationsPerTransaction = 50;  // 3000 operations per seed

  Model model;
  ledger.transact([&](LedgerTransaction& tx) {
    for (const char* id : {"c1", "c2", "c3", "c4"}) tx.create_account(new_account(id, AccountKind::kCustomer));
    for (const char* id : {"m1", "m2"}) tx.create_account(new_account(id, AccountKind::kMerchant));
    tx.create_account(new_account("c-jpy", AccountKind::kCustomer, "JPY"));
    tx.create_account(new_account("m-jpy", AccountKind::kMerchant, "JPY"));
    // The first top-ups create the issuance accounts.
    tx.top_up({"initial-c1", "c1", 20000, ""});
    tx.top_up({"initial-c-jpy", "c-jpy", 20000, ""});
    for (const auto& account : tx.list_accounts("", kMaxPageSize)) {
      model.accounts[account.id] = ModelAccount{account.currency, account.balance};
    }
  });
  ASSERT_EQ(model.accounts.size(), 10u);

  std::mt19937 clock_random(seed);
  int sequence = 0;
  for (int t = 0; t < kTransactions; ++t) {
    // Each transaction works on a copy of the model, kept only on commit.
    // A backend may run the work again after a serialization failure, so
    // the work starts from the committed model every time.
    Model working;
    const int first_sequence = sequence;
    ledger.transact([&](LedgerTransaction& tx) {
      working = model;
      sequence = first_sequence;
      PropertyRun run(seed * 1000 + static_cast<unsigned>(t), tx, working);
      for (int i = 0; i < kOperationsPerTransaction; ++i) run.one_operation(sequence++);
    });
    model = working;
    expect_matches_model(ledger, model);
    ASSERT_EQ(invariant_violations(ledger), std::vector<std::string>{}) << "after transaction " << t;
    clock.advance(std::chrono::seconds(std::uniform_int_distribution<int>(0, 20)(clock_random)));
    if (::testing::Test::HasFatalFailure()) return;
  }

  for (const char* outcome : {"top-up", "reserved", "posted", "post replayed", "post after deadline", "voided",
                              "expired", "reserve: insufficient funds", "reserve: currency mismatch",
                              "reserve: invalid amount"}) {
    EXPECT_GT(model.outcomes[outcome], 0) << outcome;
  }
}

}  // namespace sippay::ledger::testing
