// Agreement checks between the parts of one purchase. Each returns nothing
// when the parts agree, else a message naming the first member that differs.
// The messages name members only, never values, since PI is secret.
#pragma once

#include <optional>
#include <string>

#include "payment/messages.hpp"

namespace sippay::payment {

// OI and PI carry the same purchase id, amount, currency and merchant. The
// customer checks before signing; the gateway cannot (it never receives OI),
// so the dual signature is what binds them.
std::optional<std::string> order_payment_mismatch(const Order& order,
                                                  const PaymentInformation& payment);

// The merchant's signed claim and the PI agree on purchase id, amount,
// currency and merchant (the gateway's check; reason payment-mismatch).
std::optional<std::string> request_payment_mismatch(const PaymentRequest& request,
                                                    const PaymentInformation& payment);

// The merchant's request repeats the OI's purchase id, amount, currency and
// merchant (the merchant's own check before sending).
std::optional<std::string> request_order_mismatch(const PaymentRequest& request,
                                                  const Order& order);

// A confirmation ack answers this confirmation request: the same
// transaction id and purchase id. The caller compares H(CR) with the hash of
// the CR bytes it stored.
std::optional<std::string> ack_request_mismatch(const ConfirmationAck& ack,
                                                const ConfirmationRequest& request);

}  // namespace sippay::payment
