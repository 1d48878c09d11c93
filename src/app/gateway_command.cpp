#include "app/gateway_command.hpp"

#include <CLI/CLI.hpp>
#include <asio/signal_set.hpp>

#include <csignal>
#include <iostream>
#include <memory>

#include "app/crl_reload_signal.hpp"
#include "ledger/ledger_error.hpp"
#include "roles/gateway/gateway_daemon.hpp"

namespace sippay::app {
namespace {

// How long a SIGTERM waits for transactions in progress.
constexpr std::chrono::milliseconds kDrainLimit{5000};

}  // namespace

void add_gateway_command(CLI::App& app) {
  auto options = std::make_shared<GatewayOptions>();
  CLI::App* gateway = app.add_subcommand("gateway", "Run the payment gateway (docs/gateway.md)");
  gateway->add_option("--config", options->config_file, "The gateway's TOML file")->required();
  gateway->final_callback([options] { throw CLI::RuntimeError(run_gateway(*options, std::cout, std::cerr)); });
}

int run_gateway(const GatewayOptions& options, std::ostream& out, std::ostream& err) {
  asio::io_context io;
  std::unique_ptr<roles::gateway::GatewayDaemon> daemon;
  try {
    daemon = std::make_unique<roles::gateway::GatewayDaemon>(
        io, roles::gateway::load_gateway_settings(options.config_file));
  } catch (const roles::ConfigError& error) {
    err << "error: " << error.what() << "\n";
    return 2;
  } catch (const ledger::LedgerError& error) {
    err << "error: [ledger] database: " << error.what() << "\n";
    return 2;
  }
  // Installed before "listening" is printed, so a SIGHUP sent as soon as
  // the gateway listens never meets the default action (terminate).
  asio::signal_set hangup(io, SIGHUP);
  reload_crl_on_signal(hangup, *daemon);
  if (auto error = daemon->start()) {
    err << "error: cannot listen: " << error.message() << "\n";
    return 1;
  }
  out << "listening " << daemon->local_address() << std::endl;

  asio::signal_set stop(io, SIGINT, SIGTERM);
  stop.async_wait([&](std::error_code error, int) {
    if (error) return;
    hangup.cancel();
    daemon->shutdown(kDrainLimit, [&io] { io.stop(); });
  });
  io.run();
  return 0;
}

}  // namespace sippay::app
