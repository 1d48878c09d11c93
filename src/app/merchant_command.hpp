// `sippay merchant`: the merchant daemon (docs/merchant.md).
//
//   sippay merchant --config merchant.toml
//
// Prints `listening tls:ADDR:PORT` on standard output when ready, logs to
// standard error, drains on SIGTERM or SIGINT, and exits 2 on a bad
// configuration naming the key.
#pragma once

#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace sippay::app {

struct MerchantOptions {
  std::string config_file;
};

// Adds the `merchant` subcommand to `app`. It runs the daemon while CLI11
// parses, and reports the exit status as CLI::RuntimeError.
void add_merchant_command(CLI::App& app);
int run_merchant(const MerchantOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sippay::app
