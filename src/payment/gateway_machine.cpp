#include "payment/gateway_machine.hpp"

#include <fmt/format.h>

#include "payment/dual_signature.hpp"
#include "payment/message_codec.hpp"
#include "payment/purchase_checks.hpp"

namespace sippay::payment {
namespace {

Handled error(int status, std::string reason) { return {status, std::move(reason), {}, {}}; }

bool same_purchase(const GatewayRecord& record, const PaymentRequest& request) {
  return record.purchase_id == request.purchase_id && record.merchant == request.merchant &&
         record.order_hash == request.order_hash && record.amount == request.amount &&
         record.currency == request.currency;
}

std::optional<ReasonCode> pin_refusal(PinCheck check) {
  switch (check) {
    case PinCheck::kOk:
      return std::nullopt;
    case PinCheck::kWrong:
      return ReasonCode::kWrongPin;
    case PinCheck::kLocked:
      return ReasonCode::kPinLocked;
    case PinCheck::kUnknownAccount:
      return ReasonCode::kUnknownAccount;
    case PinCheck::kAccountFrozen:
      return ReasonCode::kAccountFrozen;
  }
  return ReasonCode::kWrongPin;
}

std::optional<ReasonCode> funds_refusal(FundsCheck check) {
  switch (check) {
    case FundsCheck::kReserved:
      return std::nullopt;
    case FundsCheck::kInsufficient:
      return ReasonCode::kInsufficientFunds;
    case FundsCheck::kUnsupportedCurrency:
      return ReasonCode::kUnsupportedCurrency;
    case FundsCheck::kAccountFrozen:
      return ReasonCode::kAccountFrozen;
    case FundsCheck::kUnknownAccount:
      return ReasonCode::kUnknownAccount;
  }
  return ReasonCode::kInsufficientFunds;
}

}  // namespace

Handled GatewayMachine::on_payment_request(std::string_view signer, const PaymentRequest& request,
                                           UtcTime now) {
  if (request.merchant != signer) {
    return error(403, "the payment request's merchant is not its signer");
  }

  // A repeat of a request already decided: the same transaction again.
  if (auto existing = store_.find_by_order_ref(request.merchant, request.merchant_order_ref)) {
    if (!same_purchase(*existing, request)) {
      return error(400, "merchant_order_ref is already used for another purchase");
    }
    Handled handled;
    repeat_outcome(*existing, request.merchant, now, handled.actions);
    return handled;
  }

  const auto bundle_bytes = services_.open_payment_envelope(request.payment_envelope);
  if (!bundle_bytes) return error(493, "the payment envelope cannot be decrypted");
  const auto bundle = decode<PaymentBundle>(*bundle_bytes);
  if (!bundle) return error(400, "payment bundle: " + bundle.error().to_string());
  // The bundle's rules decoded the PI already, so this succeeds.
  const auto payment = decode<PaymentInformation>(bundle->payment_information);
  if (!payment) return error(400, "payment information: " + payment.error().to_string());

  GatewayRecord record;
  record.transaction_id = ids_.new_id();
  record.purchase_id = request.purchase_id;
  record.merchant = request.merchant;
  record.merchant_order_ref = request.merchant_order_ref;
  record.order_hash = request.order_hash;
  record.amount = request.amount;
  record.currency = request.currency;
  record.created_at = now;
  record.updated_at = now;

  const DualSignatureCheck signature = services_.verify_dual_signature(bundle->dual_signature);
  if (!signature.signer.empty()) record.customer = signature.signer;
  if (signature.status == DualSignatureCheck::Status::kRevoked) {
    return refuse(std::move(record), ReasonCode::kCertificateRevoked, now);
  }
  // The input is rebuilt from H(OI) as the merchant claims it and H(PI) as
  // decrypted here, never read out of the signature.
  if (signature.status != DualSignatureCheck::Status::kValid ||
      signature.content !=
          dual_signature_input(request.order_hash, sha256(bundle->payment_information))) {
    return refuse(std::move(record), ReasonCode::kDualSignatureInvalid, now);
  }

  if (auto earlier = store_.find_by_purchase(signature.signer, request.purchase_id)) {
    // The purchase has a transaction under another order ref. That one
    // remains; this request is refused to the merchant alone, and the record
    // is keyed on its order ref only.
    record.customer.reset();
    return refuse(std::move(record), ReasonCode::kPurchaseIdReused, now);
  }
  if (store_.abort_remembered(request.merchant, request.merchant_order_ref)) {
    return refuse(std::move(record), ReasonCode::kAborted, now);
  }
  if (request_payment_mismatch(request, *payment)) {
    return refuse(std::move(record), ReasonCode::kPaymentMismatch, now);
  }
  if (auto reason = pin_refusal(services_.check_pin(payment->account, payment->pin))) {
    return refuse(std::move(record), *reason, now);
  }
  record.expires = now + config_.confirmation_timeout;
  const FundsCheck funds =
      services_.reserve_funds(record.transaction_id, payment->account, record.merchant,
                              record.amount, record.currency, record.expires);
  if (auto reason = funds_refusal(funds)) return refuse(std::move(record), *reason, now);

  ConfirmationRequest confirmation;
  confirmation.message_id = ids_.new_id();
  confirmation.transaction_id = record.transaction_id;
  confirmation.purchase_id = record.purchase_id;
  confirmation.merchant_order_ref = record.merchant_order_ref;
  confirmation.merchant = record.merchant;
  confirmation.amount = record.amount;
  confirmation.currency = record.currency;
  confirmation.order_hash = record.order_hash;
  confirmation.expires = record.expires;
  confirmation.timestamp = now;
  record.state = TransactionState::kPending;
  record.confirmation_request = encode(confirmation);
  store_.insert(record);

  Handled handled;
  handled.actions.push_back(
      SendMessage{*record.customer, MessageType::kConfirmationRequest, record.confirmation_request});
  return handled;
}

Handled GatewayMachine::on_confirmation_ack(std::string_view signer, const ConfirmationAck& ack,
                                            UtcTime now) {
  auto record = store_.find_by_id(ack.transaction_id);
  if (!record) return error(404, "no transaction with this transaction_id");
  if (!record->customer || *record->customer != signer) {
    return error(403, "the confirmation ack's signer is not the transaction's customer");
  }
  if (ack.purchase_id != record->purchase_id) {
    return error(400, "purchase_id differs from the transaction's");
  }
  if (record->confirmation_request.empty() ||
      ack.confirmation_request_hash != sha256(record->confirmation_request)) {
    return error(400, "confirmation_request_hash does not match the confirmation request sent");
  }

  Handled handled;
  if (record->state != TransactionState::kPending) {
    // A duplicate or late ack: the decision is final and is sent again.
    repeat_outcome(*record, signer, now, handled.actions);
    return handled;
  }
  // The deadline is checked here, whether or not expire_due has run.
  if (now >= record->expires) {
    fail_pending(*record, TransactionState::kExpired, ReasonCode::kExpired, now, handled.actions);
    return handled;
  }
  if (ack.decision == Decision::kDecline) {
    fail_pending(*record, TransactionState::kDeclined, ReasonCode::kDeclined, now,
                 handled.actions);
    return handled;
  }
  record->state = TransactionState::kSettled;
  record->updated_at = now;
  store_.update(*record);
  handled.actions.push_back(PostTransfer{record->transaction_id});
  send_receipts(*record, handled.actions);
  return handled;
}

Handled GatewayMachine::on_abort_request(std::string_view signer, const AbortRequest& request,
                                         UtcTime now) {
  if (request.merchant != signer) {
    return error(403, "the abort request's merchant is not its signer");
  }
  AbortAnswer answer;
  answer.message_id = ids_.new_id();
  answer.in_reply_to = request.message_id;
  answer.purchase_id = request.purchase_id;
  answer.merchant_order_ref = request.merchant_order_ref;
  answer.merchant = request.merchant;
  answer.timestamp = now;

  Handled handled;
  auto record = store_.find_by_order_ref(request.merchant, request.merchant_order_ref);
  if (!record) {
    // Remembered so that a request still on its way is refused on arrival.
    if (!store_.abort_remembered(request.merchant, request.merchant_order_ref)) {
      store_.remember_abort(request.merchant, request.merchant_order_ref);
    }
    answer.state = TransactionState::kAborted;
  } else {
    if (record->purchase_id != request.purchase_id) {
      return error(400, "purchase_id differs from the transaction's");
    }
    if (record->state == TransactionState::kPending) {
      fail_pending(*record, TransactionState::kAborted, ReasonCode::kAborted, now,
                   handled.actions);
    }
    answer.transaction_id = record->transaction_id;
    answer.state = record->state;
  }
  handled.actions.push_back(
      SendMessage{request.merchant, MessageType::kAbortAnswer, encode(answer)});
  return handled;
}

Handled GatewayMachine::on_state_inquiry(std::string_view signer, const StateInquiry& inquiry,
                                         UtcTime now) {
  std::optional<GatewayRecord> record;
  if (inquiry.transaction_id) {
    record = store_.find_by_id(*inquiry.transaction_id);
  } else if (inquiry.purchase_id) {
    record = store_.find_by_purchase(signer, *inquiry.purchase_id);
  } else if (inquiry.merchant_order_ref) {
    record = store_.find_by_order_ref(signer, *inquiry.merchant_order_ref);
  }
  // Only the transaction's customer and merchant learn about it.
  if (record && record->merchant != signer && record->customer != signer) record.reset();

  StateAnswer answer;
  answer.message_id = ids_.new_id();
  answer.in_reply_to = inquiry.message_id;
  answer.timestamp = now;
  if (!record) {
    answer.state = TransactionState::kUnknown;
    answer.purchase_id = inquiry.purchase_id;
    answer.merchant_order_ref = inquiry.merchant_order_ref;
  } else {
    answer.state = record->state;
    answer.transaction_id = record->transaction_id;
    answer.purchase_id = record->purchase_id;
    answer.merchant_order_ref = record->merchant_order_ref;
    answer.merchant = record->merchant;
    answer.amount = record->amount;
    answer.currency = record->currency;
    if (record->state == TransactionState::kPending) answer.expires = record->expires;
    if (record->state != TransactionState::kPending &&
        record->state != TransactionState::kSettled) {
      answer.reason = record->reason;
    }
  }
  Handled handled;
  handled.actions.push_back(
      SendMessage{std::string(signer), MessageType::kStateAnswer, encode(answer)});
  return handled;
}

std::vector<Action> GatewayMachine::expire_due(UtcTime now) {
  std::vector<Action> actions;
  for (GatewayRecord& record : store_.pending_due(now)) {
    fail_pending(record, TransactionState::kExpired, ReasonCode::kExpired, now, actions);
  }
  return actions;
}

Handled GatewayMachine::refuse(GatewayRecord record, ReasonCode reason, UtcTime now) {
  record.state = TransactionState::kRefused;
  record.reason = reason;
  record.updated_at = now;
  store_.insert(record);
  Handled handled;
  send_notices(record, now, handled.actions);
  return handled;
}

void GatewayMachine::fail_pending(GatewayRecord& record, TransactionState state, ReasonCode reason,
                                  UtcTime now, std::vector<Action>& actions) {
  record.state = state;
  record.reason = reason;
  record.updated_at = now;
  store_.update(record);
  actions.push_back(VoidTransfer{record.transaction_id});
  send_notices(record, now, actions);
}

void GatewayMachine::repeat_outcome(const GatewayRecord& record, std::string_view to, UtcTime now,
                                    std::vector<Action>& actions) {
  if (record.state == TransactionState::kPending) {
    // The stored bytes, so that H(CR) stays the same.
    actions.push_back(SendMessage{*record.customer, MessageType::kConfirmationRequest,
                                  record.confirmation_request});
    return;
  }
  if (record.state == TransactionState::kSettled) {
    actions.push_back(
        SendMessage{std::string(to), MessageType::kReceipt, encode(receipt_for(record))});
    return;
  }
  actions.push_back(
      SendMessage{std::string(to), MessageType::kFailureNotice, encode(notice_for(record, now))});
}

FailureNotice GatewayMachine::notice_for(const GatewayRecord& record, UtcTime now) {
  FailureNotice notice;
  notice.message_id = ids_.new_id();
  notice.issuer = Issuer::kGateway;
  notice.transaction_id = record.transaction_id;
  notice.purchase_id = record.purchase_id;
  notice.merchant_order_ref = record.merchant_order_ref;
  notice.merchant = record.merchant;
  notice.amount = record.amount;
  notice.currency = record.currency;
  notice.reason = record.reason.value_or(ReasonCode::kAborted);
  notice.timestamp = now;
  return notice;
}

void GatewayMachine::send_notices(const GatewayRecord& record, UtcTime now,
                                  std::vector<Action>& actions) {
  const std::string bytes = encode(notice_for(record, now));
  if (record.customer) {
    actions.push_back(SendMessage{*record.customer, MessageType::kFailureNotice, bytes});
  }
  actions.push_back(SendMessage{record.merchant, MessageType::kFailureNotice, bytes});
}

Receipt GatewayMachine::receipt_for(const GatewayRecord& record) {
  return Receipt{ids_.new_id(),    record.transaction_id,     record.purchase_id,
                 record.merchant_order_ref, record.merchant, record.amount,
                 record.currency,  record.order_hash,         record.updated_at};
}

void GatewayMachine::send_receipts(const GatewayRecord& record, std::vector<Action>& actions) {
  const std::string bytes = encode(receipt_for(record));
  actions.push_back(SendMessage{*record.customer, MessageType::kReceipt, bytes});
  actions.push_back(SendMessage{record.merchant, MessageType::kReceipt, bytes});
}

}  // namespace sippay::payment
