// Valid sample messages for the payment library's tests: one purchase whose
// parts agree with each other.
#pragma once

#include <chrono>

#include "payment/message_codec.hpp"
#include "payment/messages.hpp"

namespace sippay::payment::testing {

inline UtcTime sample_time() {
  return std::chrono::sys_days(std::chrono::year(2026) / 12 / 5) + std::chrono::hours(1) +
         std::chrono::minutes(2) + std::chrono::seconds(3);
}

inline constexpr const char* kPurchaseId = "pid-0123456789abcdef";
inline constexpr const char* kMerchant = "sip:shop@merchant.example";
inline constexpr const char* kOrderRef = "ORD-1";
inline constexpr const char* kTransactionId = "txn-0123456789abcdef";

inline Order sample_order() {
  Order order;
  order.purchase_id = kPurchaseId;
  order.merchant = kMerchant;
  order.merchant_nonce = "nonce-0123456789abcdef";
  order.item_id = "coffee-beans";
  order.quantity = 2;
  order.unit_price = 1250;
  order.amount = 2500;
  order.currency = "EUR";
  order.timestamp = sample_time();
  return order;
}

inline PaymentInformation sample_payment() {
  PaymentInformation payment;
  payment.purchase_id = kPurchaseId;
  payment.account = "alice";
  payment.pin = "1234";
  payment.merchant = kMerchant;
  payment.amount = 2500;
  payment.currency = "EUR";
  payment.timestamp = sample_time();
  return payment;
}

inline PaymentBundle sample_bundle() {
  return {encode(sample_payment()), std::string("\x30\x82\x01\x00 signed-data", 15)};
}

inline Purchase sample_purchase() {
  Purchase purchase;
  purchase.message_id = "msg-purchase-000001";
  purchase.purchase_id = kPurchaseId;
  purchase.order = encode(sample_order());
  purchase.payment_information_hash = sha256(encode(sample_payment()));
  purchase.dual_signature = std::string("\x30\x82 signature", 12);
  purchase.payment_envelope = std::string("\x30\x82 envelope", 11);
  return purchase;
}

inline PaymentRequest sample_payment_request() {
  PaymentRequest request;
  request.message_id = "msg-request-0000001";
  request.purchase_id = kPurchaseId;
  request.merchant = kMerchant;
  request.merchant_order_ref = kOrderRef;
  request.order_hash = sha256(encode(sample_order()));
  request.amount = 2500;
  request.currency = "EUR";
  request.payment_envelope = std::string("\x30\x82 envelope", 11);
  request.timestamp = sample_time();
  return request;
}

inline ConfirmationRequest sample_confirmation_request() {
  ConfirmationRequest request;
  request.message_id = "msg-confirm-0000001";
  request.transaction_id = kTransactionId;
  request.purchase_id = kPurchaseId;
  request.merchant_order_ref = kOrderRef;
  request.merchant = kMerchant;
  request.amount = 2500;
  request.currency = "EUR";
  request.order_hash = sha256(encode(sample_order()));
  request.expires = sample_time() + std::chrono::minutes(5);
  request.timestamp = sample_time();
  return request;
}

inline ConfirmationAck sample_confirmation_ack() {
  ConfirmationAck ack;
  ack.message_id = "msg-ack-00000000001";
  ack.transaction_id = kTransactionId;
  ack.purchase_id = kPurchaseId;
  ack.decision = Decision::kAccept;
  ack.confirmation_request_hash = sha256(encode(sample_confirmation_request()));
  ack.timestamp = sample_time();
  return ack;
}

inline Receipt sample_receipt() {
  Receipt receipt;
  receipt.message_id = "msg-receipt-0000001";
  receipt.transaction_id = kTransactionId;
  receipt.purchase_id = kPurchaseId;
  receipt.merchant_order_ref = kOrderRef;
  receipt.merchant = kMerchant;
  receipt.amount = 2500;
  receipt.currency = "EUR";
  receipt.order_hash = sha256(encode(sample_order()));
  receipt.settled_at = sample_time();
  return receipt;
}

inline FailureNotice sample_gateway_notice() {
  FailureNotice notice;
  notice.message_id = "msg-notice-00000001";
  notice.issuer = Issuer::kGateway;
  notice.transaction_id = kTransactionId;
  notice.purchase_id = kPurchaseId;
  notice.merchant_order_ref = kOrderRef;
  notice.merchant = kMerchant;
  notice.amount = 2500;
  notice.currency = "EUR";
  notice.reason = ReasonCode::kInsufficientFunds;
  notice.detail = "available 10.00 EUR, need 25.00 EUR";
  notice.timestamp = sample_time();
  return notice;
}

inline FailureNotice sample_merchant_notice() {
  FailureNotice notice = sample_gateway_notice();
  notice.issuer = Issuer::kMerchant;
  notice.transaction_id.reset();
  notice.merchant_order_ref.reset();
  notice.reason = ReasonCode::kSoldOut;
  notice.detail.reset();
  notice.next_nonce = "nonce-next-0123456789";
  return notice;
}

inline AbortRequest sample_abort_request() {
  return {"msg-abort-000000001", kMerchant, kOrderRef, kPurchaseId, sample_time()};
}

inline AbortAnswer sample_abort_answer() {
  return {"msg-abort-answer-01", "msg-abort-000000001", std::string(kTransactionId),
          kPurchaseId,           kOrderRef,             kMerchant,
          TransactionState::kAborted, sample_time()};
}

inline StateInquiry sample_state_inquiry() {
  return {"msg-inquiry-0000001", std::nullopt, std::string(kPurchaseId), std::nullopt,
          sample_time()};
}

inline StateAnswer sample_state_answer() {
  StateAnswer answer;
  answer.message_id = "msg-state-000000001";
  answer.in_reply_to = "msg-inquiry-0000001";
  answer.state = TransactionState::kPending;
  answer.transaction_id = kTransactionId;
  answer.purchase_id = kPurchaseId;
  answer.merchant_order_ref = kOrderRef;
  answer.merchant = kMerchant;
  answer.amount = 2500;
  answer.currency = "EUR";
  answer.expires = sample_time() + std::chrono::minutes(5);
  answer.timestamp = sample_time();
  return answer;
}

inline HistoryInquiry sample_history_inquiry() {
  return {"msg-history-0000001", std::nullopt, 20, sample_time()};
}

inline HistoryEntry sample_history_entry() {
  return {kTransactionId, kPurchaseId, kOrderRef, kMerchant, 2500, "EUR",
          TransactionState::kSettled, sample_time(), sample_time() + std::chrono::seconds(30)};
}

inline HistoryAnswer sample_history_answer() {
  HistoryAnswer answer;
  answer.message_id = "msg-history-answer1";
  answer.in_reply_to = "msg-history-0000001";
  answer.entries = {sample_history_entry(), sample_history_entry()};
  answer.entries[1].transaction_id = "txn-fedcba9876543210";
  answer.entries[1].state = TransactionState::kRefused;
  answer.next_cursor = "cursor-2";
  answer.timestamp = sample_time();
  return answer;
}

}  // namespace sippay::payment::testing
