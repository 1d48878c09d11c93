#include "app/customer_command.hpp"

#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <limits>
#include <memory>

#include "ledger/amount.hpp"
#include "ledger/currency.hpp"
#include "payment/encoding.hpp"
#include "payment/field_rules.hpp"
#include "payment/protocol_names.hpp"
#include "payment/reason_code.hpp"
#include "payment/utc_time.hpp"
#include "roles/customer/customer_config.hpp"
#include "roles/customer/customer_wallet.hpp"
#include "roles/customer/secure_wallet_services.hpp"
#include "roles/customer/sqlite_wallet_store.hpp"
#include "roles/endpoint/peer_directory.hpp"
#include "roles/endpoint/random_ids.hpp"
#include "security/private_key.hpp"

namespace sippay::app {
namespace {

constexpr int kExitSettled = 0;
constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitTimeout = 3;

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string amount_text(std::int64_t minor_units, const std::string& currency) {
  if (auto known = ledger::find_currency(currency)) return ledger::format_amount(minor_units, *known) + " " + currency;
  return fmt::format("{} (minor units) {}", minor_units, currency);
}

// Reads the PIN from the file, or from the terminal without echo.
std::string read_pin(const CustomerOptions& options, std::istream& in, std::ostream& out) {
  std::string pin;
  if (options.pin_file) {
    std::ifstream file(*options.pin_file);
    if (!file || !std::getline(file, pin)) {
      throw UsageError(fmt::format("--pin-file {}: cannot read a line from it", *options.pin_file));
    }
  } else if (&in == &std::cin && isatty(STDIN_FILENO) == 1) {
    out << "PIN: " << std::flush;
    termios saved{};
    tcgetattr(STDIN_FILENO, &saved);
    termios silent = saved;
    silent.c_lflag &= static_cast<tcflag_t>(~ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &silent);
    std::getline(in, pin);
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    out << "\n";
  } else {
    std::getline(in, pin);
  }
  if (!pin.empty() && pin.back() == '\r') pin.pop_back();
  return pin;
}

// Everything one command needs around the endpoint.
struct Wallet {
  explicit Wallet(const roles::CustomerConfig& config)
      : endpoint(io, config.endpoint), store(config.wallet), peers(config.endpoint.peer_certificates) {
    auto trust = security::TrustStore::load(config.endpoint.ca, config.endpoint.crl);
    auto certificate = security::Certificate::load_pem_file(config.endpoint.certificate);
    auto key = security::PrivateKey::load_pem_file(config.endpoint.private_key);
    auto gateway = peers.find(config.gateway);
    if (!trust || !certificate || !key) throw roles::ConfigError("[identity]: cannot load the certificate, key or CA");
    if (!gateway) {
      throw roles::ConfigError(fmt::format("[customer] gateway: no certificate for {} in {}", config.gateway,
                                           config.endpoint.peer_certificates.string()));
    }
    services = std::make_unique<roles::SecureWalletServices>(
        security::SignerCredentials{certificate.value(), key.value(), {}}, *gateway, trust.value());
    wallet = std::make_unique<roles::CustomerWallet>(
        endpoint, store, *services, ids, payment::WalletConfig{config.account, config.gateway, config.max_challenges});
    endpoint.on_message([this](const roles::InboundMessage& message) { return wallet->handle(message); });
  }

  // Starts the endpoint and calls `ready` with the final response to the first REGISTER.
  void start(std::function<void(const roles::SendResult&)> ready) {
    auto once = std::make_shared<std::function<void(const roles::SendResult&)>>(std::move(ready));
    endpoint.on_registration([once](const roles::SendResult& result) {
      if (*once) {
        auto call = std::move(*once);
        *once = nullptr;
        call(result);
      }
    });
    if (std::error_code error = endpoint.start()) {
      throw roles::ConfigError(fmt::format("[sip] listen: cannot listen on {}: {}", endpoint.config().listen,
                                           error.message()));
    }
  }

  void stop() {
    endpoint.shutdown(std::chrono::seconds(2), [this] { io.stop(); });
  }

  asio::io_context io;
  roles::PaymentEndpoint endpoint;
  roles::SqliteWalletStore store;
  roles::PeerDirectory peers;
  roles::RandomIds ids;
  std::unique_ptr<roles::SecureWalletServices> services;
  std::unique_ptr<roles::CustomerWallet> wallet;
};

int run_register(const roles::CustomerConfig& config, std::ostream& out, std::ostream& err) {
  Wallet wallet(config);
  int status = kExitTimeout;
  wallet.start([&](const roles::SendResult& result) {
    if (result.succeeded()) {
      out << fmt::format("registered {} at {} through {}\n", config.endpoint.uri, wallet.endpoint.local_address(),
                         config.endpoint.proxy);
      status = kExitSettled;
    } else {
      err << fmt::format("sippay customer: REGISTER failed: {}\n", result.summary());
      status = result.status == 0 ? kExitTimeout : kExitRefused;
    }
    wallet.stop();
  });
  wallet.io.run();
  return status;
}

payment::Decision ask(const payment::ConfirmationRequest& request, bool yes, std::istream& in, std::ostream& out) {
  out << fmt::format("confirmation request from the gateway:\n  merchant:  {}\n  amount:    {}\n  item hash: {}\n"
                     "  expires:   {}\n",
                     request.merchant, amount_text(request.amount, request.currency),
                     payment::to_hex(request.order_hash), payment::format_utc_time(request.expires));
  if (yes) {
    out << "confirmed (--yes)\n";
    return payment::Decision::kAccept;
  }
  out << "pay? [y/N] " << std::flush;
  std::string answer;
  std::getline(in, answer);
  const bool accept = answer == "y" || answer == "Y" || answer == "yes";
  out << (accept ? "confirmed\n" : "declined\n");
  return accept ? payment::Decision::kAccept : payment::Decision::kDecline;
}

int run_buy(const roles::CustomerConfig& config, const CustomerOptions& options, std::istream& in, std::ostream& out,
            std::ostream& err) {
  const ledger::Currency currency = ledger::require_currency(config.currency);
  payment::Offer offer;
  offer.merchant = options.merchant;
  offer.item_id = options.item;
  offer.quantity = options.quantity;
  try {
    offer.unit_price = ledger::parse_decimal_amount(options.price, currency);
  } catch (const std::exception& error) {
    throw UsageError(fmt::format("--price {}: {}", options.price, error.what()));
  }
  offer.currency = config.currency;
  const std::string pin = read_pin(options, in, out);

  Wallet wallet(config);
  int status = kExitTimeout;
  wallet.start([&](const roles::SendResult& registered) {
    if (!registered.succeeded()) {
      err << fmt::format("sippay customer: REGISTER failed: {}\n", registered.summary());
      status = registered.status == 0 || registered.status == 408 ? kExitTimeout : kExitRefused;
      wallet.stop();
      return;
    }
    auto confirm = [&](const payment::ConfirmationRequest& request) { return ask(request, options.yes, in, out); };
    try {
      wallet.wallet->buy(offer, pin, confirm, config.timeout, [&](const roles::PurchaseOutcome& outcome) {
        switch (outcome.kind) {
          case roles::PurchaseOutcome::Kind::kSettled: {
            const payment::Receipt& receipt = *outcome.receipt;
            out << fmt::format("settled: paid {} to {}\n  transaction: {}\n  purchase:    {}\n  order ref:   {}\n"
                               "  settled at:  {}\n",
                               amount_text(receipt.amount, receipt.currency), receipt.merchant, receipt.transaction_id,
                               receipt.purchase_id, receipt.merchant_order_ref,
                               payment::format_utc_time(receipt.settled_at));
            status = kExitSettled;
            break;
          }
          case roles::PurchaseOutcome::Kind::kRefused:
            if (outcome.failure) {
              out << fmt::format("refused: {} [{}]\n  purchase: {}\n", roles::describe_failure(*outcome.failure),
                                 payment::to_string(outcome.failure->reason), outcome.purchase_id);
            } else {
              out << fmt::format("refused: {}\n  purchase: {}\n", outcome.message, outcome.purchase_id);
            }
            status = kExitRefused;
            break;
          case roles::PurchaseOutcome::Kind::kTimeout:
            out << fmt::format("timeout: {}\n  purchase: {}\n", outcome.message, outcome.purchase_id);
            status = kExitTimeout;
            break;
          case roles::PurchaseOutcome::Kind::kError:
            out << fmt::format("error: {}\n  purchase: {}\n", outcome.message, outcome.purchase_id);
            status = kExitRefused;
            break;
        }
        wallet.stop();
      });
    } catch (const std::invalid_argument& error) {
      err << fmt::format("sippay customer: {}\n", error.what());
      status = kExitUsage;
      wallet.stop();
    }
  });
  wallet.io.run();
  return status;
}

void print_wallet_records(roles::SqliteWalletStore& store, std::size_t limit, std::ostream& out) {
  static constexpr const char* kStates[] = {"submitting", "submitted", "confirming", "settled", "failed"};
  for (const payment::WalletRecord& record : store.list(limit)) {
    out << fmt::format("  {:<10}  {:>14}  {}  item {} x{}  purchase {}{}{}\n", kStates[static_cast<int>(record.state)],
                       amount_text(record.offer.unit_price * record.offer.quantity, record.offer.currency),
                       record.offer.merchant, record.offer.item_id, record.offer.quantity, record.purchase_id,
                       record.transaction_id ? "  transaction " + *record.transaction_id : "",
                       record.reason ? fmt::format("  [{}]", payment::to_string(*record.reason)) : "");
  }
}

// Prints the gateway's history page by page, following next_cursor until
// the last page or until `--limit` entries are printed.
class HistoryPrinter {
 public:
  HistoryPrinter(Wallet& wallet, const roles::CustomerConfig& config, const CustomerOptions& options,
                 std::ostream& out)
      : wallet_(wallet), config_(config), options_(options), out_(out) {}

  int status() const { return status_; }

  void request(const std::optional<std::string>& cursor) {
    std::int64_t page_size = options_.page_size;
    if (options_.limit) page_size = std::min(page_size, *options_.limit - printed_);
    wallet_.wallet->history(cursor, page_size, config_.timeout,
                            [this, cursor](const roles::HistoryOutcome& outcome) { on_page(cursor, outcome); });
  }

 private:
  void on_page(const std::optional<std::string>& cursor, const roles::HistoryOutcome& outcome) {
    if (!outcome.answer) {
      no_answer(outcome.message);
    } else if (print(*outcome.answer, cursor)) {
      request(outcome.answer->next_cursor);
      return;
    }
    wallet_.stop();
  }

  // Prints one page and returns whether to request the next one.
  bool print(const payment::HistoryAnswer& page, const std::optional<std::string>& cursor) {
    if (printed_ == 0) out_ << "history from the gateway, newest first:\n";
    for (const payment::HistoryEntry& entry : page.entries) {
      if (options_.limit && printed_ == *options_.limit) break;
      out_ << fmt::format("  {}  {:<8}  {:>14}  {}  transaction {}  purchase {}\n",
                          payment::format_utc_time(entry.updated_at), payment::to_string(entry.state),
                          amount_text(entry.amount, entry.currency), entry.merchant, entry.transaction_id,
                          entry.purchase_id);
      ++printed_;
    }
    if (!page.next_cursor) {
      out_ << fmt::format("{} entries\n", printed_);
      status_ = kExitSettled;
      return false;
    }
    if (options_.limit && printed_ == *options_.limit) {
      out_ << fmt::format("{} entries; the gateway has more (raise --limit to see them)\n", printed_);
      status_ = kExitSettled;
      return false;
    }
    // A page that does not move the cursor forward would repeat forever.
    if (page.entries.empty() || page.next_cursor == cursor) {
      out_ << fmt::format("{} entries; stopped because the gateway's next page would repeat this one\n", printed_);
      status_ = kExitRefused;
      return false;
    }
    return true;
  }

  void no_answer(const std::string& message) {
    status_ = kExitRefused;
    if (printed_ > 0) {
      out_ << fmt::format("{} entries, but the list is incomplete: the gateway sent no further page ({})\n",
                          printed_, message);
      return;
    }
    out_ << fmt::format("the gateway gave no history ({}); this wallet's own records:\n", message);
    const std::size_t limit = options_.limit ? static_cast<std::size_t>(*options_.limit) : kMaxWalletRecords;
    print_wallet_records(wallet_.store, limit, out_);
  }

  // Wallet records printed when the gateway sends no history and no --limit is given.
  static constexpr std::size_t kMaxWalletRecords = 1000;

  Wallet& wallet_;
  const roles::CustomerConfig& config_;
  const CustomerOptions& options_;
  std::ostream& out_;
  std::int64_t printed_ = 0;
  int status_ = kExitTimeout;
};

int run_history(const roles::CustomerConfig& config, const CustomerOptions& options, std::ostream& out,
                std::ostream& err) {
  Wallet wallet(config);
  HistoryPrinter printer(wallet, config, options, out);
  bool registered_ok = true;
  wallet.start([&](const roles::SendResult& registered) {
    if (!registered.succeeded()) {
      err << fmt::format("sippay customer: REGISTER failed: {}\n", registered.summary());
      registered_ok = false;
      wallet.stop();
      return;
    }
    printer.request(std::nullopt);
  });
  wallet.io.run();
  return registered_ok ? printer.status() : kExitTimeout;
}

}  // namespace

void add_customer_command(CLI::App& app, CustomerOptions& options) {
  CLI::App* customer = app.add_subcommand("customer", "The customer's wallet: register, buy, history");
  customer->require_subcommand(1);
  auto config = [&options](CLI::App* command) {
    command->add_option("--config", options.config_file, "The customer's TOML file")->required();
  };
  CLI::App* registration = customer->add_subcommand("register", "Register with the proxy and report the outcome");
  config(registration);
  registration->callback([&options] { options.action = CustomerOptions::Action::register_contact; });

  CLI::App* buy = customer->add_subcommand("buy", "Buy an item from a merchant");
  config(buy);
  buy->add_option("--merchant", options.merchant, "The merchant's SIP URI")->required();
  buy->add_option("--item", options.item, "The item id from the offer")->required();
  buy->add_option("--price", options.price, "The unit price from the offer, e.g. 12.50")->required();
  buy->add_option("--quantity", options.quantity, "How many (1 to 1000)")->check(CLI::Range(1, 1000));
  buy->add_option("--pin-file", options.pin_file, "Read the PIN from this file instead of the terminal");
  buy->add_flag("--yes", options.yes, "Confirm the gateway's request without asking");
  buy->callback([&options] { options.action = CustomerOptions::Action::buy; });

  CLI::App* history = customer->add_subcommand("history", "Ask the gateway for this customer's transactions");
  config(history);
  history->add_option("--limit", options.limit, "Print at most this many transactions, newest first (default: all)")
      ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()));
  history
      ->add_option("--page-size", options.page_size,
                   fmt::format("Transactions requested in each history inquiry (1 to {})", payment::kMaxHistoryEntries))
      ->check(CLI::Range(std::int64_t{1}, payment::kMaxHistoryEntries));
  history->callback([&options] { options.action = CustomerOptions::Action::history; });
}

int run_customer(const CustomerOptions& options, std::istream& in, std::ostream& out, std::ostream& err) {
  try {
    const roles::CustomerConfig config = roles::load_customer_config(options.config_file);
    switch (options.action) {
      case CustomerOptions::Action::register_contact:
        return run_register(config, out, err);
      case CustomerOptions::Action::buy:
        return run_buy(config, options, in, out, err);
      case CustomerOptions::Action::history:
        return run_history(config, options, out, err);
      case CustomerOptions::Action::none:
        break;
    }
    return kExitUsage;
  } catch (const roles::ConfigError& error) {
    err << "sippay customer: " << error.what() << "\n";
    return kExitUsage;
  } catch (const UsageError& error) {
    err << "sippay customer: " << error.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& error) {
    err << "sippay customer: " << error.what() << "\n";
    return kExitUsage;
  }
}

}  // namespace sippay::app
