// Rules of a message that span several members, checked after each member
// passed its own rule. Each returns the first violation, naming a member.
#pragma once

#include <optional>

#include "payment/decode_error.hpp"
#include "payment/messages.hpp"

namespace sippay::payment {

// amount == unit_price * quantity.
std::optional<DecodeError> check_message_rules(const Order& order);
std::optional<DecodeError> check_message_rules(const PaymentInformation& payment);
// The payment information inside decodes as PI.
std::optional<DecodeError> check_message_rules(const PaymentBundle& bundle);
// The order inside decodes as OI with the same purchase id.
std::optional<DecodeError> check_message_rules(const Purchase& purchase);
std::optional<DecodeError> check_message_rules(const PaymentRequest& request);
// expires is after timestamp.
std::optional<DecodeError> check_message_rules(const ConfirmationRequest& request);
std::optional<DecodeError> check_message_rules(const ConfirmationAck& ack);
std::optional<DecodeError> check_message_rules(const Receipt& receipt);
// A gateway notice names the transaction and the order ref and carries no
// nonce; a merchant notice names no transaction; the reason suits the issuer.
std::optional<DecodeError> check_message_rules(const FailureNotice& notice);
std::optional<DecodeError> check_message_rules(const AbortRequest& request);
// The state is final; only kAborted may come without a transaction id.
std::optional<DecodeError> check_message_rules(const AbortAnswer& answer);
// At least one id is given.
std::optional<DecodeError> check_message_rules(const StateInquiry& inquiry);
// The optional members are set exactly as StateAnswer documents.
std::optional<DecodeError> check_message_rules(const StateAnswer& answer);
std::optional<DecodeError> check_message_rules(const HistoryInquiry& inquiry);
// No entry is in state kUnknown or was updated before it was created.
std::optional<DecodeError> check_message_rules(const HistoryAnswer& answer);

}  // namespace sippay::payment
