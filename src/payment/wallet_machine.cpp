#include "payment/wallet_machine.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "payment/dual_signature.hpp"
#include "payment/field_rules.hpp"
#include "payment/message_codec.hpp"
#include "payment/pin_verification.hpp"

namespace sippay::payment {
namespace {

WalletStep error(int status, std::string reason) {
  WalletStep step;
  step.handled.sip_status = status;
  step.handled.reason = std::move(reason);
  return step;
}

bool is_final(WalletState state) {
  return state == WalletState::kSettled || state == WalletState::kFailed;
}

// Checks the factors of unit_price * quantity before they are multiplied.
// Within these bounds the product fits std::int64_t, so it cannot overflow.
void check_offer_bounds(const Offer& offer) {
  if (offer.quantity < 1 || offer.quantity > kMaxQuantity) {
    throw std::invalid_argument(
        fmt::format("offer quantity {} is invalid: it must be between 1 and {}", offer.quantity, kMaxQuantity));
  }
  if (offer.unit_price < 1 || offer.unit_price > kMaxAmount) {
    throw std::invalid_argument(fmt::format("offer unit_price {} is invalid: it must be between 1 and {} minor units",
                                            offer.unit_price, kMaxAmount));
  }
}

}  // namespace

std::string WalletMachine::begin(const Offer& offer, std::string_view pin, UtcTime now,
                                 WalletStep& step) {
  if (auto problem = pin_format_error(pin)) throw std::invalid_argument(*problem);
  check_offer_bounds(offer);
  WalletRecord record;
  record.purchase_id = ids_.new_id();
  record.offer = offer;

  PaymentInformation payment;
  payment.purchase_id = record.purchase_id;
  payment.account = config_.account;
  payment.pin = std::string(pin);
  payment.merchant = offer.merchant;
  payment.amount = offer.unit_price * offer.quantity;
  payment.currency = offer.currency;
  payment.timestamp = now;
  // Throws std::invalid_argument naming the member for an invalid offer.
  record.payment_information = encode(payment);

  if (auto nonce = store_.take_nonce(offer.merchant)) {
    submit(record, *nonce, now, step.handled);
  } else {
    // The merchant answers a MESSAGE without credentials with its
    // challenge before reading any body, so none is built yet.
    step.handled.actions.push_back(SendMessage{offer.merchant, MessageType::kPurchase, ""});
  }
  store_.insert(record);
  return record.purchase_id;
}

WalletStep WalletMachine::on_challenge(std::string_view purchase_id,
                                       const MerchantChallenge& challenge, UtcTime now) {
  auto record = store_.find(purchase_id);
  if (!record) return error(404, "no purchase with this purchase_id");
  if (record->state != WalletState::kSubmitting) return {};
  WalletStep step;
  if (++record->challenges > config_.max_challenges) {
    record->state = WalletState::kFailed;
    record->payment_information.clear();
    store_.update(*record);
    return error(401, "the merchant keeps challenging the purchase; try again later");
  }
  // The same purchase id: only the nonce, and so OI and DS, change.
  submit(*record, challenge, now, step.handled);
  store_.update(*record);
  return step;
}

WalletStep WalletMachine::on_purchase_accepted(std::string_view purchase_id,
                                               const std::optional<std::string>& next_nonce) {
  auto record = store_.find(purchase_id);
  if (!record) return error(404, "no purchase with this purchase_id");
  if (next_nonce) store_.put_nonce(record->offer.merchant, {record->realm, *next_nonce});
  if (record->state == WalletState::kSubmitting) {
    record->state = WalletState::kSubmitted;
    record->payment_information.clear();
    store_.update(*record);
  }
  return {};
}

WalletStep WalletMachine::on_confirmation_request(std::string_view signer, std::string_view bytes,
                                                  const ConfirmationRequest& request,
                                                  UtcTime now) {
  if (signer != config_.gateway) {
    return error(403, "confirmation requests come only from the gateway");
  }
  auto record = store_.find(request.purchase_id);
  if (!record) return error(404, "no purchase with this purchase_id");

  WalletStep step;
  if (!record->confirmation_request.empty()) {
    // At most one CR per purchase id. The same one again means the ack may
    // have been lost, so it is sent again; any other is ignored.
    if (record->transaction_id == request.transaction_id && !record->confirmation_ack.empty()) {
      step.handled.actions.push_back(
          SendMessage{config_.gateway, MessageType::kConfirmationAck, record->confirmation_ack});
    }
    return step;
  }
  if (is_final(record->state)) return step;

  record->confirmation_request = std::string(bytes);
  record->transaction_id = request.transaction_id;
  record->state = WalletState::kConfirming;
  record->payment_information.clear();
  const Offer& offer = record->offer;
  const bool matches = request.order_hash == sha256(record->order) &&
                       request.merchant == offer.merchant &&
                       request.amount == offer.unit_price * offer.quantity &&
                       request.currency == offer.currency;
  if (!matches) {
    send_ack(*record, Decision::kDecline, now, step.handled);
  } else {
    step.ask_user = request;
  }
  store_.update(*record);
  return step;
}

WalletStep WalletMachine::on_user_decision(std::string_view purchase_id, Decision decision,
                                           UtcTime now) {
  auto record = store_.find(purchase_id);
  if (!record) return error(404, "no purchase with this purchase_id");
  WalletStep step;
  if (record->state != WalletState::kConfirming || !record->confirmation_ack.empty()) return step;
  send_ack(*record, decision, now, step.handled);
  store_.update(*record);
  return step;
}

WalletStep WalletMachine::on_receipt(std::string_view signer, const Receipt& receipt) {
  if (signer != config_.gateway) return error(403, "receipts come only from the gateway");
  auto record = store_.find(receipt.purchase_id);
  if (!record) return error(404, "no purchase with this purchase_id");
  WalletStep step;
  if (is_final(record->state)) return step;
  record->state = WalletState::kSettled;
  record->transaction_id = receipt.transaction_id;
  record->payment_information.clear();
  store_.update(*record);
  step.receipt = receipt;
  return step;
}

WalletStep WalletMachine::on_failure_notice(std::string_view signer, const FailureNotice& notice) {
  auto record = store_.find(notice.purchase_id);
  if (!record) return error(404, "no purchase with this purchase_id");
  const bool from_issuer = notice.issuer == Issuer::kGateway ? signer == config_.gateway
                                                             : signer == record->offer.merchant;
  if (!from_issuer) return error(403, "the notice's signer is not its issuer");
  if (notice.next_nonce && !record->realm.empty()) {
    store_.put_nonce(record->offer.merchant, {record->realm, *notice.next_nonce});
  }
  WalletStep step;
  if (is_final(record->state)) return step;
  record->state = WalletState::kFailed;
  record->reason = notice.reason;
  record->payment_information.clear();
  store_.update(*record);
  step.failure = notice;
  return step;
}

void WalletMachine::submit(WalletRecord& record, const MerchantChallenge& challenge, UtcTime now,
                           Handled& handled) {
  record.realm = challenge.realm;
  const Offer& offer = record.offer;
  Order order;
  order.purchase_id = record.purchase_id;
  order.merchant = offer.merchant;
  order.merchant_nonce = challenge.nonce;
  order.item_id = offer.item_id;
  order.quantity = offer.quantity;
  order.unit_price = offer.unit_price;
  order.amount = offer.unit_price * offer.quantity;
  order.currency = offer.currency;
  order.timestamp = now;
  record.order = encode(order);

  const std::string signature =
      services_.sign(dual_signature_input_from_bytes(record.order, record.payment_information));
  const PaymentBundle bundle{record.payment_information, signature};

  Purchase purchase;
  purchase.message_id = ids_.new_id();
  purchase.purchase_id = record.purchase_id;
  purchase.order = record.order;
  purchase.payment_information_hash = sha256(record.payment_information);
  purchase.dual_signature = signature;
  purchase.payment_envelope = services_.envelope_for_gateway(encode(bundle));

  const std::string authorization =
      format_credentials({challenge.realm, challenge.nonce, record.purchase_id});
  handled.actions.push_back(SendMessage{offer.merchant, MessageType::kPurchase, encode(purchase),
                                        {{"Authorization", authorization}}});
}

std::string WalletMachine::send_ack(WalletRecord& record, Decision decision, UtcTime now,
                                    Handled& handled) {
  ConfirmationAck ack;
  ack.message_id = ids_.new_id();
  ack.transaction_id = *record.transaction_id;
  ack.purchase_id = record.purchase_id;
  ack.decision = decision;
  ack.confirmation_request_hash = sha256(record.confirmation_request);
  ack.timestamp = now;
  record.confirmation_ack = encode(ack);
  handled.actions.push_back(
      SendMessage{config_.gateway, MessageType::kConfirmationAck, record.confirmation_ack});
  return record.confirmation_ack;
}

}  // namespace sippay::payment
