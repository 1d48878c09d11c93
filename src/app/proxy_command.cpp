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

// Reads `crl_file` ([tls] crl) again into the proxy's TLS contexts on each
// SIGHUP until the signal set is cancelled. A file that fails its checks
// leaves the CRL in use.
void reload_tls_crl_on_signal(asio::signal_set& signals, proxy::ProxyServer& server, const std::string& crl_file) {
  signals.async_wait([&signals, &server, crl_file](std::error_code error, int) {
    if (error) return;
    if (crl_file.empty()) {
      spdlog::warn("SIGHUP: no [tls] crl is configured, so there is no CRL to reload");
    } else {
      spdlog::info("SIGHUP: reloading the TLS CRL from {}", crl_file);
      const sip::TlsCrlReloadResult reloaded = server.transport().reload_tls_crl(crl_file);
      if (reloaded.error) {
        spdlog::error("TLS CRL reload failed: {}; the CRL in use stays", reloaded.detail);
      }
    }
    reload_tls_crl_on_signal(signals, server, crl_file);
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
  std::string crl_file;
  try {
    proxy::ProxyConfig config = proxy::load_proxy_config(options.config_file);
    if (config.tls) crl_file = config.tls->crl_file;
    server = std::make_unique<proxy::ProxyServer>(io, std::move(config));
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
  // Installed before "listening" is printed, so a SIGHUP sent as soon as
  // the proxy listens never meets the default action (terminate).
  asio::signal_set hangup(io, SIGHUP);
  reload_tls_crl_on_signal(hangup, *server, crl_file);
  if (std::error_code error = server->start()) {
    if (error == sip::TransportError::kInvalidCrl) {
      err << "sippay proxy: [tls] crl: \"" << crl_file << "\" cannot be used; the log line above says why\n";
      return 2;
    }
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
    hangup.cancel();
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
