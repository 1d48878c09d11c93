// `sippay demo`: a throwaway deployment on loopback and one real purchase.
//
//   sippay demo [--keep [--no-purchase]] [--dir D]
//
// Creates a PKI, the proxy's, gateway's, merchant's and customer's
// configurations, a SQLite ledger with demo accounts and a catalog in a
// temporary folder (or D), starts proxy, gateway and merchant as processes
// over TLS on 127.0.0.1, runs `sippay customer buy`, prints what happened,
// the receipt and the balances, checks the ledger's invariants and stops
// everything. Exits 0 only when the purchase settled and the invariants hold.
#pragma once

#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace sippay::app {

struct DemoOptions {
  bool keep = false;         // leave the deployment running and print how to buy by hand
  bool no_purchase = false;  // with keep: start the deployment and buy nothing (for tests)
  std::string folder;        // empty: a new folder under $TMPDIR, removed after a successful run
};

// Adds the `demo` subcommand to `app` and returns it.
CLI::App* add_demo_command(CLI::App& app, DemoOptions& options);

int run_demo(const DemoOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sippay::app
