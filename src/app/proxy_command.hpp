// `sippay proxy`: the operator's SIP server (registrar and stateful proxy).
//
//   sippay proxy --config proxy.toml [--log-level info]
//
// Prints one JSON line per listening address at start, the counters as one
// JSON line on SIGUSR1 and at shutdown (SIGTERM, SIGINT). Exits 2 on a bad
// configuration.
#pragma once

#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace sippay::app {

struct ProxyOptions {
  std::string config_file;
  std::string log_level = "info";
};

// Adds the `proxy` subcommand to `app` and returns it.
CLI::App* add_proxy_command(CLI::App& app, ProxyOptions& options);

int run_proxy(const ProxyOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sippay::app
