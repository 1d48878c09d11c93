#include "payment/reason_code.hpp"

namespace sippay::payment {
namespace {

using enum ReasonCode;

constexpr ReasonInfo kReasons[] = {
    {kUnknownItem, "unknown-item", true, false, "The merchant does not sell this item."},
    {kSoldOut, "sold-out", true, false, "The item is sold out."},
    {kPriceMismatch, "price-mismatch", true, false,
     "The price differs from the merchant's current price."},
    {kInvalidQuantity, "invalid-quantity", true, false,
     "The merchant does not accept this quantity."},
    {kWrongMerchant, "wrong-merchant", true, false, "The order names another merchant."},
    {kStaleOrder, "stale-order", true, false,
     "The order's timestamp is too far from the merchant's clock; check the phone's clock."},
    {kDualSignatureInvalid, "dual-signature-invalid", true, true,
     "The order or payment details were altered on the way."},
    {kCertificateRevoked, "certificate-revoked", true, true,
     "Your certificate is revoked; contact your operator."},
    {kWrongPin, "wrong-pin", false, true, "The PIN is wrong."},
    {kPinLocked, "pin-locked", false, true,
     "Too many wrong PINs: payments are locked; contact your operator."},
    {kInsufficientFunds, "insufficient-funds", false, true,
     "Your account's available balance is too low."},
    {kPaymentMismatch, "payment-mismatch", false, true,
     "The payment details do not match the merchant's request."},
    {kUnknownAccount, "unknown-account", false, true, "The gateway has no such account."},
    {kAccountFrozen, "account-frozen", false, true,
     "Your account is frozen; contact your operator."},
    {kUnsupportedCurrency, "unsupported-currency", false, true,
     "The gateway does not handle this currency."},
    {kPurchaseIdReused, "purchase-id-reused", false, true,
     "This purchase id was already used for a different payment."},
    {kDeclined, "declined", false, true, "You declined the payment."},
    {kExpired, "expired", false, true, "The confirmation arrived after the deadline."},
    {kAborted, "aborted", false, true, "The merchant cancelled the purchase."},
};

}  // namespace

std::span<const ReasonInfo> reason_codes() { return kReasons; }

const ReasonInfo& reason_info(ReasonCode code) { return kReasons[static_cast<std::size_t>(code)]; }

std::string_view to_string(ReasonCode code) { return reason_info(code).name; }

std::optional<ReasonCode> parse_reason_code(std::string_view name) {
  for (const ReasonInfo& info : kReasons) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

}  // namespace sippay::payment
