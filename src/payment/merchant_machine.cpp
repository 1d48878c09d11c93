#include "payment/merchant_machine.hpp"

#include "payment/dual_signature.hpp"
#include "payment/message_codec.hpp"
#include "payment/reason_code.hpp"

namespace sippay::payment {
namespace {

Handled error(int status, std::string reason) { return {status, std::move(reason), {}, {}}; }

}  // namespace

Handled MerchantMachine::on_purchase(const std::optional<PurchaseCredentials>& credentials,
                                     const std::optional<Purchase>& purchase, UtcTime now) {
  // Without credentials the body stays unread: the answer costs no crypto.
  if (!credentials || !purchase) return challenge(now);
  const auto order = decode<Order>(purchase->order);
  if (!order) return error(400, "order: " + order.error().to_string());

  if (auto held = store_.find_by_purchase(purchase->purchase_id)) {
    const DualSignatureCheck signature = services_.verify_dual_signature(purchase->dual_signature);
    if (signature.status != DualSignatureCheck::Status::kValid ||
        signature.signer != held->customer) {
      return error(403, "purchase_id is held for another customer");
    }
    return repeat(*held, signature.signer);
  }

  if (credentials->realm != config_.realm || credentials->purchase_id != purchase->purchase_id) {
    return challenge(now);
  }
  if (credentials->nonce != order->merchant_nonce) {
    return error(400, "the Authorization nonce differs from the order's merchant_nonce");
  }
  if (!services_.consume_nonce(credentials->nonce, now)) return challenge(now);

  const DualSignatureCheck signature = services_.verify_dual_signature(purchase->dual_signature);
  if (signature.status == DualSignatureCheck::Status::kInvalid || signature.signer.empty()) {
    return error(403, "the dual signature is invalid");
  }
  MerchantRecord record;
  record.purchase_id = purchase->purchase_id;
  record.customer = signature.signer;
  record.item_id = order->item_id;
  record.quantity = order->quantity;
  record.amount = order->amount;
  record.currency = order->currency;
  if (signature.status == DualSignatureCheck::Status::kRevoked) {
    // No notice can be enveloped for a revoked certificate, so the refusal
    // goes back in the SIP response. Nothing is recorded or reserved.
    return error(403, std::string(reason_info(ReasonCode::kCertificateRevoked).customer_text));
  }
  // Rebuilt from the OI bytes as received and H(PI) as the customer gave it.
  if (signature.content !=
      dual_signature_input(sha256(purchase->order), purchase->payment_information_hash)) {
    return refuse(std::move(record), ReasonCode::kDualSignatureInvalid, now);
  }
  if (order->merchant != config_.uri) {
    return refuse(std::move(record), ReasonCode::kWrongMerchant, now);
  }
  if (order->timestamp < now - config_.order_clock_window ||
      order->timestamp > now + config_.order_clock_window) {
    return refuse(std::move(record), ReasonCode::kStaleOrder, now);
  }
  const auto item = services_.find_item(order->item_id);
  if (!item) return refuse(std::move(record), ReasonCode::kUnknownItem, now);
  if (item->unit_price != order->unit_price || item->currency != order->currency) {
    return refuse(std::move(record), ReasonCode::kPriceMismatch, now);
  }

  const std::string order_ref = ids_.new_id();
  record.reservation_deadline = now + config_.reservation_timeout;
  if (!services_.reserve_stock(order_ref, order->item_id, order->quantity,
                               record.reservation_deadline)) {
    return refuse(std::move(record), ReasonCode::kSoldOut, now);
  }
  record.merchant_order_ref = order_ref;
  record.state = MerchantState::kForwarded;
  store_.insert(record);

  PaymentRequest request;
  request.message_id = ids_.new_id();
  request.purchase_id = purchase->purchase_id;
  request.merchant = config_.uri;
  request.merchant_order_ref = order_ref;
  request.order_hash = sha256(purchase->order);
  request.amount = order->amount;
  request.currency = order->currency;
  request.payment_envelope = purchase->payment_envelope;
  request.timestamp = now;

  Handled handled;
  handled.headers.emplace_back("Authentication-Info",
                               format_next_nonce(services_.issue_nonce(now)));
  handled.actions.push_back(
      SendMessage{config_.gateway, MessageType::kPaymentRequest, encode(request)});
  return handled;
}

Handled MerchantMachine::on_receipt(std::string_view signer, const Receipt& receipt) {
  if (signer != config_.gateway) return error(403, "receipts come only from the gateway");
  auto record = store_.find_by_order_ref(receipt.merchant_order_ref);
  if (!record) return error(404, "no order with this merchant_order_ref");
  Handled handled;
  // NOTE: a receipt for an order already released would mean the gateway
  // broke its own rules; it is acknowledged and changes nothing here.
  if (record->state == MerchantState::kForwarded) {
    finish(*record, true, receipt.transaction_id, handled.actions);
  }
  return handled;
}

Handled MerchantMachine::on_failure_notice(std::string_view signer, const FailureNotice& notice) {
  if (signer != config_.gateway || notice.issuer != Issuer::kGateway) {
    return error(403, "failure notices about orders come only from the gateway");
  }
  auto record = store_.find_by_order_ref(notice.merchant_order_ref.value_or(""));
  if (!record) return error(404, "no order with this merchant_order_ref");
  Handled handled;
  if (record->state == MerchantState::kForwarded) {
    record->reason = notice.reason;
    finish(*record, false, notice.transaction_id, handled.actions);
  }
  return handled;
}

Handled MerchantMachine::on_abort_answer(std::string_view signer, const AbortAnswer& answer) {
  if (signer != config_.gateway) return error(403, "abort answers come only from the gateway");
  auto record = store_.find_by_order_ref(answer.merchant_order_ref);
  if (!record) return error(404, "no order with this merchant_order_ref");
  Handled handled;
  if (record->state == MerchantState::kForwarded) {
    finish(*record, answer.state == TransactionState::kSettled, answer.transaction_id,
           handled.actions);
  }
  return handled;
}

std::vector<Action> MerchantMachine::request_due_aborts(UtcTime now) {
  std::vector<Action> actions;
  for (MerchantRecord& record : store_.forwarded_due(now)) {
    AbortRequest request{ids_.new_id(), config_.uri, *record.merchant_order_ref,
                         record.purchase_id, now};
    record.abort_message_id = request.message_id;
    store_.update(record);
    actions.push_back(SendMessage{config_.gateway, MessageType::kAbortRequest, encode(request)});
  }
  return actions;
}

Handled MerchantMachine::challenge(UtcTime now) {
  Handled handled = error(401, "a SipPay merchant nonce is required");
  handled.headers.emplace_back("WWW-Authenticate",
                               format_challenge({config_.realm, services_.issue_nonce(now)}));
  return handled;
}

Handled MerchantMachine::repeat(const MerchantRecord& record, std::string_view signer) {
  Handled handled;
  // A forwarded purchase is in the outbox already; a refused one gets its
  // notice again, since the first may be what was lost.
  if (record.state == MerchantState::kRefused) {
    handled.actions.push_back(
        SendMessage{std::string(signer), MessageType::kFailureNotice, record.notice});
  }
  return handled;
}

Handled MerchantMachine::refuse(MerchantRecord record, ReasonCode reason, UtcTime now) {
  FailureNotice notice;
  notice.message_id = ids_.new_id();
  notice.issuer = Issuer::kMerchant;
  notice.purchase_id = record.purchase_id;
  notice.merchant = config_.uri;
  notice.amount = record.amount;
  notice.currency = record.currency;
  notice.reason = reason;
  notice.next_nonce = services_.issue_nonce(now);
  notice.timestamp = now;

  record.state = MerchantState::kRefused;
  record.reason = reason;
  record.notice = encode(notice);
  store_.insert(record);

  Handled handled;
  handled.actions.push_back(
      SendMessage{record.customer, MessageType::kFailureNotice, record.notice});
  return handled;
}

void MerchantMachine::finish(MerchantRecord& record, bool settled,
                             std::optional<std::string> transaction_id,
                             std::vector<Action>& actions) {
  record.state = settled ? MerchantState::kSettled : MerchantState::kReleased;
  record.transaction_id = std::move(transaction_id);
  store_.update(record);
  if (settled) {
    actions.push_back(DeliverOrder{*record.merchant_order_ref});
  } else {
    actions.push_back(ReleaseStock{*record.merchant_order_ref});
  }
}

}  // namespace sippay::payment
