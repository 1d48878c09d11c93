// `sippay gateway`: the payment gateway daemon.
//
//   sippay gateway --config gateway.toml
//
// Prints `listening tls:ADDR:PORT` on standard output when ready, logs to
// standard error, drains on SIGTERM or SIGINT. Exits 2 on a bad
// configuration (the message names the key), 1 when it cannot listen.
#pragma once

#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace sippay::app {

struct GatewayOptions {
  std::string config_file;
};

// Adds the `gateway` subcommand to `app`. When chosen, it runs after parsing
// and ends the parse with its exit status (through CLI::RuntimeError).
void add_gateway_command(CLI::App& app);

int run_gateway(const GatewayOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sippay::app
