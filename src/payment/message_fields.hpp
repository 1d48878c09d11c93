// The schema of every message: its members in wire order with their rules.
// After "type" and "version", which message_codec.cpp handles, each
// Fields<T>::visit call names one member. docs/protocol.md shows the same
// tables.
//
// Internal to the payment library.
#pragma once

#include "payment/field_codec.hpp"
#include "payment/messages.hpp"

namespace sippay::payment {

template <>
struct Fields<Order> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.text("merchant", m.merchant, kSipUriRule);
    v.text("merchant_nonce", m.merchant_nonce, kNonceRule);
    v.text("item_id", m.item_id, kItemIdRule);
    v.integer("quantity", m.quantity, 1, kMaxQuantity);
    v.integer("unit_price", m.unit_price, 1, kMaxAmount);
    v.integer("amount", m.amount, 1, kMaxAmount);
    v.text("currency", m.currency, kCurrencyRule);
    v.time("timestamp", m.timestamp);
  }
};

template <>
struct Fields<PaymentInformation> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.text("account", m.account, kAccountRule);
    v.text("pin", m.pin, kPinRule);
    v.text("merchant", m.merchant, kSipUriRule);
    v.integer("amount", m.amount, 1, kMaxAmount);
    v.text("currency", m.currency, kCurrencyRule);
    v.time("timestamp", m.timestamp);
  }
};

template <>
struct Fields<PaymentBundle> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.bytes("payment_information", m.payment_information, kMaxPaymentInformationBytes);
    v.bytes("dual_signature", m.dual_signature, kMaxDualSignatureBytes);
  }
};

template <>
struct Fields<Purchase> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("message_id", m.message_id, kMessageIdRule);
    v.text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.bytes("order", m.order, kMaxOrderBytes);
    v.digest("payment_information_hash", m.payment_information_hash);
    v.bytes("dual_signature", m.dual_signature, kMaxDualSignatureBytes);
    v.bytes("payment_envelope", m.payment_envelope, kMaxPaymentEnvelopeBytes);
  }
};

template <>
struct Fields<PaymentRequest> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("message_id", m.message_id, kMessageIdRule);
    v.text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.text("merchant", m.merchant, kSipUriRule);
    v.text("merchant_order_ref", m.merchant_order_ref, kOrderRefRule);
    v.digest("order_hash", m.order_hash);
    v.integer("amount", m.amount, 1, kMaxAmount);
    v.text("currency", m.currency, kCurrencyRule);
    v.bytes("payment_envelope", m.payment_envelope, kMaxPaymentEnvelopeBytes);
    v.time("timestamp", m.timestamp);
  }
};

template <>
struct Fields<ConfirmationRequest> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("message_id", m.message_id, kMessageIdRule);
    v.text("transaction_id", m.transaction_id, kTransactionIdRule);
    v.text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.text("merchant_order_ref", m.merchant_order_ref, kOrderRefRule);
    v.text("merchant", m.merchant, kSipUriRule);
    v.integer("amount", m.amount, 1, kMaxAmount);
    v.text("currency", m.currency, kCurrencyRule);
    v.digest("order_hash", m.order_hash);
    v.time("expires", m.expires);
    v.time("timestamp", m.timestamp);
  }
};

template <>
struct Fields<ConfirmationAck> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("message_id", m.message_id, kMessageIdRule);
    v.text("transaction_id", m.transaction_id, kTransactionIdRule);
    v.text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.enumeration("decision", m.decision);
    v.digest("confirmation_request_hash", m.confirmation_request_hash);
    v.time("timestamp", m.timestamp);
  }
};

template <>
struct Fields<Receipt> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("message_id", m.message_id, kMessageIdRule);
    v.text("transaction_id", m.transaction_id, kTransactionIdRule);
    v.text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.text("merchant_order_ref", m.merchant_order_ref, kOrderRefRule);
    v.text("merchant", m.merchant, kSipUriRule);
    v.integer("amount", m.amount, 1, kMaxAmount);
    v.text("currency", m.currency, kCurrencyRule);
    v.digest("order_hash", m.order_hash);
    v.time("settled_at", m.settled_at);
  }
};

template <>
struct Fields<FailureNotice> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("message_id", m.message_id, kMessageIdRule);
    v.enumeration("issuer", m.issuer);
    v.optional_text("transaction_id", m.transaction_id, kTransactionIdRule);
    v.text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.optional_text("merchant_order_ref", m.merchant_order_ref, kOrderRefRule);
    v.text("merchant", m.merchant, kSipUriRule);
    v.integer("amount", m.amount, 1, kMaxAmount);
    v.text("currency", m.currency, kCurrencyRule);
    v.enumeration("reason", m.reason);
    v.optional_text("detail", m.detail, kDetailRule);
    v.optional_text("next_nonce", m.next_nonce, kNonceRule);
    v.time("timestamp", m.timestamp);
  }
};

template <>
struct Fields<AbortRequest> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("message_id", m.message_id, kMessageIdRule);
    v.text("merchant", m.merchant, kSipUriRule);
    v.text("merchant_order_ref", m.merchant_order_ref, kOrderRefRule);
    v.text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.time("timestamp", m.timestamp);
  }
};

template <>
struct Fields<AbortAnswer> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("message_id", m.message_id, kMessageIdRule);
    v.text("in_reply_to", m.in_reply_to, kMessageIdRule);
    v.optional_text("transaction_id", m.transaction_id, kTransactionIdRule);
    v.text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.text("merchant_order_ref", m.merchant_order_ref, kOrderRefRule);
    v.text("merchant", m.merchant, kSipUriRule);
    v.enumeration("state", m.state);
    v.time("timestamp", m.timestamp);
  }
};

template <>
struct Fields<StateInquiry> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("message_id", m.message_id, kMessageIdRule);
    v.optional_text("transaction_id", m.transaction_id, kTransactionIdRule);
    v.optional_text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.optional_text("merchant_order_ref", m.merchant_order_ref, kOrderRefRule);
    v.time("timestamp", m.timestamp);
  }
};

template <>
struct Fields<StateAnswer> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("message_id", m.message_id, kMessageIdRule);
    v.text("in_reply_to", m.in_reply_to, kMessageIdRule);
    v.enumeration("state", m.state);
    v.optional_text("transaction_id", m.transaction_id, kTransactionIdRule);
    v.optional_text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.optional_text("merchant_order_ref", m.merchant_order_ref, kOrderRefRule);
    v.optional_text("merchant", m.merchant, kSipUriRule);
    v.optional_integer("amount", m.amount, 1, kMaxAmount);
    v.optional_text("currency", m.currency, kCurrencyRule);
    v.optional_enumeration("reason", m.reason);
    v.optional_time("expires", m.expires);
    v.time("timestamp", m.timestamp);
  }
};

template <>
struct Fields<HistoryInquiry> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("message_id", m.message_id, kMessageIdRule);
    v.optional_text("cursor", m.cursor, kCursorRule);
    v.integer("limit", m.limit, 1, kMaxHistoryEntries);
    v.time("timestamp", m.timestamp);
  }
};

template <>
struct Fields<HistoryEntry> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("transaction_id", m.transaction_id, kTransactionIdRule);
    v.text("purchase_id", m.purchase_id, kPurchaseIdRule);
    v.text("merchant_order_ref", m.merchant_order_ref, kOrderRefRule);
    v.text("merchant", m.merchant, kSipUriRule);
    v.integer("amount", m.amount, 1, kMaxAmount);
    v.text("currency", m.currency, kCurrencyRule);
    v.enumeration("state", m.state);
    v.time("created_at", m.created_at);
    v.time("updated_at", m.updated_at);
  }
};

template <>
struct Fields<HistoryAnswer> {
  template <typename V, typename M>
  static void visit(V& v, M& m) {
    v.text("message_id", m.message_id, kMessageIdRule);
    v.text("in_reply_to", m.in_reply_to, kMessageIdRule);
    v.list("entries", m.entries, static_cast<std::size_t>(kMaxHistoryEntries));
    v.optional_text("next_cursor", m.next_cursor, kCursorRule);
    v.time("timestamp", m.timestamp);
  }
};

}  // namespace sippay::payment
