#include "app/merchant_command.hpp"

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <csignal>
#include <iostream>
#include <memory>
#include <ostream>

#include "app/crl_reload_signal.hpp"
#include "roles/merchant/merchant_daemon.hpp"

namespace sippay::app {
namespace {

// Time the endpoint waits for transactions in progress at shutdown.
constexpr std::chrono::milliseconds kShutdownLimit{5000};

}  // namespace

void add_merchant_command(CLI::App& app) {
  auto options = std::make_shared<MerchantOptions>();
  CLI::App* merchant = app.add_subcommand("merchant", "Run the merchant: catalog, stock, orders");
  merchant->add_option("--config", options->config_file, "TOML configuration file (see docs/merchant.md)")
      ->required();
  merchant->final_callback([options] {
    throw CLI::RuntimeError(run_merchant(*options, std::cout, std::cerr));
  });
}

int run_merchant(const MerchantOptions& options, std::ostream& out, std::ostream& err) {
  asio::io_context io;
  std::unique_ptr<roles::merchant::MerchantDaemon> daemon;
  try {
    daemon = std::make_unique<roles::merchant::MerchantDaemon>(
        io, roles::merchant::load_merchant_config(options.config_file));
  } catch (const roles::ConfigError& error) {
    err << "sippay merchant: " << error.what() << "\n";
    return 2;
  } catch (const roles::merchant::StoreError& error) {
    err << "sippay merchant: [store] path: " << error.what() << "\n";
    return 2;
  }
  // Installed before "listening" is printed, so a SIGHUP sent as soon as
  // the merchant listens never meets the default action (terminate).
  asio::signal_set reload(io, SIGHUP);
  reload_crl_on_signal(reload, *daemon);
  if (const std::error_code error = daemon->start()) {
    err << "sippay merchant: cannot listen: " << error.message()
        << "; check [sip] listen for an address in use and the [identity] files\n";
    return 2;
  }
  out << "listening " << daemon->local_address() << std::endl;

  asio::signal_set stop(io, SIGINT, SIGTERM);
  stop.async_wait([&](std::error_code error, int) {
    if (error) return;
    reload.cancel();
    daemon->shutdown(kShutdownLimit, [&] { io.stop(); });
  });
  io.run();
  return 0;
}

}  // namespace sippay::app
