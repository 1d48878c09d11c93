// `sippay customer`: the customer's wallet on the command line.
//
//   sippay customer register --config alice.toml
//   sippay customer buy --config alice.toml --merchant URI --item ID --price AMOUNT
//                       [--quantity N] [--pin-file F] [--yes]
//   sippay customer history --config alice.toml [--limit N] [--page-size N]
//
// Exit status: 0 settled (or done), 1 refused, 2 usage or configuration
// error, 3 timeout or no connection.
#pragma once

#include <iosfwd>
#include <cstdint>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace sippay::app {

struct CustomerOptions {
  enum class Action { none, register_contact, buy, history };
  Action action = Action::none;
  std::string config_file;
  std::string merchant;
  std::string item;
  std::string price;  // decimal in the currency of [customer] currency, e.g. 12.50
  std::int64_t quantity = 1;
  std::optional<std::string> pin_file;
  bool yes = false;
  std::optional<std::int64_t> limit;  // maximum history entries printed; none prints every entry
  std::int64_t page_size = 100;        // history entries requested per inquiry
};

void add_customer_command(CLI::App& app, CustomerOptions& options);

// `in` answers the confirmation prompt (and gives the PIN when it is not a
// terminal and no --pin-file is set).
int run_customer(const CustomerOptions& options, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace sippay::app
