#include "payment/message_rules.hpp"

#include <fmt/format.h>

#include "payment/message_codec.hpp"
#include "payment/protocol_names.hpp"

namespace sippay::payment {
namespace {

std::optional<DecodeError> violation(std::string field, std::string message) {
  return DecodeError{std::move(field), std::move(message)};
}

// Prefixes the member path of an error found inside an embedded message.
DecodeError nested(std::string_view member, DecodeError error) {
  error.field = error.field.empty() ? std::string(member) : fmt::format("{}.{}", member, error.field);
  return error;
}

bool is_failure_state(TransactionState state) {
  return state == TransactionState::kRefused || state == TransactionState::kDeclined ||
         state == TransactionState::kExpired || state == TransactionState::kAborted;
}

}  // namespace

std::optional<DecodeError> check_message_rules(const Order& order) {
  // Both factors are bounded (kMaxQuantity, kMaxAmount), so the product fits.
  if (order.unit_price * order.quantity != order.amount) {
    return violation("amount", "must equal unit_price * quantity");
  }
  return std::nullopt;
}

std::optional<DecodeError> check_message_rules(const PaymentInformation&) { return std::nullopt; }

std::optional<DecodeError> check_message_rules(const PaymentBundle& bundle) {
  const auto payment = decode<PaymentInformation>(bundle.payment_information);
  if (!payment) return nested("payment_information", payment.error());
  return std::nullopt;
}

std::optional<DecodeError> check_message_rules(const Purchase& purchase) {
  const auto order = decode<Order>(purchase.order);
  if (!order) return nested("order", order.error());
  if (order->purchase_id != purchase.purchase_id) {
    return violation("purchase_id", "differs from the purchase_id of the order");
  }
  return std::nullopt;
}

std::optional<DecodeError> check_message_rules(const PaymentRequest&) { return std::nullopt; }

std::optional<DecodeError> check_message_rules(const ConfirmationRequest& request) {
  if (request.expires <= request.timestamp) return violation("expires", "must be after timestamp");
  return std::nullopt;
}

std::optional<DecodeError> check_message_rules(const ConfirmationAck&) { return std::nullopt; }

std::optional<DecodeError> check_message_rules(const Receipt&) { return std::nullopt; }

std::optional<DecodeError> check_message_rules(const FailureNotice& notice) {
  const ReasonInfo& reason = reason_info(notice.reason);
  if (notice.issuer == Issuer::kGateway) {
    if (!notice.transaction_id) return violation("transaction_id", "a gateway notice must set it");
    if (!notice.merchant_order_ref) {
      return violation("merchant_order_ref", "a gateway notice must set it");
    }
    if (notice.next_nonce) return violation("next_nonce", "only a merchant notice may set it");
    if (!reason.gateway_may_send) {
      return violation("reason", fmt::format("{} is not a gateway reason", reason.name));
    }
  } else {
    if (notice.transaction_id) {
      return violation("transaction_id", "a merchant notice must leave it null");
    }
    if (!reason.merchant_may_send) {
      return violation("reason", fmt::format("{} is not a merchant reason", reason.name));
    }
  }
  return std::nullopt;
}

std::optional<DecodeError> check_message_rules(const AbortRequest&) { return std::nullopt; }

std::optional<DecodeError> check_message_rules(const AbortAnswer& answer) {
  if (answer.state == TransactionState::kPending || answer.state == TransactionState::kUnknown) {
    return violation("state", "must be a final state");
  }
  if (!answer.transaction_id && answer.state != TransactionState::kAborted) {
    return violation("transaction_id", fmt::format("must be set for state {}",
                                                   to_string(answer.state)));
  }
  return std::nullopt;
}

std::optional<DecodeError> check_message_rules(const StateInquiry& inquiry) {
  if (!inquiry.transaction_id && !inquiry.purchase_id && !inquiry.merchant_order_ref) {
    return violation("", "a state inquiry must set transaction_id, purchase_id or "
                         "merchant_order_ref");
  }
  return std::nullopt;
}

std::optional<DecodeError> check_message_rules(const StateAnswer& answer) {
  const bool unknown = answer.state == TransactionState::kUnknown;
  if (unknown) {
    if (answer.transaction_id) return violation("transaction_id", "must be null for state unknown");
    if (answer.merchant) return violation("merchant", "must be null for state unknown");
    if (answer.amount) return violation("amount", "must be null for state unknown");
    if (answer.currency) return violation("currency", "must be null for state unknown");
  } else {
    const std::string_view state = to_string(answer.state);
    if (!answer.transaction_id) {
      return violation("transaction_id", fmt::format("must be set for state {}", state));
    }
    if (!answer.purchase_id) {
      return violation("purchase_id", fmt::format("must be set for state {}", state));
    }
    if (!answer.merchant_order_ref) {
      return violation("merchant_order_ref", fmt::format("must be set for state {}", state));
    }
    if (!answer.merchant) return violation("merchant", fmt::format("must be set for state {}", state));
    if (!answer.amount) return violation("amount", fmt::format("must be set for state {}", state));
    if (!answer.currency) return violation("currency", fmt::format("must be set for state {}", state));
  }
  if (is_failure_state(answer.state) != answer.reason.has_value()) {
    return violation("reason", "must be set exactly for states refused, declined, expired and "
                               "aborted");
  }
  if ((answer.state == TransactionState::kPending) != answer.expires.has_value()) {
    return violation("expires", "must be set exactly for state pending");
  }
  return std::nullopt;
}

std::optional<DecodeError> check_message_rules(const HistoryInquiry&) { return std::nullopt; }

std::optional<DecodeError> check_message_rules(const HistoryAnswer& answer) {
  for (std::size_t i = 0; i < answer.entries.size(); ++i) {
    const HistoryEntry& entry = answer.entries[i];
    if (entry.state == TransactionState::kUnknown) {
      return violation(fmt::format("entries[{}].state", i), "must not be unknown");
    }
    if (entry.updated_at < entry.created_at) {
      return violation(fmt::format("entries[{}].updated_at", i), "must not be before created_at");
    }
  }
  return std::nullopt;
}

}  // namespace sippay::payment
