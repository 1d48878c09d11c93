#include "payment/purchase_checks.hpp"

namespace sippay::payment {
namespace {

// The first of purchase id, amount, currency and merchant that differs.
template <typename A, typename B>
std::optional<std::string> common_mismatch(const A& a, const B& b, std::string_view a_name,
                                           std::string_view b_name) {
  const auto differ = [&](std::string_view member) {
    return std::string(member) + " differs between " + std::string(a_name) + " and " +
           std::string(b_name);
  };
  if (a.purchase_id != b.purchase_id) return differ("purchase_id");
  if (a.amount != b.amount) return differ("amount");
  if (a.currency != b.currency) return differ("currency");
  if (a.merchant != b.merchant) return differ("merchant");
  return std::nullopt;
}

}  // namespace

std::optional<std::string> order_payment_mismatch(const Order& order,
                                                  const PaymentInformation& payment) {
  return common_mismatch(order, payment, "the order", "the payment information");
}

std::optional<std::string> request_payment_mismatch(const PaymentRequest& request,
                                                    const PaymentInformation& payment) {
  return common_mismatch(request, payment, "the merchant's request", "the payment information");
}

std::optional<std::string> request_order_mismatch(const PaymentRequest& request,
                                                  const Order& order) {
  return common_mismatch(request, order, "the merchant's request", "the order");
}

std::optional<std::string> ack_request_mismatch(const ConfirmationAck& ack,
                                                const ConfirmationRequest& request) {
  if (ack.transaction_id != request.transaction_id) {
    return "transaction_id differs between the confirmation ack and the confirmation request";
  }
  if (ack.purchase_id != request.purchase_id) {
    return "purchase_id differs between the confirmation ack and the confirmation request";
  }
  return std::nullopt;
}

}  // namespace sippay::payment
