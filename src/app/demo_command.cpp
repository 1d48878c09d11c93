#include "app/demo_command.hpp"

#include <signal.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>
#include <regex>
#include <sstream>

#include <fmt/core.h>
#include <fmt/ostream.h>

#include "app/demo_deployment.hpp"
#include "app/demo_process.hpp"

namespace sippay::app {
namespace fs = std::filesystem;
using namespace demo;

namespace {

constexpr auto kStartLimit = std::chrono::seconds(20);
constexpr auto kStopLimit = std::chrono::seconds(10);

struct Balances {
  std::optional<std::int64_t> customer, merchant;
};

// Reads an account's balance in minor units from `sippay accounts show`.
std::optional<std::int64_t> read_balance(const Deployment& deployment, const std::string& account) {
  const ToolResult show_result = run_tool({"accounts", "show", "--db", deployment.ledger.string(), "--id", account});
  static const std::regex kBalance(R"(balance:\s+(-?)([0-9]+)\.([0-9]{2}))");
  std::smatch match;
  if (show_result.status != 0 || !std::regex_search(show_result.output, match, kBalance)) return std::nullopt;
  const std::int64_t magnitude = std::stoll(match[2].str()) * 100 + std::stoll(match[3].str());
  return match[1].length() > 0 ? -magnitude : magnitude;
}

Balances read_balances(const Deployment& deployment) {
  return {read_balance(deployment, kCustomerAccount), read_balance(deployment, kMerchantAccount)};
}

std::string show_amount(const std::optional<std::int64_t>& amount) {
  return amount ? fmt::format("{} {}", format_amount(*amount), kCurrency) : std::string("unknown");
}

void print_indented(std::ostream& out, const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) fmt::print(out, "    {}\n", line);
}

// One log line of a role: spdlog's default pattern
// "[2026-12-05 02:35:00.123] [logger] [info] text".
struct LogLine {
  std::string time, role, level, text;
};

void collect_log_lines(const std::string& role, std::istream& in, std::vector<LogLine>& lines) {
  static const std::regex kPattern(
      R"(^\[\d{4}-\d\d-\d\d (\d\d:\d\d:\d\d\.\d+)\] \[[^\]]*\] \[(?:\x1b\[[0-9;]*m)?(\w+)(?:\x1b\[[0-9;]*m)?\] (.*)$)");
  std::string line;
  while (std::getline(in, line)) {
    std::smatch match;
    if (!std::regex_match(line, match, kPattern)) continue;
    const std::string level = match[2].str();
    if (level == "trace" || level == "debug") continue;
    lines.push_back({match[1].str(), role, level, match[3].str()});
  }
}

// Prints the log lines of every process in time order: the message ladder as
// each role saw it, with the outcome each one logged.
void print_ladder(std::ostream& out, const std::vector<std::pair<std::string, std::string>>& logs) {
  std::vector<LogLine> lines;
  for (const auto& [role, text] : logs) {
    std::istringstream in(text);
    collect_log_lines(role, in, lines);
  }
  std::stable_sort(lines.begin(), lines.end(),
                   [](const LogLine& a, const LogLine& b) { return a.time < b.time; });
  // Start at the customer's first line. The proxy's Digest challenges are
  // counted rather than listed, because they outnumber the payment messages.
  const auto start = std::find_if(lines.begin(), lines.end(),
                                  [](const LogLine& line) { return line.role == "customer"; });
  std::size_t challenges = 0;
  fmt::print(out,
             "\nThe purchase, as the roles logged it (customer C, merchant M, gateway G; every\n"
             "MESSAGE goes through the proxy):\n"
             "  C->M  purchase request without a nonce       M->C 401 with the merchant's challenge\n"
             "  C->M  purchase request (nonce, DS)           M->G payment request\n"
             "  G->C  confirmation request                   C->G confirmation (accept)\n"
             "  G->C, G->M  receipts\n\n");
  for (auto line = start; line != lines.end(); ++line) {
    if (line->text.find("(auth_challenge)") != std::string::npos) {
      ++challenges;
      continue;
    }
    if (line->text.rfind("SIP transport:", 0) == 0) continue;
    fmt::print(out, "  {}  {:<8} {:<5} {}\n", line->time.substr(0, 12), line->role, line->level, line->text);
  }
  if (start == lines.end()) fmt::print(out, "  (the customer logged nothing)\n");
  fmt::print(out, "  and {} Digest challenge(s) from the proxy (401/407), each answered with credentials\n",
             challenges);
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path make_folder(const DemoOptions& options) {
  if (!options.folder.empty()) {
    const fs::path folder(options.folder);
    if (fs::exists(folder) && !fs::is_empty(folder)) {
      throw std::runtime_error(fmt::format("--dir {}: the folder is not empty; name a new or empty folder",
                                           folder.string()));
    }
    fs::create_directories(folder);
    return fs::absolute(folder);
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = fmt::format("{}/sippay-demo-XXXXXX", tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
  if (mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(fmt::format("cannot create a folder from {}", pattern));
  }
  return pattern;
}

std::string buy_command(const Deployment& deployment, const CatalogItem& item) {
  return fmt::format("sippay customer buy --config {} --merchant {} --item {} --price {} --pin-file {} --yes",
                     deployment.customer_config.string(), kMerchantUri, item.id, format_amount(item.price),
                     deployment.pin_file.string());
}

void print_keep_instructions(std::ostream& out, const Deployment& deployment,
                             const std::vector<Daemon*>& daemons) {
  std::string pids;
  for (const Daemon* daemon : daemons) pids += fmt::format(" {}", daemon->pid());
  std::ofstream(deployment.root / "pids") << pids.substr(1) << "\n";
  fmt::print(out,
             "\nThe deployment keeps running in {}.\n"
             "  processes:{} (also in {})\n"
             "  buy by hand (the PIN is {}; leave out --pin-file and --yes to be asked):\n"
             "    {}\n"
             "  history:  sippay customer history --config {}\n"
             "  balances: sippay accounts list --db {}\n"
             "  stop it:  kill{}\n",
             deployment.root.string(), pids, (deployment.root / "pids").string(), kCustomerPin,
             buy_command(deployment, demo_catalog().front()), deployment.customer_config.string(),
             deployment.ledger.string(), pids);
}

int run(const DemoOptions& options, std::ostream& out, std::ostream& err) {
  const fs::path folder = make_folder(options);
  fmt::print(out, "Creating a deployment in {}\n", folder.string());
  Deployment deployment = create_deployment(folder);
  fmt::print(out, "  PKI: a CA and certificates for {}, {}, {}, {}\n", kProxyUri, kGatewayUri, kMerchantUri,
             kCustomerUri);
  fmt::print(out, "  ledger {}: {} with {} and a PIN, merchant account {}\n", deployment.ledger.string(),
             kCustomerAccount, show_amount(kCustomerOpeningBalance), kMerchantAccount);

  const fs::path& logs = deployment.logs;
  Daemon proxy("proxy", logs / "proxy.out", logs / "proxy.err");
  Daemon gateway("gateway", logs / "gateway.out", logs / "gateway.err");
  Daemon merchant("merchant", logs / "merchant.out", logs / "merchant.err");

  deployment.proxy_port = start_daemon(proxy, {"proxy", "--config", deployment.proxy_config.string()},
                                       kStartLimit);
  write_role_configs(deployment);
  fmt::print(out, "  proxy    {} at tls:127.0.0.1:{} (pid {})\n", kProxyUri, deployment.proxy_port, proxy.pid());
  const int gateway_port = start_daemon(gateway, {"gateway", "--config", deployment.gateway_config.string()},
                                        kStartLimit);
  fmt::print(out, "  gateway  {} at tls:127.0.0.1:{} (pid {})\n", kGatewayUri, gateway_port, gateway.pid());
  const int merchant_port =
      start_daemon(merchant, {"merchant", "--config", deployment.merchant_config.string()},
                   kStartLimit);
  fmt::print(out, "  merchant {} at tls:127.0.0.1:{} (pid {})\n", kMerchantUri, merchant_port, merchant.pid());

  if (options.no_purchase) {
    print_keep_instructions(out, deployment, {&proxy, &gateway, &merchant});
    for (Daemon* daemon : {&proxy, &gateway, &merchant}) daemon->release();
    return 0;
  }

  const CatalogItem& item = demo_catalog().front();
  const Balances before = read_balances(deployment);
  fmt::print(out, "\n$ {}\n", buy_command(deployment, item));
  const ToolResult bought = run_tool({"customer", "buy", "--config", deployment.customer_config.string(),
                                      "--merchant", kMerchantUri, "--item", item.id, "--price",
                                      format_amount(item.price), "--pin-file", deployment.pin_file.string(),
                                      "--yes"});
  std::ofstream(logs / "customer.log") << bought.output;
  std::istringstream customer_lines(bought.output);
  for (std::string line; std::getline(customer_lines, line);) {
    if (line.rfind("[20", 0) != 0) fmt::print(out, "    {}\n", line);  // its log lines go to the ladder below
  }
  fmt::print(out, "  (exit status {})\n", bought.status);

  const Balances after = read_balances(deployment);
  print_ladder(out, {{"customer", bought.output},
                     {"proxy", read_file(logs / "proxy.err")},
                     {"merchant", read_file(logs / "merchant.err")},
                     {"gateway", read_file(logs / "gateway.err")}});

  fmt::print(out, "\nBalances        before          after\n");
  fmt::print(out, "  {:<10} {:>14} {:>14}\n", kCustomerAccount, show_amount(before.customer),
             show_amount(after.customer));
  fmt::print(out, "  {:<10} {:>14} {:>14}\n", kMerchantAccount, show_amount(before.merchant),
             show_amount(after.merchant));

  const ToolResult check = run_tool({"accounts", "check", "--db", deployment.ledger.string()});
  fmt::print(out, "\n$ sippay accounts check --db {}\n", deployment.ledger.string());
  print_indented(out, check.output);

  const bool moved_once = before.customer && after.customer && before.merchant && after.merchant &&
                          *before.customer - *after.customer == item.price &&
                          *after.merchant - *before.merchant == item.price;
  const bool settled = bought.status == 0 && moved_once;
  const bool ok = settled && check.status == 0;

  if (options.keep) {
    std::vector<Daemon*> daemons = {&proxy, &gateway, &merchant};
    print_keep_instructions(out, deployment, daemons);
    for (Daemon* daemon : daemons) daemon->release();
  } else {
    for (Daemon* daemon : {&merchant, &gateway, &proxy}) {
      const std::optional<int> status = daemon->stop(kStopLimit);
      if (status && *status != 0) {
        fmt::print(err, "sippay demo: {} exited with status {} after SIGTERM\n", daemon->name(), *status);
      }
    }
  }

  if (!ok) {
    fmt::print(err, "\nsippay demo: FAILED: {}. Logs are in {}\n",
               !settled ? fmt::format("the purchase of {} for {} did not settle exactly once", item.id,
                                      show_amount(item.price))
                        : std::string("the ledger's invariants do not hold"),
               logs.string());
    return 1;
  }
  fmt::print(out, "\nThe purchase settled: {} paid {} to {} once, and the ledger's invariants hold.\n",
             kCustomerAccount, show_amount(item.price), kMerchantAccount);
  if (!options.keep && options.folder.empty()) fs::remove_all(folder);
  return 0;
}

}  // namespace

CLI::App* add_demo_command(CLI::App& app, DemoOptions& options) {
  CLI::App* command = app.add_subcommand(
      "demo", "Start a throwaway deployment on 127.0.0.1 and make one purchase end to end");
  command->add_flag("--keep", options.keep, "Leave proxy, gateway and merchant running and print how to buy");
  command->add_option("--dir", options.folder,
                      "Folder for the deployment, new or empty (default: a temporary folder, removed on success)");
  command->add_flag("--no-purchase", options.no_purchase,
                    "With --keep: start the deployment but make no purchase (used by the tests)")
      ->needs(command->get_option("--keep"));
  return command;
}

int run_demo(const DemoOptions& options, std::ostream& out, std::ostream& err) {
  try {
    return run(options, out, err);
  } catch (const std::exception& error) {
    fmt::print(err, "sippay demo: error: {}\n", error.what());
    return 1;
  }
}

}  // namespace sippay::app
