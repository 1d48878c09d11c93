// `sippay bench purchase`: purchases per second end to end on loopback,
// against the crypto floor measured in the same run.
//
//   sippay bench purchase [--customers N] [--duration S] [--warmup S] [--threads T]
//                         [--floor-time MS] [--dir D]
//
// Creates a deployment like `sippay demo` with N load customers and
// measures the CPU time of each cryptographic operation of one purchase at
// the customer, merchant and gateway. Then it starts proxy, gateway and
// merchant as processes over TLS on 127.0.0.1 and lets N customers in this
// process buy in a closed loop. Last, it stops the daemons and checks the
// ledger. Prints tables and one JSON line. Exits 0 only when no purchase
// failed and every ledger check passed. docs/benchmarks.md describes the
// output.
#pragma once

#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace sippay::app {

// Limits of the options (docs/benchmarks.md names them).
inline constexpr int kMaxBenchCustomers = 100;
inline constexpr int kMaxBenchSeconds = 3600;

struct BenchPurchaseOptions {
  int customers = 8;
  int duration_seconds = 10;  // the measured window
  double warmup_seconds = 2;  // before the window; purchases completed then are not measured
  int threads = 0;            // customer I/O threads; 0: one per CPU
  int floor_ms = 200;         // CPU time spent timing each crypto operation
  std::string folder;         // empty: a new folder under $TMPDIR, removed after a successful run
};

// Adds `bench` with its `purchase` subcommand to `app` and returns `purchase`.
CLI::App* add_bench_command(CLI::App& app, BenchPurchaseOptions& options);

int run_bench_purchase(const BenchPurchaseOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sippay::app
