#include "payment/protocol_names.hpp"

#include <array>
#include <utility>

namespace sippay::payment {
namespace {

template <typename E, std::size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<MessageType, 15> kMessageTypes{{
    {MessageType::kOrder, "order"},
    {MessageType::kPayment, "payment"},
    {MessageType::kPaymentBundle, "payment-bundle"},
    {MessageType::kPurchase, "purchase"},
    {MessageType::kPaymentRequest, "payment-request"},
    {MessageType::kConfirmationRequest, "confirmation-request"},
    {MessageType::kConfirmationAck, "confirmation-ack"},
    {MessageType::kReceipt, "receipt"},
    {MessageType::kFailureNotice, "failure-notice"},
    {MessageType::kAbortRequest, "abort-request"},
    {MessageType::kAbortAnswer, "abort-answer"},
    {MessageType::kStateInquiry, "state-inquiry"},
    {MessageType::kStateAnswer, "state-answer"},
    {MessageType::kHistoryInquiry, "history-inquiry"},
    {MessageType::kHistoryAnswer, "history-answer"},
}};

constexpr NameTable<Decision, 2> kDecisions{{
    {Decision::kAccept, "accept"},
    {Decision::kDecline, "decline"},
}};

constexpr NameTable<Issuer, 2> kIssuers{{
    {Issuer::kMerchant, "merchant"},
    {Issuer::kGateway, "gateway"},
}};

constexpr NameTable<TransactionState, 7> kStates{{
    {TransactionState::kPending, "pending"},
    {TransactionState::kSettled, "settled"},
    {TransactionState::kRefused, "refused"},
    {TransactionState::kDeclined, "declined"},
    {TransactionState::kExpired, "expired"},
    {TransactionState::kAborted, "aborted"},
    {TransactionState::kUnknown, "unknown"},
}};

template <typename E, std::size_t N>
std::string_view name_of(const NameTable<E, N>& table, E value) {
  for (const auto& [entry, name] : table) {
    if (entry == value) return name;
  }
  return "invalid";
}

template <typename E, std::size_t N>
bool value_of(const NameTable<E, N>& table, std::string_view name, E& out) {
  for (const auto& [entry, entry_name] : table) {
    if (entry_name == name) {
      out = entry;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view to_string(MessageType type) { return name_of(kMessageTypes, type); }
std::string_view to_string(Decision decision) { return name_of(kDecisions, decision); }
std::string_view to_string(Issuer issuer) { return name_of(kIssuers, issuer); }
std::string_view to_string(TransactionState state) { return name_of(kStates, state); }

bool from_string(std::string_view name, MessageType& out) {
  return value_of(kMessageTypes, name, out);
}
bool from_string(std::string_view name, Decision& out) { return value_of(kDecisions, name, out); }
bool from_string(std::string_view name, Issuer& out) { return value_of(kIssuers, name, out); }
bool from_string(std::string_view name, TransactionState& out) {
  return value_of(kStates, name, out);
}
bool from_string(std::string_view name, ReasonCode& out) {
  const auto code = parse_reason_code(name);
  if (code) out = *code;
  return code.has_value();
}

}  // namespace sippay::payment
