// The payment protocol's messages as plain data. docs/protocol.md specifies
// each one: its JSON members in this order, their rules, who sends it to whom
// and inside which CMS wrapping. message_codec.hpp encodes and decodes them.
//
// Optional members are std::optional here and JSON null on the wire: every
// member is always present, so a message with a member missing is invalid.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "payment/encoding.hpp"
#include "payment/reason_code.hpp"
#include "payment/utc_time.hpp"

namespace sippay::payment {

// The value of every message's "type" member.
enum class MessageType : unsigned char {
  kOrder,                // OI
  kPayment,              // PI
  kPaymentBundle,        // the plaintext inside Env_PG: PI and DS
  kPurchase,             // the plaintext inside Env_M: OI, H(PI), DS, Env_PG
  kPaymentRequest,       // merchant to gateway
  kConfirmationRequest,  // CR, gateway to customer
  kConfirmationAck,      // CA, customer to gateway
  kReceipt,              // gateway to customer and merchant
  kFailureNotice,        // gateway to customer and merchant, or merchant to customer
  kAbortRequest,         // merchant to gateway
  kAbortAnswer,          // gateway to merchant
  kStateInquiry,         // customer or merchant to gateway
  kStateAnswer,          // gateway to customer or merchant
  kHistoryInquiry,       // customer or merchant to gateway
  kHistoryAnswer,        // gateway to customer or merchant
};

enum class Decision : unsigned char { kAccept, kDecline };

enum class Issuer : unsigned char { kMerchant, kGateway };

// A gateway transaction's state. kUnknown appears only in a state answer
// about a transaction the gateway has no record of.
enum class TransactionState : unsigned char {
  kPending,   // funds reserved, waiting for the customer's confirmation
  kSettled,   // transfer posted
  kRefused,   // verification failed; never posted
  kDeclined,  // the customer declined
  kExpired,   // no confirmation before the deadline
  kAborted,   // the merchant aborted
  kUnknown,
};

// Order information (OI): what the customer buys. The merchant reads it;
// the gateway receives only its hash.
struct Order {
  static constexpr MessageType kType = MessageType::kOrder;
  std::string purchase_id;
  std::string merchant;  // the merchant's SIP URI
  std::string merchant_nonce;
  std::string item_id;
  std::int64_t quantity = 0;
  std::int64_t unit_price = 0;  // minor units
  std::int64_t amount = 0;      // minor units, unit_price * quantity
  std::string currency;         // ISO 4217 alphabetic code
  UtcTime timestamp{};

  bool operator==(const Order&) const = default;
};

// Payment information (PI): how the customer pays. Only the gateway reads
// it. Contains the PIN: never log it.
struct PaymentInformation {
  static constexpr MessageType kType = MessageType::kPayment;
  std::string purchase_id;
  std::string account;  // the customer's account id at the gateway
  std::string pin;
  std::string merchant;
  std::int64_t amount = 0;
  std::string currency;
  UtcTime timestamp{};

  bool operator==(const PaymentInformation&) const = default;
};

// The plaintext of Env_PG(PI, DS).
struct PaymentBundle {
  static constexpr MessageType kType = MessageType::kPaymentBundle;
  std::string payment_information;  // the exact PI bytes
  std::string dual_signature;       // DS: CMS SignedData (DER) by the customer

  bool operator==(const PaymentBundle&) const = default;
};

// The plaintext of the purchase request Env_M(...), customer to merchant.
struct Purchase {
  static constexpr MessageType kType = MessageType::kPurchase;
  std::string message_id;
  std::string purchase_id;
  std::string order;  // the exact OI bytes
  Sha256Digest payment_information_hash{};
  std::string dual_signature;    // DS, as inside the bundle
  std::string payment_envelope;  // Env_PG(bundle): CMS (DER), opaque to the merchant

  bool operator==(const Purchase&) const = default;
};

// Merchant to gateway, signed by the merchant.
struct PaymentRequest {
  static constexpr MessageType kType = MessageType::kPaymentRequest;
  std::string message_id;
  std::string purchase_id;
  std::string merchant;
  std::string merchant_order_ref;
  Sha256Digest order_hash{};  // H(OI)
  std::int64_t amount = 0;
  std::string currency;
  std::string payment_envelope;  // copied unchanged from the purchase
  UtcTime timestamp{};

  bool operator==(const PaymentRequest&) const = default;
};

// Confirmation request (CR), gateway to customer, signed by the gateway.
struct ConfirmationRequest {
  static constexpr MessageType kType = MessageType::kConfirmationRequest;
  std::string message_id;
  std::string transaction_id;
  std::string purchase_id;
  std::string merchant_order_ref;
  std::string merchant;
  std::int64_t amount = 0;
  std::string currency;
  Sha256Digest order_hash{};
  UtcTime expires{};  // the confirmation must reach the gateway before this
  UtcTime timestamp{};

  bool operator==(const ConfirmationRequest&) const = default;
};

// Confirmation ack (CA), customer to gateway, signed by the customer.
struct ConfirmationAck {
  static constexpr MessageType kType = MessageType::kConfirmationAck;
  std::string message_id;
  std::string transaction_id;
  std::string purchase_id;
  Decision decision = Decision::kDecline;
  Sha256Digest confirmation_request_hash{};  // H(CR) over the exact CR bytes
  UtcTime timestamp{};

  bool operator==(const ConfirmationAck&) const = default;
};

// Gateway to customer and merchant after posting, signed by the gateway.
struct Receipt {
  static constexpr MessageType kType = MessageType::kReceipt;
  std::string message_id;
  std::string transaction_id;
  std::string purchase_id;
  std::string merchant_order_ref;
  std::string merchant;
  std::int64_t amount = 0;
  std::string currency;
  Sha256Digest order_hash{};
  UtcTime settled_at{};

  bool operator==(const Receipt&) const = default;
};

// A purchase ended without payment. A gateway notice names all three ids.
// A merchant notice has no transaction id, because the purchase never
// reached the gateway, and may have no order ref.
struct FailureNotice {
  static constexpr MessageType kType = MessageType::kFailureNotice;
  std::string message_id;
  Issuer issuer = Issuer::kGateway;
  std::optional<std::string> transaction_id;
  std::string purchase_id;
  std::optional<std::string> merchant_order_ref;
  std::string merchant;
  std::int64_t amount = 0;
  std::string currency;
  ReasonCode reason = ReasonCode::kWrongPin;
  std::optional<std::string> detail;      // human-readable, for logs and the user
  std::optional<std::string> next_nonce;  // merchant notices only: a fresh merchant nonce
  UtcTime timestamp{};

  bool operator==(const FailureNotice&) const = default;
};

// Merchant to gateway when its reservation deadline passes.
struct AbortRequest {
  static constexpr MessageType kType = MessageType::kAbortRequest;
  std::string message_id;
  std::string merchant;
  std::string merchant_order_ref;
  std::string purchase_id;
  UtcTime timestamp{};

  bool operator==(const AbortRequest&) const = default;
};

// Gateway to merchant: the transaction's final state after the abort.
// kAborted with no transaction id means the gateway recorded the abort before
// any request for the order ref arrived.
struct AbortAnswer {
  static constexpr MessageType kType = MessageType::kAbortAnswer;
  std::string message_id;
  std::string in_reply_to;  // the abort request's message_id
  std::optional<std::string> transaction_id;
  std::string purchase_id;
  std::string merchant_order_ref;
  std::string merchant;
  TransactionState state = TransactionState::kAborted;  // final: never pending or unknown
  UtcTime timestamp{};

  bool operator==(const AbortAnswer&) const = default;
};

// Customer or merchant to gateway: the state of one transaction, named by
// at least one of the three ids.
struct StateInquiry {
  static constexpr MessageType kType = MessageType::kStateInquiry;
  std::string message_id;
  std::optional<std::string> transaction_id;
  std::optional<std::string> purchase_id;
  std::optional<std::string> merchant_order_ref;
  UtcTime timestamp{};

  bool operator==(const StateInquiry&) const = default;
};

struct StateAnswer {
  static constexpr MessageType kType = MessageType::kStateAnswer;
  std::string message_id;
  std::string in_reply_to;
  TransactionState state = TransactionState::kUnknown;
  // Null exactly when state is kUnknown.
  std::optional<std::string> transaction_id;
  std::optional<std::string> purchase_id;
  std::optional<std::string> merchant_order_ref;
  std::optional<std::string> merchant;
  std::optional<std::int64_t> amount;
  std::optional<std::string> currency;
  std::optional<ReasonCode> reason;  // set exactly for refused, declined, expired, aborted
  std::optional<UtcTime> expires;    // set exactly for pending
  UtcTime timestamp{};

  bool operator==(const StateAnswer&) const = default;
};

struct HistoryInquiry {
  static constexpr MessageType kType = MessageType::kHistoryInquiry;
  std::string message_id;
  std::optional<std::string> cursor;  // next_cursor of the previous answer; null for the newest
  std::int64_t limit = 0;
  UtcTime timestamp{};

  bool operator==(const HistoryInquiry&) const = default;
};

struct HistoryEntry {
  std::string transaction_id;
  std::string purchase_id;
  std::string merchant_order_ref;
  std::string merchant;
  std::int64_t amount = 0;
  std::string currency;
  TransactionState state = TransactionState::kPending;  // never kUnknown
  UtcTime created_at{};
  UtcTime updated_at{};

  bool operator==(const HistoryEntry&) const = default;
};

// Newest first.
struct HistoryAnswer {
  static constexpr MessageType kType = MessageType::kHistoryAnswer;
  std::string message_id;
  std::string in_reply_to;
  std::vector<HistoryEntry> entries;
  std::optional<std::string> next_cursor;  // null on the last page
  UtcTime timestamp{};

  bool operator==(const HistoryAnswer&) const = default;
};

}  // namespace sippay::payment
