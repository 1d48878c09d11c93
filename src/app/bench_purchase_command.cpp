#include "app/bench_purchase_command.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <thread>

#include <fmt/core.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "app/bench_crypto_floor.hpp"
#include "app/bench_purchase_load.hpp"
#include "app/demo_deployment.hpp"
#include "app/demo_process.hpp"
#include "ledger/open_ledger.hpp"
#include "ledger/sql.hpp"

namespace sippay::app {
namespace fs = std::filesystem;
using namespace demo;
using bench::Side;

namespace {

constexpr auto kStartLimit = std::chrono::seconds(20);
constexpr auto kStopLimit = std::chrono::seconds(10);
// Each load customer's opening balance: 1,000,000.00 EUR, 400,000 purchases of the item.
constexpr std::int64_t kLoadOpeningBalance = 100'000'000;
// The proxy's per-source rate limit for the run: every customer sends from 127.0.0.1.
constexpr int kProxyRateLimit = 1'000'000;
const CatalogItem kBenchItem{"bench-coffee", "Benchmark coffee", 250, 1'000'000'000};

fs::path make_folder(const BenchPurchaseOptions& options) {
  if (!options.folder.empty()) {
    const fs::path folder(options.folder);
    if (fs::exists(folder) && !fs::is_empty(folder)) {
      throw std::runtime_error(
          fmt::format("--dir {}: the folder is not empty; name a new or empty folder", folder.string()));
    }
    fs::create_directories(folder);
    return fs::absolute(folder);
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = fmt::format("{}/sippay-bench-XXXXXX", tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error(fmt::format("failed to create a folder from {}", pattern));
  return pattern;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The 1, 5 and 15 minute load averages of /proc/loadavg.
std::string load_average() {
  std::istringstream fields(read_text("/proc/loadavg"));
  std::string one, five, fifteen;
  fields >> one >> five >> fifteen;
  return fmt::format("{} {} {}", one, five, fifteen);
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(colon + 2);
    }
  }
  return "unknown";
}

// CPU time and run-queue wait of a process, summed over its threads.
struct ProcessTimes {
  double cpu_seconds = 0;   // user + system, from /proc/PID/stat
  double wait_seconds = 0;  // runnable but not running, from /proc/PID/task/*/schedstat
};

ProcessTimes read_process_times(pid_t pid) {
  ProcessTimes times;
  const std::string stat = read_text(fmt::format("/proc/{}/stat", pid));
  // The command name in brackets may contain spaces, so fields are counted after its ')'.
  const auto close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    unsigned long long ticks = 0;
    for (int index = 3; index <= 15 && fields >> field; ++index) {
      if (index == 14 || index == 15) ticks += std::stoull(field);  // utime, stime
    }
    times.cpu_seconds = static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  std::error_code error;
  for (const auto& task : fs::directory_iterator(fmt::format("/proc/{}/task", pid), error)) {
    std::istringstream schedstat(read_text(task.path() / "schedstat"));
    unsigned long long running_ns = 0, waiting_ns = 0;
    if (schedstat >> running_ns >> waiting_ns) times.wait_seconds += static_cast<double>(waiting_ns) * 1e-9;
  }
  return times;
}

// One process of the run, sampled at the start and the end of the window.
struct ProcessSample {
  std::string name;
  pid_t pid = -1;
  std::optional<Side> side;  // whose crypto it runs (none for the proxy)
  ProcessTimes start, end;
};

struct LedgerTotals {
  long posted_payments = 0;
  std::int64_t posted_amount = 0;
  long pending_payments = 0;
  std::int64_t merchant_balance = 0;
};

LedgerTotals read_ledger_totals(const Deployment& deployment) {
  auto ledger = ledger::open_ledger_at(deployment.ledger.string());
  return ledger->transact([](ledger::LedgerTransaction& tx) {
    LedgerTotals totals;
    {
      ledger::sql::Query posted(tx.connection(),
                                "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM transfers "
                                "WHERE kind = 'payment' AND state = 'posted'");
      if (posted->step()) {
        totals.posted_payments = static_cast<long>(posted->column_int64(0));
        totals.posted_amount = posted->column_int64(1);
      }
    }
    {
      ledger::sql::Query pending(tx.connection(),
                                 "SELECT COUNT(*) FROM transfers WHERE kind = 'payment' AND state = 'pending'");
      if (pending->step()) totals.pending_payments = static_cast<long>(pending->column_int64(0));
    }
    totals.merchant_balance = tx.get_account(kMerchantAccount).balance;
    return totals;
  });
}

double percentile(const std::vector<double>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank > 0 ? rank - 1 : 0)];
}

void print_floor(std::ostream& out, const bench::CryptoFloor& floor) {
  fmt::print(out, "\nCrypto floor, before the load: each operation of one purchase timed alone on one thread\n");
  fmt::print(out, "  {:<9} {:<56} {:>9} {:>9} {:>6}\n", "side", "operation", "CPU us", "wall us", "calls");
  for (const bench::OperationCost& operation : floor.operations) {
    fmt::print(out, "  {:<9} {:<56} {:>9.1f} {:>9.1f} {:>6}\n", bench::to_string(operation.side), operation.name,
               operation.cpu_us, operation.wall_us, operation.iterations);
  }
  for (Side side : {Side::kCustomer, Side::kMerchant, Side::kGateway}) {
    fmt::print(out, "  {:<9} {:<56} {:>9.1f}   -> {:.0f} purchases/s on one CPU\n", bench::to_string(side),
               "sum", floor.side_cpu_us(side), floor.side_purchases_per_second(side));
  }
  fmt::print(out, "  {:<9} {:<56} {:>9.1f}   -> floor {:.0f} purchases/s on {} CPUs\n", "all", "sum",
             floor.total_cpu_us(), floor.purchases_per_second(), floor.cores);
}

// Prints a floor measurement's CPU time per side and in total, in one line named `label`.
void print_floor_sums(std::ostream& out, std::string_view label, const bench::CryptoFloor& floor) {
  fmt::print(out, "  {:<34} customer {:>7.1f}  merchant {:>7.1f}  gateway {:>7.1f}  all {:>8.1f} us -> {:.0f}/s\n",
             label, floor.side_cpu_us(Side::kCustomer), floor.side_cpu_us(Side::kMerchant),
             floor.side_cpu_us(Side::kGateway), floor.total_cpu_us(), floor.purchases_per_second());
}

struct CpuSummary {
  double total_us = 0;                    // CPU time per settled purchase, all processes
  double crypto_share = 0;                // the floor's CPU time / total_us
  double cpu_bound_rate = 0;              // purchases/s if the run had every CPU
  std::map<std::string, double> cpu_us;   // per process
  std::map<std::string, double> wait_us;  // run-queue wait per process
};

// Prints the CPU time and run-queue wait per settled purchase of each process.
CpuSummary print_cpu(std::ostream& out, const std::vector<ProcessSample>& processes,
                     const bench::CryptoFloor& floor, long settled) {
  CpuSummary summary;
  const double per_purchase = settled > 0 ? 1e6 / static_cast<double>(settled) : 0;
  fmt::print(out, "  per settled purchase in the window, us:  {:>9} {:>15} {:>13}\n", "CPU", "run-queue wait",
             "crypto floor");
  for (const ProcessSample& process : processes) {
    const double cpu = (process.end.cpu_seconds - process.start.cpu_seconds) * per_purchase;
    const double wait = (process.end.wait_seconds - process.start.wait_seconds) * per_purchase;
    const double crypto = process.side ? floor.side_cpu_us(*process.side) : 0;
    summary.cpu_us[process.name] = cpu;
    summary.wait_us[process.name] = wait;
    summary.total_us += cpu;
    fmt::print(out, "    {:<37} {:>9.1f} {:>15.1f} {:>13.1f}\n", process.name, cpu, wait, crypto);
  }
  fmt::print(out, "    {:<37} {:>9.1f} {:>15} {:>13.1f}\n", "all", summary.total_us, "", floor.total_cpu_us());
  // Independent of how much CPU other work left to the run: the crypto's share
  // of the CPU time, and the rate that time would allow on every CPU.
  summary.crypto_share = summary.total_us > 0 ? floor.total_cpu_us() / summary.total_us : 0;
  summary.cpu_bound_rate = summary.total_us > 0 ? floor.cores * 1e6 / summary.total_us : 0;
  fmt::print(out, "  crypto share of that CPU time: {:.1f}%; with all {} CPUs: at most {:.1f} purchases/s\n",
             summary.crypto_share * 100, floor.cores, summary.cpu_bound_rate);
  return summary;
}

// The rate and latencies of the measured window.
struct WindowStats {
  double rate = 0;  // settled purchases per second
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  double floor_ratio = 0;  // rate / the crypto floor
};

WindowStats window_stats(const bench::LoadResult& load, const bench::CryptoFloor& floor) {
  WindowStats stats;
  stats.rate = load.window_seconds > 0 ? static_cast<double>(load.window_settled) / load.window_seconds : 0;
  stats.p50_ms = percentile(load.window_latencies_ms, 0.50);
  stats.p99_ms = percentile(load.window_latencies_ms, 0.99);
  stats.max_ms = load.window_latencies_ms.empty() ? 0 : load.window_latencies_ms.back();
  stats.floor_ratio = floor.purchases_per_second() > 0 ? stats.rate / floor.purchases_per_second() : 0;
  return stats;
}

// Checks the ledger after the run against `settled` purchases and prints each
// check. Returns whether all of them passed.
bool check_ledger(std::ostream& out, const Deployment& deployment, const LedgerTotals& before, long settled) {
  const LedgerTotals after = read_ledger_totals(deployment);
  const long posted = after.posted_payments - before.posted_payments;
  const std::int64_t merchant_gain = after.merchant_balance - before.merchant_balance;
  const bool posted_ok = posted == settled;
  const bool balance_ok = merchant_gain == settled * kBenchItem.price;
  const bool pending_ok = after.pending_payments == 0;
  const ToolResult check = run_tool({"accounts", "check", "--db", deployment.ledger.string()});
  fmt::print(out, "\nLedger, after the daemons stopped:\n");
  fmt::print(out, "  posted payment transfers {} = settled purchases {}: {}\n", posted, settled,
             posted_ok ? "ok" : "MISMATCH");
  fmt::print(out, "  merchant balance grew by {} {} = {} x {}: {}\n", format_amount(merchant_gain), kCurrency, settled,
             format_amount(kBenchItem.price), balance_ok ? "ok" : "MISMATCH");
  fmt::print(out, "  pending payment transfers left: {}: {}\n", after.pending_payments, pending_ok ? "ok" : "NOT ZERO");
  fmt::print(out, "  sippay accounts check: {}", check.output);
  return posted_ok && balance_ok && pending_ok && check.status == 0;
}

// Prints the run's results as one JSON line, for scripts and docs.
void print_json(std::ostream& out, const BenchPurchaseOptions& options, unsigned threads,
                const bench::LoadResult& load, const WindowStats& window, const bench::CryptoFloor& floor,
                const std::pair<double, double>& floor_measurements, const CpuSummary& cpu, bool ledger_ok, const std::pair<std::string, std::string>& load_averages) {
  nlohmann::ordered_json json;
  json["benchmark"] = "purchase";
  json["customers"] = options.customers;
  json["threads"] = threads;
  json["warmup_s"] = options.warmup_seconds;
  json["window_s"] = load.window_seconds;
  json["settled_per_s"] = window.rate;
  json["p50_ms"] = window.p50_ms;
  json["p99_ms"] = window.p99_ms;
  json["max_ms"] = window.max_ms;
  json["window_settled"] = load.window_settled;
  json["window_failed"] = load.window_failed;
  json["settled"] = load.settled;
  json["failed"] = load.failed;
  json["floor_per_s"] = floor.purchases_per_second();
  json["floor_before_per_s"] = floor_measurements.first;
  json["floor_after_per_s"] = floor_measurements.second;
  json["floor_ratio"] = window.floor_ratio;
  json["cores"] = floor.cores;
  json["cpu_us_per_purchase_total"] = cpu.total_us;
  json["crypto_cpu_share"] = cpu.crypto_share;
  json["cpu_bound_per_s"] = cpu.cpu_bound_rate;
  for (Side side : {Side::kCustomer, Side::kMerchant, Side::kGateway}) {
    const std::string name(bench::to_string(side));
    json["crypto_us"][name] = floor.side_cpu_us(side);
    json["side_floor_per_s"][name] = floor.side_purchases_per_second(side);
  }
  json["cpu_us_per_purchase"] = cpu.cpu_us;
  json["runqueue_wait_us_per_purchase"] = cpu.wait_us;
  json["ledger_ok"] = ledger_ok;
  json["load_average_before"] = load_averages.first;
  json["load_average_after"] = load_averages.second;
  fmt::print(out, "{}\n", json.dump());
}

int run(const BenchPurchaseOptions& options, std::ostream& out, std::ostream& err) {
  const std::string load_before = load_average();
  const fs::path folder = make_folder(options);
  fmt::print(out, "sippay bench purchase: {} customers, {} s measured after {} s of warm-up\n", options.customers,
             options.duration_seconds, options.warmup_seconds);
  fmt::print(out, "Creating a deployment in {}\n", folder.string());
  Deployment deployment = create_deployment(folder);
  const std::vector<LoadCustomer> customers =
      add_load_customers(deployment, options.customers, kLoadOpeningBalance);
  add_catalog_item(deployment, kBenchItem);
  set_proxy_rate_limit(deployment, kProxyRateLimit);

  // The floor, before any daemon runs and again after they stop, with
  // load1's, the merchant's and the gateway's keys.
  const bench::FloorInputs floor_inputs{deployment.pki / "ca.pem",
                                        deployment.pki / "crl.pem",
                                        deployment.pin_key,
                                        customers.front().party.certificate,
                                        customers.front().party.private_key,
                                        deployment.merchant.certificate,
                                        deployment.merchant.private_key,
                                        deployment.gateway.certificate,
                                        deployment.gateway.private_key,
                                        customers.front().uri,
                                        customers.front().user,
                                        kCustomerPin,
                                        kMerchantUri,
                                        kGatewayUri};
  const bench::CryptoFloor floor_before =
      bench::measure_crypto_floor(floor_inputs, std::chrono::milliseconds(options.floor_ms));
  print_floor(out, floor_before);

  const LedgerTotals before = read_ledger_totals(deployment);
  const fs::path& logs = deployment.logs;
  Daemon proxy("proxy", logs / "proxy.out", logs / "proxy.err");
  Daemon gateway("gateway", logs / "gateway.out", logs / "gateway.err");
  Daemon merchant("merchant", logs / "merchant.out", logs / "merchant.err");
  deployment.proxy_port = start_daemon(proxy, {"proxy", "--config", deployment.proxy_config.string()},
                                       kStartLimit);
  write_role_configs(deployment);
  write_load_customer_configs(deployment, customers);
  start_daemon(gateway, {"gateway", "--config", deployment.gateway_config.string()},
               kStartLimit);
  start_daemon(merchant, {"merchant", "--config", deployment.merchant_config.string()},
               kStartLimit);
  fmt::print(out, "\nDaemons on 127.0.0.1: proxy (pid {}), gateway (pid {}), merchant (pid {}); logs in {}\n",
             proxy.pid(), gateway.pid(), merchant.pid(), logs.string());
  out << std::flush;  // the pids, for a profiler to attach during the run

  // The customers' info lines, several per purchase, would flood the
  // terminal. Their failures are counted and printed below.
  spdlog::set_level(spdlog::level::warn);
  bench::LoadSettings settings;
  for (const LoadCustomer& customer : customers) settings.customer_configs.push_back(customer.config);
  settings.offer = payment::Offer{kMerchantUri, kBenchItem.id, 1, kBenchItem.price, kCurrency};
  settings.pin = kCustomerPin;
  settings.warmup = std::chrono::milliseconds(static_cast<long>(options.warmup_seconds * 1000));
  settings.duration = std::chrono::seconds(options.duration_seconds);
  settings.threads = options.threads > 0 ? static_cast<unsigned>(options.threads) : floor_before.cores;

  std::vector<ProcessSample> processes = {{"customers", getpid(), Side::kCustomer, {}, {}},
                                          {"proxy", proxy.pid(), std::nullopt, {}, {}},
                                          {"gateway", gateway.pid(), Side::kGateway, {}, {}},
                                          {"merchant", merchant.pid(), Side::kMerchant, {}, {}}};
  auto sample = [&processes](bool at_start) {
    for (ProcessSample& process : processes) (at_start ? process.start : process.end) = read_process_times(process.pid);
  };
  const bench::LoadResult load = bench::run_load(settings, [&] { sample(true); }, [&] { sample(false); });
  const std::string load_after = load_average();

  for (Daemon* daemon : {&merchant, &gateway, &proxy}) {
    const std::optional<int> status = daemon->stop(kStopLimit);
    if (status && *status != 0) {
      fmt::print(err, "sippay bench purchase: {} exited with status {} after SIGTERM\n", daemon->name(), *status);
    }
  }

  const bench::CryptoFloor floor_after =
      bench::measure_crypto_floor(floor_inputs, std::chrono::milliseconds(options.floor_ms));
  const bench::CryptoFloor floor = bench::fastest_of(floor_before, floor_after);
  fmt::print(out, "\nCrypto floor, CPU time per purchase:\n");
  print_floor_sums(out, "before the load", floor_before);
  print_floor_sums(out, "after the load", floor_after);
  print_floor_sums(out, "lower of the two, per operation", floor);

  const WindowStats window = window_stats(load, floor);
  fmt::print(out, "\nLoad: {} customers on {} I/O threads in this process, window {:.2f} s\n", options.customers,
             settings.threads, load.window_seconds);
  fmt::print(out, "  settled in the window   {:>8}   {:.1f} purchases/s\n", load.window_settled, window.rate);
  fmt::print(out, "  failed in the window    {:>8}\n", load.window_failed);
  fmt::print(out, "  latency, start to receipt: p50 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms\n", window.p50_ms,
             window.p99_ms, window.max_ms);
  const CpuSummary cpu = print_cpu(out, processes, floor, load.window_settled);
  fmt::print(out, "  over the whole run: {} settled, {} failed\n", load.settled, load.failed);
  for (const auto& [failure, count] : load.failures) fmt::print(out, "    {} x {}\n", count, failure);

  const bool ledger_ok = check_ledger(out, deployment, before, load.settled);
  fmt::print(out, "\nMachine: {} CPUs ({}), load average {} before and {} after\n", floor.cores, cpu_model(),
             load_before, load_after);
  fmt::print(out, "Result: {:.1f} purchases/s = {:.1f}% of the crypto floor ({:.1f}/s on {} CPUs); target 70%: {}\n",
             window.rate, window.floor_ratio * 100, floor.purchases_per_second(), floor.cores,
             window.floor_ratio >= 0.7 ? "met" : "not met");

  print_json(out, options, settings.threads, load, window, floor,
             {floor_before.purchases_per_second(), floor_after.purchases_per_second()}, cpu, ledger_ok,
             {load_before, load_after});
  std::vector<std::string> problems;
  if (load.failed > 0) problems.push_back(fmt::format("{} purchases failed", load.failed));
  if (!ledger_ok) problems.push_back("a ledger check failed");
  if (!problems.empty()) {
    fmt::print(err, "sippay bench purchase: FAILED: {}. The deployment and logs are in {}\n",
               fmt::join(problems, "; "), folder.string());
    return 1;
  }
  if (options.folder.empty()) fs::remove_all(folder);
  return 0;
}

}  // namespace

CLI::App* add_bench_command(CLI::App& app, BenchPurchaseOptions& options) {
  CLI::App* bench = app.add_subcommand("bench", "Benchmarks that run the whole product");
  bench->require_subcommand(1);
  CLI::App* purchase = bench->add_subcommand(
      "purchase", "Purchases per second end to end on 127.0.0.1, against the crypto floor of one purchase");
  purchase->add_option("--customers", options.customers, "Customers buying at once, each with its own TLS connection")
      ->check(CLI::Range(1, kMaxBenchCustomers))
      ->capture_default_str();
  purchase->add_option("--duration", options.duration_seconds, "Seconds of the measured window")
      ->check(CLI::Range(1, kMaxBenchSeconds))
      ->capture_default_str();
  purchase->add_option("--warmup", options.warmup_seconds, "Seconds of buying before the window (0 to 600)")
      ->check(CLI::Range(0.0, 600.0))
      ->capture_default_str();
  purchase->add_option("--threads", options.threads, "I/O threads of the customers (0: one per CPU)")
      ->check(CLI::Range(0, 64))
      ->capture_default_str();
  purchase->add_option("--floor-time", options.floor_ms,
                       "Milliseconds of CPU time spent timing each crypto operation (10 to 10000)")
      ->check(CLI::Range(10, 10000))
      ->capture_default_str();
  purchase->add_option("--dir", options.folder,
                       "Folder for the deployment, new or empty (default: a temporary folder, removed on success)");
  return purchase;
}

int run_bench_purchase(const BenchPurchaseOptions& options, std::ostream& out, std::ostream& err) {
  try {
    return run(options, out, err);
  } catch (const std::exception& error) {
    fmt::print(err, "sippay bench purchase: error: {}\n", error.what());
    return 1;
  }
}

}  // namespace sippay::app
