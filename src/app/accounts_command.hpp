// `sippay accounts`: the operator's tool for the ledger file.
//
//   sippay accounts create  --db F --id ID --kind customer|merchant --currency EUR --owner sip:alice@pay.test
//   sippay accounts top-up  --db F --id ID --amount 12.34 [--transfer-id ID] [--reference TEXT]
//   sippay accounts show    --db F --id ID
//   sippay accounts list    --db F [--after ID] [--limit N]
//   sippay accounts history --db F --id ID [--before ENTRY] [--limit N]
//   sippay accounts check   --db F
//   sippay accounts set-pin --db F --id ID --pin-key K [--pin-file P]
//
// F is a SQLite file path or a postgresql:// URI.
// Exit status 0 on success, 1 when the ledger rejects the request (unknown
// account, invalid amount, ...) or an invariant is violated, 2 when the
// ledger file cannot be opened.
// set-pin reads the PIN from P, or from the terminal without echo (asked
// twice), and stores only HMAC(K, account, PIN) (docs/gateway.md); a key or
// PIN file that cannot be read exits 2.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace sippay::app {

struct AccountsOptions {
  std::string action;  // create, top-up, show, list, history, check, set-pin
  std::string database;
  std::string id;
  std::string kind;
  std::string currency;
  std::string owner;
  std::string amount;       // decimal in the account's currency, e.g. 12.34
  std::string transfer_id;  // top-up idempotency key; generated when empty
  std::string reference;
  std::string after;                   // list: start after this account id
  std::optional<long long> before;     // history: entries older than this entry id
  std::size_t limit = 50;
  std::string pin_key;                 // set-pin: the gateway's PIN key file
  std::optional<std::string> pin_file; // set-pin: PIN on the first line; else the terminal
};

// Adds `accounts` and its subcommands to `app`. When one of them is chosen,
// it runs after parsing and ends the parse with its exit status (through
// CLI::RuntimeError, which CLI11_PARSE returns silently).
void add_accounts_command(CLI::App& app);

int run_accounts(const AccountsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sippay::app
