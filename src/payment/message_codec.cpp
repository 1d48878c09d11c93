#include "payment/message_codec.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "payment/message_fields.hpp"
#include "payment/message_rules.hpp"
#include "payment/strict_json.hpp"
#include "sip/charset.hpp"
#include "sip/headers.hpp"

namespace sippay::payment {
namespace {

// Longest "type" value worth quoting back in an error.
constexpr TextRule kTypeNameRule{1, 32, Charset::kId};

// Reads "type" and "version", leaving the first violation in `reader`.
void read_header(FieldReader& reader, MessageType& type) {
  std::string name;
  reader.text("type", name, kTypeNameRule);
  if (!reader.failed() && !from_string(name, type)) {
    reader.fail("type", fmt::format("unknown message type \"{}\"", name));
  }
  std::int64_t version = 0;
  reader.integer("version", version, 0, 1'000'000);
  if (!reader.failed() && version != kProtocolVersion) {
    reader.fail("version", fmt::format("unsupported protocol version {}; this implementation "
                                       "supports version {}",
                                       version, kProtocolVersion));
  }
}

template <typename T>
DecodeResult<T> decode_members(FieldReader& reader) {
  T message{};
  Fields<T>::visit(reader, message);
  if (auto error = reader.finish()) return std::move(*error);
  if (auto error = check_message_rules(message)) return std::move(*error);
  return message;
}

template <typename T>
DecodeResult<AnyMessage> as_any(DecodeResult<T>&& result) {
  if (!result) return result.error();
  return AnyMessage(std::move(result).value());
}

}  // namespace

std::optional<std::string> content_type_error(std::string_view value) {
  const auto parsed = sip::parse_media_type(value, 0);
  if (!parsed) return "invalid Content-Type: " + parsed.error().reason;
  const std::string expected = fmt::format("{}/{}", parsed->type, parsed->subtype);
  if (!sip::charset::iequals(expected, kMediaType)) {
    return fmt::format("unsupported Content-Type {}; expected {}", expected, kMediaType);
  }
  for (const sip::Param& param : parsed->params) {
    if (!sip::charset::iequals(param.name, "version")) {
      return fmt::format("unknown Content-Type parameter \"{}\"", param.name);
    }
    if (param.value != "1" && param.value != "\"1\"") {
      return fmt::format("unsupported protocol version in Content-Type; expected version={}",
                         kProtocolVersion);
    }
  }
  return std::nullopt;
}

template <typename T>
std::string encode(const T& message) {
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  object["type"] = std::string(to_string(T::kType));
  object["version"] = kProtocolVersion;
  std::string bytes;
  try {
    FieldWriter writer(object);
    Fields<T>::visit(writer, message);
    bytes = object.dump();
  } catch (const std::exception& error) {
    // format_utc_time throws for a year outside 2000-9999, dump() for text
    // that is not UTF-8.
    throw std::invalid_argument(
        fmt::format("cannot encode a {} message: {}", to_string(T::kType), error.what()));
  }
  const DecodeResult<T> check = decode<T>(bytes);
  if (!check) {
    throw std::invalid_argument(fmt::format("cannot encode a {} message: {}", to_string(T::kType),
                                            check.error().to_string()));
  }
  return bytes;
}

template <typename T>
DecodeResult<T> decode(std::string_view bytes) {
  auto json = parse_strict_json(bytes);
  if (!json) return json.error();
  FieldReader reader(*json, "");
  MessageType type{};
  read_header(reader, type);
  if (!reader.failed() && type != T::kType) {
    reader.fail("type", fmt::format("expected a {} message, got {}", to_string(T::kType),
                                    to_string(type)));
  }
  return decode_members<T>(reader);
}

DecodeResult<AnyMessage> decode_any(std::string_view bytes) {
  auto json = parse_strict_json(bytes);
  if (!json) return json.error();
  FieldReader reader(*json, "");
  MessageType type{};
  read_header(reader, type);
  if (reader.failed()) return *reader.finish();
  switch (type) {
    case MessageType::kOrder:
      return as_any(decode_members<Order>(reader));
    case MessageType::kPayment:
      return as_any(decode_members<PaymentInformation>(reader));
    case MessageType::kPaymentBundle:
      return as_any(decode_members<PaymentBundle>(reader));
    case MessageType::kPurchase:
      return as_any(decode_members<Purchase>(reader));
    case MessageType::kPaymentRequest:
      return as_any(decode_members<PaymentRequest>(reader));
    case MessageType::kConfirmationRequest:
      return as_any(decode_members<ConfirmationRequest>(reader));
    case MessageType::kConfirmationAck:
      return as_any(decode_members<ConfirmationAck>(reader));
    case MessageType::kReceipt:
      return as_any(decode_members<Receipt>(reader));
    case MessageType::kFailureNotice:
      return as_any(decode_members<FailureNotice>(reader));
    case MessageType::kAbortRequest:
      return as_any(decode_members<AbortRequest>(reader));
    case MessageType::kAbortAnswer:
      return as_any(decode_members<AbortAnswer>(reader));
    case MessageType::kStateInquiry:
      return as_any(decode_members<StateInquiry>(reader));
    case MessageType::kStateAnswer:
      return as_any(decode_members<StateAnswer>(reader));
    case MessageType::kHistoryInquiry:
      return as_any(decode_members<HistoryInquiry>(reader));
    case MessageType::kHistoryAnswer:
      return as_any(decode_members<HistoryAnswer>(reader));
  }
  return DecodeError{"type", "unknown message type"};
}

#define SIPPAY_PAYMENT_CODEC(T)                           \
  template std::string encode<T>(const T& message);       \
  template DecodeResult<T> decode<T>(std::string_view bytes);

SIPPAY_PAYMENT_CODEC(Order)
SIPPAY_PAYMENT_CODEC(PaymentInformation)
SIPPAY_PAYMENT_CODEC(PaymentBundle)
SIPPAY_PAYMENT_CODEC(Purchase)
SIPPAY_PAYMENT_CODEC(PaymentRequest)
SIPPAY_PAYMENT_CODEC(ConfirmationRequest)
SIPPAY_PAYMENT_CODEC(ConfirmationAck)
SIPPAY_PAYMENT_CODEC(Receipt)
SIPPAY_PAYMENT_CODEC(FailureNotice)
SIPPAY_PAYMENT_CODEC(AbortRequest)
SIPPAY_PAYMENT_CODEC(AbortAnswer)
SIPPAY_PAYMENT_CODEC(StateInquiry)
SIPPAY_PAYMENT_CODEC(StateAnswer)
SIPPAY_PAYMENT_CODEC(HistoryInquiry)
SIPPAY_PAYMENT_CODEC(HistoryAnswer)

#undef SIPPAY_PAYMENT_CODEC

}  // namespace sippay::payment
