// The customer's purchase over the payment endpoint: runs the wallet
// machine, sends its messages (the purchase enveloped for the merchant, a
// MESSAGE without body to obtain the merchant's challenge, the signed
// confirmation ack for the gateway), answers the gateway's confirmation
// request, and reports the receipt or failure notice. Also the history
// inquiry. Runs on the endpoint's I/O thread.
#pragma once

#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "payment/messages.hpp"
#include "payment/wallet_machine.hpp"
#include "roles/endpoint/payment_endpoint.hpp"

namespace sippay::roles {

struct PurchaseOutcome {
  enum class Kind { kSettled, kRefused, kTimeout, kError };
  Kind kind = Kind::kError;
  std::string purchase_id;
  std::optional<payment::Receipt> receipt;
  std::optional<payment::FailureNotice> failure;
  std::string message;  // what happened, for the user, when there is neither
};

struct HistoryOutcome {
  std::optional<payment::HistoryAnswer> answer;  // none: the gateway sent no history answer
  std::string message;                           // why there is none
};

class CustomerWallet {
 public:
  // Asked with the gateway's confirmation request; returns the user's choice.
  using Confirm = std::function<payment::Decision(const payment::ConfirmationRequest&)>;

  CustomerWallet(PaymentEndpoint& endpoint, payment::WalletStore& store, payment::WalletServices& services,
                 payment::IdSource& ids, payment::WalletConfig config);

  // Handles a message received by the endpoint (install with on_message).
  Reply handle(const InboundMessage& message);

  // Runs one purchase until its outcome or `timeout`. Throws
  // std::invalid_argument for an invalid PIN or offer (never naming the PIN).
  void buy(const payment::Offer& offer, std::string_view pin, Confirm confirm, std::chrono::seconds timeout,
           std::function<void(const PurchaseOutcome&)> done);

  // Asks the gateway for one page of at most `limit` transactions, newest
  // first: the newest when `cursor` is null, else those after the page whose
  // next_cursor it is.
  void history(const std::optional<std::string>& cursor, std::int64_t limit, std::chrono::seconds timeout,
               std::function<void(const HistoryOutcome&)> done);

 private:
  void apply(const payment::WalletStep& step);
  void send(const payment::SendMessage& message);
  void on_purchase_answer(const SendResult& result);
  void finish(PurchaseOutcome outcome);

  PaymentEndpoint& endpoint_;
  payment::WalletMachine machine_;
  payment::IdSource& ids_;
  payment::WalletConfig config_;
  asio::steady_timer timer_;
  std::string purchase_id_;
  Confirm confirm_;
  std::function<void(const PurchaseOutcome&)> done_;
  std::string history_id_;
  std::function<void(const HistoryOutcome&)> history_done_;
};

// The sentence shown to the customer for a failure notice's reason.
std::string describe_failure(const payment::FailureNotice& notice);

}  // namespace sippay::roles
