// Wire names of the protocol's enumerations, e.g. MessageType::kConfirmationAck
// is "confirmation-ack".
#pragma once

#include <optional>
#include <string_view>

#include "payment/messages.hpp"

namespace sippay::payment {

std::string_view to_string(MessageType type);
std::string_view to_string(Decision decision);
std::string_view to_string(Issuer issuer);
std::string_view to_string(TransactionState state);

// Each returns false and leaves `out` alone when `name` is not a wire name.
bool from_string(std::string_view name, MessageType& out);
bool from_string(std::string_view name, Decision& out);
bool from_string(std::string_view name, Issuer& out);
bool from_string(std::string_view name, TransactionState& out);
bool from_string(std::string_view name, ReasonCode& out);

}  // namespace sippay::payment
