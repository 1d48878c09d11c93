// Measures the SQLite ledger's throughput of purchases (reserve then post,
// two transactions each) with 1 to N threads, and how many works each
// commit carried (group commit).
//
//   ledger_bench [--threads N] [--purchases-per-thread M] [--folder DIR]
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ledger/invariants.hpp"
#include "ledger/sqlite_ledger.hpp"

namespace {

using sippay::ledger::AccountKind;
using sippay::ledger::LedgerTransaction;
using sippay::ledger::SqliteLedger;

struct Options {
  int max_threads = 8;
  int purchases_per_thread = 200;
  std::filesystem::path folder = std::filesystem::temp_directory_path();
};

void run(const Options& options, int threads) {
  const std::filesystem::path path = options.folder / fmt::format("ledger-bench-{}-{}.db", getpid(), threads);
  {
    SqliteLedger ledger(path);
    ledger.transact([&](LedgerTransaction& tx) {
      tx.create_account({"shop", AccountKind::kMerchant, "sip:shop@pay.test", "EUR"});
      for (int t = 0; t < threads; ++t) {
        const std::string id = fmt::format("customer-{}", t);
        tx.create_account({id, AccountKind::kCustomer, "sip:" + id + "@pay.test", "EUR"});
        tx.top_up({"top-up-" + id, id, 1'000'000'000, ""});
      }
    });
    const auto before = ledger.stats();

    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        const std::string customer = fmt::format("customer-{}", t);
        for (int i = 0; i < options.purchases_per_thread; ++i) {
          const std::string id = fmt::format("purchase-{}-{}", t, i);
          ledger.transact([&](LedgerTransaction& tx) {
            tx.reserve({id, customer, "shop", 123, "EUR", tx.now() + std::chrono::minutes(5), ""});
          });
          ledger.transact([&](LedgerTransaction& tx) { tx.post(id); });
        }
      });
    }
    for (auto& worker : workers) worker.join();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const auto after = ledger.stats();
    const auto works = after.works - before.works;
    const auto commits = after.commits - before.commits;
    const auto violations = ledger.transact([](LedgerTransaction& tx) { return check_invariants(tx); });
    fmt::print("threads {:2}: {:7.0f} purchases/s, {:7.0f} transactions/s, {:5.2f} transactions per commit, "
               "invariants {}\n",
               threads, threads * options.purchases_per_thread / seconds, static_cast<double>(works) / seconds,
               static_cast<double>(works) / static_cast<double>(commits), violations.empty() ? "hold" : "VIOLATED");
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view name = argv[i];
    if (name == "--threads") {
      options.max_threads = std::atoi(argv[i + 1]);
    } else if (name == "--purchases-per-thread") {
      options.purchases_per_thread = std::atoi(argv[i + 1]);
    } else if (name == "--folder") {
      options.folder = argv[i + 1];
    } else {
      fmt::print(stderr, "unknown option {}; use --threads N, --purchases-per-thread M, --folder DIR\n", name);
      return 2;
    }
  }
  for (int threads = 1; threads <= options.max_threads; threads *= 2) run(options, threads);
  return 0;
}
