#include "app/proxy_command.hpp"

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <csignal>
#include <nlohmann/json.hpp>
#include <ostream>
#include <spdlog/spdlog.h>

#include "proxy/location_service.hpp"
#include "proxy/proxy_config.hpp"
#include "proxy/proxy_server.hpp"
#include "sip/auth/credential_store.hpp"

namespace sippay::app {
namespace {

constexpr std::chrono::seconds kShutdownLimit{5};

// Prints the counters on each SIGUSR1 until the io_context stops.
void print_counters_on_signal(asio::signal_set& signals, const proxy::ProxyServer& server, std::ostream& out) {
  signals.async_wait([&signals, &server, &out](std::error_code error, int) {
    if (error) return;
    out << server.counters().to_json() << std::endl;
    print_counters_on_signal(signals, server, out);
  });
}

}  // namespace

CLI::App* add_proxy_command(CLI::App& app, ProxyOptions& options) {
  CLI::App* proxy = app.add_subcommand("proxy", "Run the operator's SIP registrar and stateful proxy");
  proxy->add_option("--config", options.config_file, "TOML configuration file (see docs/proxy.md)")->required();
  proxy->add_option("--log-level", options.log_level,
                    "Lowest level logged: trace, debug, info (one line per rejected request), warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  return proxy;
}

int run_proxy(const ProxyOptions& options, std::ostream& out, std::ostream& err) {
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  asio::io_context io;
  std::unique_ptr<proxy::ProxyServer> server;
  try {
    server = std::make_unique<proxy::ProxyServer>(io, proxy::load_proxy_config(options.config_file));
  } catch (const proxy::ConfigError& error) {
    err << "sippay proxy: " << error.what() << "\n";
    return 2;
  } catch (const sip::CredentialFileError& error) {
    err << "sippay proxy: [auth] credentials: " << error.what() << "\n";
    return 2;
  } catch (const proxy::LocationError& error) {
    err << "sippay proxy: [registrar] database: " << error.what() << "\n";
    return 2;
  }
  if (std::error_code error = server->start()) {
    err << "sippay proxy: cannot listen: " << error.message()
        << "; check [proxy] listen for addresses in use and the [tls] files\n";
    return 2;
  }
  for (const auto& address : server->transport().local_addresses()) {
    // The same key order as `sippay ua listen`, which scripts match.
    const nlohmann::ordered_json line = {{"event", "listening"}, {"address", address.to_string()}};
    out << line.dump() << std::endl;
  }

  asio::signal_set usr1(io, SIGUSR1);
  print_counters_on_signal(usr1, *server, out);
  asio::signal_set stop(io, SIGINT, SIGTERM);
  stop.async_wait([&](std::error_code error, int) {
    if (error) return;
    server->shutdown(kShutdownLimit, [&] {
      usr1.cancel();
      io.stop();
    });
  });
  io.run();
  out << server->counters().to_json() << std::endl;
  return 0;
}

}  // namespace sippay::app
