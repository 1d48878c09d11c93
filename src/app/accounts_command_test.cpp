#include "app/accounts_command.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

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

}  // namespace
}  // namespace sippay::app
