// Reason codes of failure notices: why a purchase ended without payment.
// docs/protocol.md lists each code with who may send it and the text the
// customer is shown.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace sippay::payment {

enum class ReasonCode : unsigned char {
  // Sent by the merchant, before the purchase reaches the gateway.
  kUnknownItem,
  kSoldOut,
  kPriceMismatch,
  kInvalidQuantity,
  kWrongMerchant,
  kStaleOrder,
  // Sent by either.
  kDualSignatureInvalid,
  kCertificateRevoked,
  // Sent by the gateway.
  kWrongPin,
  kPinLocked,
  kInsufficientFunds,
  kPaymentMismatch,
  kUnknownAccount,
  kAccountFrozen,
  kUnsupportedCurrency,
  kPurchaseIdReused,
  kDeclined,
  kExpired,
  kAborted,
};

struct ReasonInfo {
  ReasonCode code;
  std::string_view name;  // the wire form, e.g. "wrong-pin"
  bool merchant_may_send;
  bool gateway_may_send;
  std::string_view customer_text;  // one sentence for the customer's screen
};

// Every reason code, in enum order.
std::span<const ReasonInfo> reason_codes();

const ReasonInfo& reason_info(ReasonCode code);
std::string_view to_string(ReasonCode code);
std::optional<ReasonCode> parse_reason_code(std::string_view name);

}  // namespace sippay::payment
