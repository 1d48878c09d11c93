// A customer for the purchase tests that runs the real purchase steps
// (payment::WalletMachine over roles::PaymentEndpoint, with the key,
// certificate and wallet of a `sippay customer` config file) and misbehaves
// in one way on request:
//
//   --tamper order     doubles the quantity and amount in the order (OI)
//                      after the dual signature was made over it;
//   --tamper payment   lowers the amount in the payment details (PI) to one
//                      minor unit after the dual signature, and envelopes
//                      the changed PI for the gateway with the original DS;
//   --replay-purchase  after the outcome, sends the exact purchase bytes
//                      with the same Authorization again, in a new SIP
//                      transaction;
//   --repeat-ack       sends the exact confirmation ack bytes a second time
//                      once the first was answered.
//
// It accepts every confirmation request at once. Output: the outcome in the
// words of `sippay customer buy` ("settled: ..." or "refused: SENTENCE
// [reason]"), then the answer to each extra message and the types of the
// messages that arrived in the --linger seconds after it, so that the
// gateway can still deliver what it sends in return. Exit status:
// 0 settled, 1 refused, 2 usage or configuration error, 3 no outcome in time.
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>

#include "payment/message_codec.hpp"
#include "payment/protocol_names.hpp"
#include "payment/reason_code.hpp"
#include "payment/utc_time.hpp"
#include "payment/wallet_machine.hpp"
#include "roles/customer/customer_config.hpp"
#include "roles/customer/customer_wallet.hpp"
#include "roles/customer/secure_wallet_services.hpp"
#include "roles/customer/sqlite_wallet_store.hpp"
#include "roles/endpoint/payment_endpoint.hpp"
#include "roles/endpoint/peer_directory.hpp"
#include "roles/endpoint/random_ids.hpp"
#include "security/certificate.hpp"
#include "security/private_key.hpp"
#include "security/trust_store.hpp"
#include "sip/charset.hpp"

namespace sippay::tests {
namespace {

constexpr int kExitSettled = 0;
constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitTimeout = 3;

struct Options {
  std::string config;
  std::string merchant;
  std::string item;
  std::int64_t price = 0;  // minor units
  std::string pin_file;
  std::string tamper;  // "", "order" or "payment"
  bool replay_purchase = false;
  bool repeat_ack = false;
  int timeout_seconds = 60;
  int linger_seconds = 3;  // how long to watch for messages after an extra step
};

std::string read_pin(const std::string& path) {
  std::ifstream file(path);
  std::string pin;
  if (!file || !std::getline(file, pin))
    throw std::runtime_error(fmt::format("--pin-file {}: cannot read a line", path));
  return pin;
}

template <class T>
T decoded(const payment::DecodeResult<T>& result, std::string_view message_name) {
  if (!result)
    throw std::runtime_error(
        fmt::format("cannot decode the {}: {}", message_name, result.error().to_string()));
  return result.value();
}

std::optional<std::string> find_header(const roles::HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (sip::charset::iequals(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<payment::MerchantChallenge> sippay_challenge(const roles::HeaderList& headers) {
  for (const auto& [key, value] : headers) {
    if (!sip::charset::iequals(key, "WWW-Authenticate")) continue;
    if (auto challenge = payment::parse_challenge(value)) return challenge.value();
  }
  return std::nullopt;
}

class TamperingCustomer {
 public:
  TamperingCustomer(const roles::CustomerConfig& config, Options options)
      : config_(config),
        options_(std::move(options)),
        endpoint_(io_, config.endpoint),
        store_(config.wallet),
        timer_(io_) {
    auto trust = security::TrustStore::load(config.endpoint.ca, config.endpoint.crl);
    auto certificate = security::Certificate::load_pem_file(config.endpoint.certificate);
    auto key = security::PrivateKey::load_pem_file(config.endpoint.private_key);
    roles::PeerDirectory peers(config.endpoint.peer_certificates);
    auto gateway = peers.find(config.gateway);
    if (!trust || !certificate || !key || !gateway) {
      throw std::runtime_error(
          "[identity]: cannot load the certificate, key, CA or the gateway's certificate");
    }
    services_ = std::make_unique<roles::SecureWalletServices>(
        security::SignerCredentials{certificate.value(), key.value(), {}}, *gateway, trust.value());
    machine_ = std::make_unique<payment::WalletMachine>(
        store_, *services_, ids_,
        payment::WalletConfig{config.account, config.gateway, config.max_challenges});
    endpoint_.on_message(
        [this](const roles::InboundMessage& message) { return on_message(message); });
  }

  int run() {
    endpoint_.on_registration([this](const roles::SendResult& result) {
      if (registered_) return;
      registered_ = true;
      if (!result.succeeded()) {
        finish(kExitRefused, fmt::format("error: REGISTER failed: {}", result.summary()));
        return;
      }
      start_purchase();
    });
    if (std::error_code error = endpoint_.start()) {
      throw std::runtime_error(
          fmt::format("cannot listen on {}: {}", endpoint_.config().listen, error.message()));
    }
    timer_.expires_after(std::chrono::seconds(options_.timeout_seconds));
    timer_.async_wait([this](std::error_code error) {
      if (!error) finish(kExitTimeout, "timeout: no outcome arrived in time");
    });
    io_.run();
    return status_;
  }

 private:
  void start_purchase() {
    payment::Offer offer;
    offer.merchant = options_.merchant;
    offer.item_id = options_.item;
    offer.quantity = 1;
    offer.unit_price = options_.price;
    offer.currency = config_.currency;
    payment::WalletStep step;
    purchase_id_ = machine_->begin(offer, read_pin(options_.pin_file), payment::utc_now(), step);
    apply(step);
  }

  void apply(const payment::WalletStep& step) {
    for (const payment::Action& action : step.handled.actions) {
      const auto* message = std::get_if<payment::SendMessage>(&action);
      if (message == nullptr) continue;
      if (message->type == payment::MessageType::kPurchase) {
        send_purchase(*message);
      } else {
        send_ack(*message);
      }
    }
    if (step.ask_user) {
      asio::post(io_, [this, purchase_id = step.ask_user->purchase_id] {
        apply(machine_->on_user_decision(purchase_id, payment::Decision::kAccept,
                                         payment::utc_now()));
      });
    }
    if (step.receipt) {
      report_outcome(kExitSettled,
                     fmt::format("settled: transaction {}", step.receipt->transaction_id));
    }
    if (step.failure) {
      report_outcome(kExitRefused,
                     fmt::format("refused: {} [{}]", roles::describe_failure(*step.failure),
                                 payment::to_string(step.failure->reason)));
    }
    if (step.handled.sip_status >= 300 && step.handled.actions.empty() && !step.ask_user) {
      report_outcome(kExitRefused, fmt::format("refused: {}", step.handled.reason));
    }
  }

  void send_purchase(const payment::SendMessage& message) {
    auto answer = [this](const roles::SendResult& result) { on_purchase_answer(result); };
    if (message.bytes.empty()) {
      endpoint_.send_empty(message.to, message.headers, answer);
      return;
    }
    payment::SendMessage sent = message;
    if (options_.tamper == "order") sent.bytes = tamper_order(message.bytes);
    if (options_.tamper == "payment") sent.bytes = tamper_payment(message.bytes);
    sent_purchase_ = sent;
    endpoint_.send_unsigned(sent.to, sent.bytes, sent.headers, answer);
  }

  // Two units for the price the customer signed for one.
  static std::string tamper_order(const std::string& purchase_bytes) {
    auto purchase = decoded(payment::decode<payment::Purchase>(purchase_bytes), "purchase");
    auto order = decoded(payment::decode<payment::Order>(purchase.order), "order");
    order.quantity *= 2;
    order.amount *= 2;
    purchase.order = payment::encode(order);
    std::printf("tampered: order quantity %lld, amount %lld after the dual signature\n",
                static_cast<long long>(order.quantity), static_cast<long long>(order.amount));
    return payment::encode(purchase);
  }

  // PI with an amount of one minor unit, enveloped for the gateway beside the
  // original DS. The merchant still sees the original H(PI).
  std::string tamper_payment(const std::string& purchase_bytes) {
    auto purchase = decoded(payment::decode<payment::Purchase>(purchase_bytes), "purchase");
    auto record = store_.find(purchase_id_);
    if (!record || record->payment_information.empty()) {
      throw std::runtime_error("the wallet has no payment details for the purchase");
    }
    auto payment_information =
        decoded(payment::decode<payment::PaymentInformation>(record->payment_information),
                "payment details");
    payment_information.amount = 1;
    const payment::PaymentBundle bundle{payment::encode(payment_information),
                                        purchase.dual_signature};
    purchase.payment_envelope = services_->envelope_for_gateway(payment::encode(bundle));
    std::printf("tampered: payment amount 1 after the dual signature\n");
    return payment::encode(purchase);
  }

  void on_purchase_answer(const roles::SendResult& result) {
    if (result.status == 401) {
      auto challenge = sippay_challenge(result.headers);
      if (!challenge) {
        finish(kExitRefused, "error: the merchant answered 401 without a SipPay challenge");
        return;
      }
      apply(machine_->on_challenge(purchase_id_, *challenge, payment::utc_now()));
      return;
    }
    if (result.succeeded()) {
      std::optional<std::string> next_nonce;
      if (auto info = find_header(result.headers, "Authentication-Info")) {
        if (auto parsed = payment::parse_next_nonce(*info)) next_nonce = parsed.value();
      }
      apply(machine_->on_purchase_accepted(purchase_id_, next_nonce));
      return;
    }
    report_outcome(kExitRefused,
                   fmt::format("refused: the merchant answered {}", result.summary()));
  }

  void send_ack(const payment::SendMessage& message) {
    const bool repeat = options_.repeat_ack && !ack_repeated_;
    if (repeat) {
      ack_repeated_ = true;
      ++steps_pending_;
    }
    endpoint_.send(message.to, message.bytes, message.headers,
                   [this, message, repeat](const roles::SendResult& first) {
                     std::printf("confirmation-ack: %s\n", first.summary().c_str());
                     if (!repeat) return;
                     watching_ = "second confirmation-ack";
                     endpoint_.send(message.to, message.bytes, message.headers,
                                    [this](const roles::SendResult& second) {
                                      std::printf("second confirmation-ack: %s\n",
                                                  second.summary().c_str());
                                      linger_then_step_done();
                                    });
                   });
  }

  // Waits --linger seconds, prints what arrived since `watching_` was set,
  // and ends the extra step.
  void linger_then_step_done() {
    auto linger =
        std::make_shared<asio::steady_timer>(io_, std::chrono::seconds(options_.linger_seconds));
    linger->async_wait([this, linger](std::error_code) {
      for (const auto& [type, count] : received_since_) {
        std::printf("after the %s: %s x%d\n", watching_.c_str(), type.c_str(), count);
      }
      if (received_since_.empty()) std::printf("after the %s: no message\n", watching_.c_str());
      step_done();
    });
  }

  void replay_purchase() {
    if (!sent_purchase_) {
      std::printf("replayed purchase: nothing to replay\n");
      step_done();
      return;
    }
    watching_ = "replay";
    received_since_.clear();
    endpoint_.send_unsigned(sent_purchase_->to, sent_purchase_->bytes, sent_purchase_->headers,
                            [this](const roles::SendResult& result) {
                              std::printf("replayed purchase: %s\n", result.summary().c_str());
                              linger_then_step_done();
                            });
  }

  roles::Reply on_message(const roles::InboundMessage& message) {
    if (!message.signer_verified) return roles::Reply{400, "Body Required", {}};
    auto any = payment::decode_any(message.content);
    if (!any) return roles::Reply{400, any.error().to_string(), {}};
    const payment::UtcTime now = payment::utc_now();
    const std::string type(payment::to_string(
        std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kType; }, any.value())));
    if (!watching_.empty()) ++received_since_[type];
    payment::WalletStep step;
    if (const auto* request = std::get_if<payment::ConfirmationRequest>(&any.value())) {
      step = machine_->on_confirmation_request(message.sender_uri, message.content, *request, now);
    } else if (const auto* receipt = std::get_if<payment::Receipt>(&any.value())) {
      step = machine_->on_receipt(message.sender_uri, *receipt);
    } else if (const auto* notice = std::get_if<payment::FailureNotice>(&any.value())) {
      step = machine_->on_failure_notice(message.sender_uri, *notice);
    } else {
      return roles::Reply{403, "a customer does not accept this message type", {}};
    }
    // The machine has committed its store, so the SIP response goes first.
    asio::post(io_, [this, step] { apply(step); });
    return roles::Reply{step.handled.sip_status, step.handled.reason, step.handled.headers};
  }

  // Prints the outcome once; the process ends when the extra steps are done.
  void report_outcome(int status, const std::string& line) {
    if (outcome_reported_) return;
    outcome_reported_ = true;
    status_ = status;
    std::printf("%s\n", line.c_str());
    if (options_.replay_purchase) {
      ++steps_pending_;
      replay_purchase();
    }
    if (steps_pending_ == 0) finish(status_, "");
  }

  void step_done() {
    if (--steps_pending_ == 0 && outcome_reported_) finish(status_, "");
  }

  void finish(int status, const std::string& line) {
    if (finished_) return;
    finished_ = true;
    if (!line.empty()) std::printf("%s\n", line.c_str());
    if (!outcome_reported_) status_ = status;
    std::fflush(stdout);
    timer_.cancel();
    endpoint_.shutdown(std::chrono::seconds(2), [this] { io_.stop(); });
  }

  roles::CustomerConfig config_;
  Options options_;
  asio::io_context io_;
  roles::PaymentEndpoint endpoint_;
  roles::SqliteWalletStore store_;
  roles::RandomIds ids_;
  std::unique_ptr<roles::SecureWalletServices> services_;
  std::unique_ptr<payment::WalletMachine> machine_;
  asio::steady_timer timer_;
  std::string purchase_id_;
  std::optional<payment::SendMessage> sent_purchase_;  // the last purchase with a body, as sent
  std::string watching_;                               // the extra step whose aftermath is counted
  std::map<std::string, int> received_since_;  // message type: count, since watching_ was set
  bool registered_ = false;
  bool ack_repeated_ = false;
  bool outcome_reported_ = false;
  bool finished_ = false;
  int steps_pending_ = 0;
  int status_ = kExitTimeout;
};

}  // namespace
}  // namespace sippay::tests

int main(int argc, char** argv) {
  sippay::tests::Options options;
  CLI::App app{"A customer that alters one step of a purchase, for the purchase tests"};
  app.add_option("--config", options.config, "The customer's TOML file, as for `sippay customer`")
      ->required();
  app.add_option("--merchant", options.merchant, "The merchant's SIP URI")->required();
  app.add_option("--item", options.item, "The item id")->required();
  app.add_option("--price", options.price, "The unit price in minor units")->required();
  app.add_option("--pin-file", options.pin_file, "File whose first line is the PIN")->required();
  app.add_option("--tamper", options.tamper, "Alter the order or the payment details after signing")
      ->check(CLI::IsMember({"order", "payment"}));
  app.add_flag("--replay-purchase", options.replay_purchase,
               "Send the purchase's exact bytes again after the outcome");
  app.add_flag("--repeat-ack", options.repeat_ack, "Send the confirmation ack twice");
  app.add_option("--timeout", options.timeout_seconds, "Seconds to wait for the outcome")
      ->check(CLI::Range(1, 600));
  app.add_option("--linger", options.linger_seconds,
                 "Seconds to watch for messages after a replay or second ack")
      ->check(CLI::Range(0, 60));
  CLI11_PARSE(app, argc, argv);
  spdlog::set_default_logger(spdlog::stderr_color_mt("tampering_customer"));

  try {
    const sippay::roles::CustomerConfig config =
        sippay::roles::load_customer_config(options.config);
    sippay::tests::TamperingCustomer customer(config, options);
    return customer.run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tampering_customer: %s\n", error.what());
    return sippay::tests::kExitUsage;
  }
}
