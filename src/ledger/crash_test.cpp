// A child process streams transfers into the ledger and is killed with
// SIGKILL mid-stream. On reopen, every transfer that it reported committed
// must be there, and the invariants must hold.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "ledger/ledger_test_support.hpp"

namespace sippay::ledger {
namespace {

using namespace testing;

constexpr int kCustomers = 4;

// The child: runs until killed, writing "ID STATE\n" to `report` after each
// transaction that committed. Several threads, so group commit batches.
[[noreturn]] void stream_transfers(const std::filesystem::path& path, int report) {
  try {
    SqliteLedger ledger(path);
    std::mutex report_mutex;
    auto report_line = [&](const std::string& line) {
      std::lock_guard lock(report_mutex);
      const std::string text = line + "\n";
      if (write(report, text.data(), text.size()) != static_cast<ssize_t>(text.size())) _exit(3);
    };
    std::vector<std::thread> threads;
    for (int c = 0; c < kCustomers; ++c) {
      threads.emplace_back([&, c] {
        std::mt19937 random(static_cast<unsigned>(c));
        const std::string customer = "c" + std::to_string(c);
        for (int i = 0;; ++i) {
          const std::string id = customer + "-" + std::to_string(i);
          ledger.transact([&](LedgerTransaction& tx) {
            tx.reserve(reserve_request(id, customer, "shop", 1 + static_cast<int>(random() % 50), tx.now() + 60s));
          });
          report_line(id + " pending");
          const bool accept = random() % 4 != 0;
          ledger.transact([&](LedgerTransaction& tx) {
            if (accept) {
              tx.post(id);
            } else {
              tx.void_transfer(id, "declined");
            }
          });
          report_line(id + (accept ? " posted" : " voided"));
          if (i % 20 == 19) {
            ledger.transact([&](LedgerTransaction& tx) { tx.top_up(top_up_request("top-up-" + id, customer, 1000)); });
            report_line("top-up-" + id + " posted");
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "crash test child: %s\n", error.what());
    _exit(2);
  }
  _exit(0);
}

TEST(CrashSafety, SigkillMidStreamKeepsCommittedTransfers) {
  TemporaryFolder folder;
  const std::filesystem::path path = folder.file("ledger.db");
  {
    SqliteLedger ledger(path);
    ledger.transact([](LedgerTransaction& tx) {
      tx.create_account(new_account("shop", AccountKind::kMerchant));
      for (int c = 0; c < kCustomers; ++c) {
        const std::string id = "c" + std::to_string(c);
        tx.create_account(new_account(id, AccountKind::kCustomer));
        tx.top_up(top_up_request("initial-" + id, id, 100000));
      }
    });
  }

  int pipe_ends[2];
  ASSERT_EQ(pipe(pipe_ends), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_ends[0]);
    stream_transfers(path, pipe_ends[1]);
  }
  close(pipe_ends[1]);

  // Read reports until enough transactions committed, then kill.
  constexpr int kReportsBeforeKill = 400;
  std::map<std::string, std::string> reported;
  std::string buffer;
  int reports = 0;
  char chunk[4096];
  while (reports < kReportsBeforeKill) {
    const ssize_t size = read(pipe_ends[0], chunk, sizeof chunk);
    if (size <= 0) break;
    buffer.append(chunk, static_cast<std::size_t>(size));
    std::size_t end;
    while ((end = buffer.find('\n')) != std::string::npos) {
      std::istringstream line(buffer.substr(0, end));
      buffer.erase(0, end + 1);
      std::string id, state;
      line >> id >> state;
      reported[id] = state;
      ++reports;
    }
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  close(pipe_ends[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited by itself with status " << WEXITSTATUS(status);
  ASSERT_GE(reports, kReportsBeforeKill);

  SqliteLedger ledger(path);
  EXPECT_EQ(invariant_violations(ledger), std::vector<std::string>{});
  ledger.transact([&](LedgerTransaction& tx) {
    for (const auto& [id, state] : reported) {
      const auto transfer = tx.find_transfer(id);
      ASSERT_TRUE(transfer) << id << " was reported committed but is missing";
      if (state == "pending") {
        // A later post or void may have committed before the report.
        continue;
      }
      EXPECT_EQ(to_string(transfer->state), state) << id;
    }
  });
  // The ledger takes new work after the crash.
  ledger.transact([](LedgerTransaction& tx) { tx.top_up(top_up_request("after-crash", "c0", 1)); });
  EXPECT_EQ(invariant_violations(ledger), std::vector<std::string>{});
}

}  // namespace
}  // namespace sippay::ledger
