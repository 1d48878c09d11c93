#include "app/accounts_command.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ledger/open_ledger.hpp"
#include "payment/pin_verification.hpp"

namespace sippay::app {
namespace {

namespace fs = std::filesystem;

class AccountsCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "sippay-accounts-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    folder_ = pattern;
    database_ = (folder_ / "ledger.db").string();
  }
  void TearDown() override { fs::remove_all(folder_); }

  int run(AccountsOptions options) {
    options.database = options.database.empty() ? database_ : options.database;
    out_.str("");
    err_.str("");
    return run_accounts(options, out_, err_);
  }
  int create(const std::string& id, const std::string& kind = "customer", const std::string& currency = "EUR") {
    AccountsOptions options;
    options.action = "create";
    options.id = id;
    options.kind = kind;
    options.currency = currency;
    options.owner = "sip:" + id + "@pay.test";
    return run(options);
  }
  int top_up(const std::string& id, const std::string& amount, const std::string& transfer_id = "") {
    AccountsOptions options;
    options.action = "top-up";
    options.id = id;
    options.amount = amount;
    options.transfer_id = transfer_id;
    return run(options);
  }
  int action(const std::string& name, const std::string& id = "") {
    AccountsOptions options;
    options.action = name;
    options.id = id;
    return run(options);
  }

  fs::path folder_;
  std::string database_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(AccountsCommand, CreateAndShow) {
  ASSERT_EQ(create("alice"), 0) << err_.str();
  EXPECT_EQ(out_.str(), "created customer account alice in EUR for sip:alice@pay.test\n");
  ASSERT_EQ(action("show", "alice"), 0) << err_.str();
  EXPECT_NE(out_.str().find("balance:         0.00 EUR"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("pin:             not set, 0 failures"), std::string::npos) << out_.str();
}

TEST_F(AccountsCommand, TopUpParsesExactAmount) {
  ASSERT_EQ(create("alice"), 0);
  ASSERT_EQ(top_up("alice", "12.34", "cash-1"), 0) << err_.str();
  EXPECT_EQ(out_.str(), "topped up alice by 12.34 EUR: balance 12.34 EUR, available 12.34 EUR (transfer cash-1)\n");
  ASSERT_EQ(top_up("alice", "0.66"), 0) << err_.str();
  EXPECT_NE(out_.str().find("balance 13.00 EUR"), std::string::npos) << out_.str();
}

TEST_F(AccountsCommand, RepeatedTopUpIdChangesNothing) {
  ASSERT_EQ(create("alice"), 0);
  ASSERT_EQ(top_up("alice", "5", "cash-1"), 0);
  ASSERT_EQ(top_up("alice", "5", "cash-1"), 0);
  EXPECT_NE(out_.str().find("already topped up alice by 5.00 EUR: balance 5.00 EUR"), std::string::npos)
      << out_.str();
}

TEST_F(AccountsCommand, TopUpRejectsBadAmounts) {
  ASSERT_EQ(create("alice"), 0);
  ASSERT_EQ(create("kyoto", "merchant", "JPY"), 0);
  struct Case {
    std::string account;
    std::string amount;
    std::string message;
  };
  for (const Case& bad : std::vector<Case>{
           {"alice", "12.345", "invalid amount \"12.345\" for EUR: EUR has 2 decimal places"},
           {"alice", "-1", "invalid amount \"-1\" for EUR: the amount must be positive"},
           {"alice", "0", "the amount must be positive"},
           {"alice", "abc", "invalid amount \"abc\""},
           {"alice", "92233720368547758.08", "amount \"92233720368547758.08\" EUR is too large"},
           {"kyoto", "1.5", "invalid amount \"1.5\" for JPY"},
       }) {
    EXPECT_EQ(top_up(bad.account, bad.amount), 1) << bad.amount;
    EXPECT_NE(err_.str().find(bad.message), std::string::npos) << err_.str();
  }
  ASSERT_EQ(action("show", "alice"), 0);
  EXPECT_NE(out_.str().find("balance:         0.00 EUR"), std::string::npos) << out_.str();
}

TEST_F(AccountsCommand, ErrorsNameTheValue) {
  ASSERT_EQ(create("alice"), 0);
  EXPECT_EQ(create("alice"), 1);
  EXPECT_EQ(err_.str(), "error: account alice already exists\n");
  EXPECT_EQ(create("bob", "bank"), 1);
  EXPECT_EQ(err_.str(), "error: invalid account kind \"bank\": use customer or merchant\n");
  EXPECT_EQ(create("bob", "customer", "EURO"), 1);
  EXPECT_NE(err_.str().find("invalid currency \"EURO\""), std::string::npos) << err_.str();
  EXPECT_EQ(top_up("nobody", "1"), 1);
  EXPECT_EQ(err_.str(), "error: unknown account \"nobody\"\n");
  EXPECT_EQ(action("history", "nobody"), 1);
  EXPECT_EQ(err_.str(), "error: unknown account \"nobody\"\n");
}

TEST_F(AccountsCommand, MissingFileRejected) {
  EXPECT_EQ(action("list"), 2);
  EXPECT_NE(err_.str().find("not found"), std::string::npos) << err_.str();
  EXPECT_FALSE(fs::exists(database_));
}

TEST_F(AccountsCommand, ListPages) {
  for (const char* id : {"carol", "alice", "bob"}) ASSERT_EQ(create(id), 0);
  AccountsOptions options;
  options.action = "list";
  options.limit = 2;
  ASSERT_EQ(run(options), 0) << err_.str();
  const std::string first = out_.str();
  EXPECT_EQ(first.find("alice"), 0u) << first;
  EXPECT_NE(first.find("more accounts follow: add --after bob"), std::string::npos) << first;
  options.after = "bob";
  ASSERT_EQ(run(options), 0);
  EXPECT_EQ(out_.str().find("carol"), 0u) << out_.str();
  EXPECT_EQ(out_.str().find("more accounts"), std::string::npos) << out_.str();
}

TEST_F(AccountsCommand, HistoryAndCheck) {
  ASSERT_EQ(create("alice"), 0);
  ASSERT_EQ(top_up("alice", "10", "cash-1"), 0);
  ASSERT_EQ(top_up("alice", "2.50", "cash-2"), 0);
  ASSERT_EQ(action("history", "alice"), 0) << err_.str();
  const std::string text = out_.str();
  const auto second = text.find("cash-2");
  const auto first = text.find("cash-1");
  ASSERT_NE(second, std::string::npos) << text;
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_LT(second, first) << "newest first:\n" << text;
  EXPECT_NE(text.find("2.50 EUR balance      12.50 EUR"), std::string::npos) << text;
  EXPECT_NE(text.find("issuance:EUR"), std::string::npos) << text;

  ASSERT_EQ(action("check"), 0) << out_.str();
  EXPECT_EQ(out_.str(), "invariants hold\n");
}

TEST_F(AccountsCommand, BinaryRunsSubcommand) {
  const std::string command = std::string(SIPPAY_BINARY) + " accounts create --db " + database_ +
                              " --id alice --kind customer --currency EUR --owner sip:alice@pay.test 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char line[256] = {};
  ASSERT_NE(fgets(line, sizeof line, pipe), nullptr);
  EXPECT_STREQ(line, "created customer account alice in EUR for sip:alice@pay.test\n");
  EXPECT_EQ(WEXITSTATUS(pclose(pipe)), 0);

  const std::string failing = std::string(SIPPAY_BINARY) + " accounts top-up --db " + database_ +
                              " --id alice --amount 1.001 > /dev/null 2>&1";
  EXPECT_EQ(WEXITSTATUS(std::system(failing.c_str())), 1);
}

class AccountsSetPin : public AccountsCommand {
 protected:
  void SetUp() override {
    AccountsCommand::SetUp();
    key_ = payment::create_pin_key_file(folder_ / "pin.key");
    ASSERT_EQ(create("alice"), 0) << err_.str();
  }
  int set_pin(const std::string& id, const std::string& pin_line) {
    const fs::path pin_file = folder_ / "pin.txt";
    std::ofstream(pin_file) << pin_line;
    AccountsOptions options;
    options.action = "set-pin";
    options.id = id;
    options.pin_key = (folder_ / "pin.key").string();
    options.pin_file = pin_file.string();
    return run(options);
  }
  std::optional<ledger::Bytes> stored(const std::string& id) {
    auto ledger = ledger::open_ledger_at(database_);
    return ledger->transact([&](ledger::LedgerTransaction& tx) { return tx.pin_state(id).verification_value; });
  }

  std::optional<payment::PinKey> key_;
};

TEST_F(AccountsSetPin, StoresTheKeyedValueOnly) {
  ASSERT_EQ(set_pin("alice", "482913\n"), 0) << err_.str();
  EXPECT_EQ(out_.str(), "PIN set for alice; failures and lockout cleared\n");
  const auto value = payment::compute_pin_verification_value(*key_, "alice", "482913");
  EXPECT_EQ(stored("alice"), ledger::Bytes(value.begin(), value.end()));
  ASSERT_EQ(action("show", "alice"), 0);
  EXPECT_NE(out_.str().find("pin:             set, 0 failures"), std::string::npos) << out_.str();
  EXPECT_EQ(out_.str().find("482913"), std::string::npos);
}

TEST_F(AccountsSetPin, ClearsFailuresAndLockout) {
  ASSERT_EQ(set_pin("alice", "482913"), 0) << err_.str();
  {
    auto ledger = ledger::open_ledger_at(database_);
    ledger->transact([](ledger::LedgerTransaction& tx) {
      tx.record_pin_failure("alice", 1, std::chrono::hours(1));
    });
  }
  ASSERT_EQ(action("show", "alice"), 0);
  EXPECT_NE(out_.str().find("1 failures, locked until"), std::string::npos) << out_.str();
  ASSERT_EQ(set_pin("alice", "111222"), 0) << err_.str();
  ASSERT_EQ(action("show", "alice"), 0);
  EXPECT_NE(out_.str().find("pin:             set, 0 failures\n"), std::string::npos) << out_.str();
}

TEST_F(AccountsSetPin, RejectsABadPinWithoutEchoingIt) {
  ASSERT_EQ(set_pin("alice", "12a45"), 1);
  EXPECT_NE(err_.str().find("nothing changed"), std::string::npos) << err_.str();
  EXPECT_EQ(err_.str().find("12a45"), std::string::npos) << err_.str();
  EXPECT_FALSE(stored("alice").has_value());
  ASSERT_EQ(set_pin("alice", "123"), 1);
  EXPECT_FALSE(stored("alice").has_value());
}

TEST_F(AccountsSetPin, RefusesMerchantAndUnknownAccounts) {
  ASSERT_EQ(create("shop", "merchant"), 0);
  EXPECT_EQ(set_pin("shop", "482913"), 1);
  EXPECT_EQ(set_pin("nobody", "482913"), 1);
  EXPECT_NE(err_.str().find("nobody"), std::string::npos) << err_.str();
}

TEST_F(AccountsSetPin, UnreadableKeyOrPinFileExits2) {
  fs::permissions(folder_ / "pin.key", fs::perms::owner_read | fs::perms::group_read);
  EXPECT_EQ(set_pin("alice", "482913"), 2);
  EXPECT_NE(err_.str().find("pin.key"), std::string::npos) << err_.str();
  fs::permissions(folder_ / "pin.key", fs::perms::owner_read);

  AccountsOptions options;
  options.action = "set-pin";
  options.id = "alice";
  options.pin_key = (folder_ / "pin.key").string();
  options.pin_file = (folder_ / "missing.txt").string();
  EXPECT_EQ(run(options), 2);
  EXPECT_NE(err_.str().find("missing.txt"), std::string::npos) << err_.str();
  EXPECT_FALSE(stored("alice").has_value());
}

TEST_F(AccountsSetPin, BinaryReadsThePinFile) {
  std::ofstream(folder_ / "pin.txt") << "482913\n";
  const std::string command = std::string(SIPPAY_BINARY) + " accounts set-pin --db " + database_ + " --id alice" +
                              " --pin-key " + (folder_ / "pin.key").string() + " --pin-file " +
                              (folder_ / "pin.txt").string() + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char line[256] = {};
  ASSERT_NE(fgets(line, sizeof line, pipe), nullptr);
  EXPECT_STREQ(line, "PIN set for alice; failures and lockout cleared\n");
  EXPECT_EQ(WEXITSTATUS(pclose(pipe)), 0);
  EXPECT_TRUE(stored("alice").has_value());
}

}  // namespace
}  // namespace sippay::app
