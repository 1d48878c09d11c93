#include "app/accounts_command.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>

#include <unistd.h>

#include "app/pin_input.hpp"
#include "ledger/amount.hpp"
#include "ledger/invariants.hpp"
#include "ledger/open_ledger.hpp"
#include "payment/pin_verification.hpp"

namespace sippay::app {
namespace {

using ledger::Account;
using ledger::LedgerTransaction;

// "2026-01-01T00:00:00.000Z"
std::string format_time(ledger::TimePoint time) {
  const auto milliseconds = time.time_since_epoch().count();
  const std::time_t seconds = static_cast<std::time_t>(milliseconds / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, milliseconds % 1000);
}

std::string money(std::int64_t minor_units, const std::string& currency) {
  return fmt::format("{} {}", ledger::format_amount(minor_units, ledger::require_currency(currency)), currency);
}

// A fresh top-up id: the account, the time and 64 random bits.
std::string generate_transfer_id(const std::string& account, ledger::TimePoint now) {
  std::random_device random;
  const std::uint64_t bits = (static_cast<std::uint64_t>(random()) << 32) | random();
  return fmt::format("top-up:{}:{}:{:016x}", account, now.time_since_epoch().count(), bits);
}

void print_account(std::ostream& out, const Account& account) {
  out << fmt::format("{:<24} {:<8} {:<3} balance {:>14} available {:>14} {:<6} {}\n", account.id,
                     to_string(account.kind), account.currency, ledger::format_amount(account.balance,
                     ledger::require_currency(account.currency)),
                     ledger::format_amount(account.available(), ledger::require_currency(account.currency)),
                     to_string(account.status), account.owner_uri);
}

int create(ledger::Ledger& ledger, const AccountsOptions& options, std::ostream& out) {
  const auto kind = ledger::parse_account_kind(options.kind);
  if (!kind || *kind == ledger::AccountKind::kIssuance) {
    throw ledger::LedgerError(ledger::LedgerErrorCode::kWrongAccountKind,
                              fmt::format("invalid account kind \"{}\": use customer or merchant", options.kind));
  }
  const Account account = ledger.transact([&](LedgerTransaction& tx) {
    return tx.create_account({options.id, *kind, options.owner, options.currency});
  });
  out << fmt::format("created {} account {} in {} for {}\n", to_string(account.kind), account.id, account.currency,
                     account.owner_uri);
  return 0;
}

int top_up(ledger::Ledger& ledger, const AccountsOptions& options, std::ostream& out) {
  const auto [result, account] = ledger.transact([&](LedgerTransaction& tx) {
    const Account target = tx.get_account(options.id);
    const std::int64_t amount = ledger::parse_decimal_amount(options.amount, ledger::require_currency(target.currency));
    const std::string transfer_id =
        options.transfer_id.empty() ? generate_transfer_id(target.id, tx.now()) : options.transfer_id;
    const ledger::TransferResult done = tx.top_up({transfer_id, target.id, amount, options.reference});
    return std::pair{done, tx.get_account(target.id)};
  });
  out << fmt::format("{} {} by {}: balance {}, available {} (transfer {})\n",
                     result.replayed ? "already topped up" : "topped up", account.id,
                     money(result.transfer.amount, account.currency), money(account.balance, account.currency),
                     money(account.available(), account.currency), result.transfer.id);
  return 0;
}

int show(ledger::Ledger& ledger, const AccountsOptions& options, std::ostream& out) {
  ledger.transact([&](LedgerTransaction& tx) {
    const Account account = tx.get_account(options.id);
    out << fmt::format("id:              {}\n", account.id);
    out << fmt::format("kind:            {}\n", to_string(account.kind));
    out << fmt::format("owner:           {}\n", account.owner_uri);
    out << fmt::format("status:          {}\n", to_string(account.status));
    out << fmt::format("balance:         {}\n", money(account.balance, account.currency));
    out << fmt::format("available:       {}\n", money(account.available(), account.currency));
    out << fmt::format("pending debits:  {}\n", money(account.debits_pending, account.currency));
    out << fmt::format("pending credits: {}\n", money(account.credits_pending, account.currency));
    out << fmt::format("created:         {}\n", format_time(account.created_at));
    if (account.kind == ledger::AccountKind::kCustomer) {
      const ledger::PinState pin = tx.pin_state(account.id);
      out << fmt::format("pin:             {}, {} failures{}\n", pin.verification_value ? "set" : "not set",
                         pin.failures,
                         pin.locked_until ? ", locked until " + format_time(*pin.locked_until) : std::string());
    }
  });
  return 0;
}

int list(ledger::Ledger& ledger, const AccountsOptions& options, std::ostream& out) {
  const auto accounts =
      ledger.transact([&](LedgerTransaction& tx) { return tx.list_accounts(options.after, options.limit); });
  for (const Account& account : accounts) print_account(out, account);
  if (accounts.size() == options.limit) {
    out << fmt::format("more accounts follow: add --after {}\n", accounts.back().id);
  }
  return 0;
}

int history(ledger::Ledger& ledger, const AccountsOptions& options, std::ostream& out) {
  ledger.transact([&](LedgerTransaction& tx) {
    const Account account = tx.get_account(options.id);
    const std::optional<std::int64_t> before =
        options.before ? std::optional<std::int64_t>(*options.before) : std::nullopt;
    const ledger::HistoryPage page = tx.history(options.id, before, options.limit);
    for (const ledger::HistoryEntry& entry : page.entries) {
      // A reserve or void changes what is available, not the balance.
      const std::int64_t change =
          entry.amount != 0 ? entry.amount : -entry.pending_debit_change + entry.pending_credit_change;
      out << fmt::format("{} {:>6} {:<7} {:>14} balance {:>14} available {:>14} {:<24} {} ({}){}\n",
                         format_time(entry.time), entry.entry_id, to_string(entry.event),
                         money(change, account.currency), money(entry.balance_after, account.currency),
                         money(entry.available_after, account.currency), entry.counterparty, entry.transfer_id,
                         to_string(entry.transfer_state),
                         entry.reference.empty() ? std::string() : " " + entry.reference);
    }
    if (page.next_before_entry_id) {
      out << fmt::format("older entries follow: add --before {}\n", *page.next_before_entry_id);
    }
  });
  return 0;
}

// Stores the keyed verification value of a new PIN and clears failures and
// lockout. The PIN itself is never printed, logged or stored.
int set_pin(ledger::Ledger& ledger, const AccountsOptions& options, std::ostream& out, std::ostream& err) {
  payment::PinKey key = payment::load_pin_key_file(options.pin_key);
  std::string pin;
  if (options.pin_file) {
    pin = read_pin_file(*options.pin_file);
  } else {
    pin = read_pin_without_echo(fmt::format("New PIN for {}: ", options.id));
    if (isatty(STDIN_FILENO) && read_pin_without_echo("Again: ") != pin) {
      err << "error: the two PINs differ; nothing changed\n";
      return 1;
    }
  }
  if (auto problem = payment::pin_format_error(pin)) {
    err << "error: " << *problem << "; nothing changed\n";
    return 1;
  }
  const payment::PinVerificationValue value = payment::compute_pin_verification_value(key, options.id, pin);
  ledger.transact([&](LedgerTransaction& tx) {
    tx.set_pin_verification_value(options.id, ledger::Bytes(value.begin(), value.end()));
  });
  out << fmt::format("PIN set for {}; failures and lockout cleared\n", options.id);
  return 0;
}

int check(ledger::Ledger& ledger, std::ostream& out) {
  const auto violations = ledger.transact([](LedgerTransaction& tx) { return ledger::check_invariants(tx); });
  for (const std::string& violation : violations) out << "violated: " << violation << "\n";
  if (!violations.empty()) return 1;
  out << "invariants hold\n";
  return 0;
}

void add_database_option(CLI::App& command, AccountsOptions& options) {
  command.add_option("--db", options.database,
                     "Ledger: a SQLite file path, or a postgresql:// URI for a PostgreSQL database")
      ->required();
}

}  // namespace

void add_accounts_command(CLI::App& app) {
  auto options = std::make_shared<AccountsOptions>();
  CLI::App* accounts = app.add_subcommand("accounts", "Operator tool for the ledger: accounts, top-ups, history");
  accounts->require_subcommand(1);

  CLI::App* create = accounts->add_subcommand("create", "Create a customer or merchant account");
  add_database_option(*create, *options);
  create->add_option("--id", options->id, "Account id: 1 to 64 characters of A-Z a-z 0-9 . _ @ : + -")->required();
  create->add_option("--kind", options->kind, "customer or merchant")->required();
  create->add_option("--currency", options->currency, "ISO 4217 currency code, e.g. EUR")->required();
  create->add_option("--owner", options->owner, "The owner's SIP URI, e.g. sip:alice@pay.test")->required();

  CLI::App* top_up = accounts->add_subcommand("top-up", "Add money to an account (from the issuance account)");
  add_database_option(*top_up, *options);
  top_up->add_option("--id", options->id, "Account id")->required();
  top_up->add_option("--amount", options->amount, "Decimal amount in the account's currency, e.g. 12.34")
      ->required();
  top_up->add_option("--transfer-id", options->transfer_id,
                     "Idempotency key: repeating a top-up with the same id changes nothing (default: a new id)");
  top_up->add_option("--reference", options->reference, "Free text stored with the transfer");

  CLI::App* show = accounts->add_subcommand("show", "Show one account's balances and PIN state");
  add_database_option(*show, *options);
  show->add_option("--id", options->id, "Account id")->required();

  CLI::App* list = accounts->add_subcommand("list", "List accounts sorted by id");
  add_database_option(*list, *options);
  list->add_option("--after", options->after, "Start after this account id");
  list->add_option("--limit", options->limit, "Accounts per page, 1 to 500")->check(CLI::Range(1, 500));

  CLI::App* history = accounts->add_subcommand("history", "List an account's journal entries, newest first");
  add_database_option(*history, *options);
  history->add_option("--id", options->id, "Account id")->required();
  history->add_option("--before", options->before, "Only entries older than this entry id");
  history->add_option("--limit", options->limit, "Entries per page, 1 to 500")->check(CLI::Range(1, 500));

  CLI::App* check = accounts->add_subcommand("check", "Check the ledger's invariants (exit status 1 if violated)");
  add_database_option(*check, *options);

  CLI::App* set_pin = accounts->add_subcommand(
      "set-pin", "Set or reset a customer's PIN (stores only its keyed verification value)");
  add_database_option(*set_pin, *options);
  set_pin->add_option("--id", options->id, "Customer account id")->required();
  set_pin->add_option("--pin-key", options->pin_key, "The gateway's PIN key file (32 bytes, mode 0600)")
      ->required();
  set_pin->add_option("--pin-file", options->pin_file,
                      "Read the PIN from the first line of this file instead of the terminal");

  for (CLI::App* command : {create, top_up, show, list, history, check, set_pin}) {
    command->final_callback([options, command] {
      options->action = command->get_name();
      throw CLI::RuntimeError(run_accounts(*options, std::cout, std::cerr));
    });
  }
}

int run_accounts(const AccountsOptions& options, std::ostream& out, std::ostream& err) {
  const bool file = !ledger::is_postgresql_location(options.database);
  if (file && options.action != "create" && !std::filesystem::exists(options.database)) {
    err << fmt::format("error: ledger file {} not found; create an account first with sippay accounts create\n",
                       options.database);
    return 2;
  }
  std::unique_ptr<ledger::Ledger> ledger;
  try {
    ledger = ledger::open_ledger_at(options.database);
  } catch (const ledger::LedgerError& error) {
    err << "error: " << error.what() << "\n";
    return 2;
  }

  try {
    if (options.action == "create") return create(*ledger, options, out);
    if (options.action == "top-up") return top_up(*ledger, options, out);
    if (options.action == "show") return show(*ledger, options, out);
    if (options.action == "list") return list(*ledger, options, out);
    if (options.action == "history") return history(*ledger, options, out);
    if (options.action == "check") return check(*ledger, out);
    if (options.action == "set-pin") return set_pin(*ledger, options, out, err);
  } catch (const ledger::LedgerError& error) {
    err << "error: " << error.what() << "\n";
    return 1;
  } catch (const std::runtime_error& error) {
    // A PIN key or PIN file that cannot be read; the message names the file.
    err << "error: " << error.what() << "\n";
    return 2;
  }
  err << fmt::format("error: unknown accounts action \"{}\"\n", options.action);
  return 2;
}

}  // namespace sippay::app
