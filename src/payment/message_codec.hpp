// Encoding and decoding of the payment protocol's messages.
//
// Every message is one JSON object (RFC 8259, UTF-8) whose first members are
// "type" (the wire name of its MessageType) and "version" (kProtocolVersion),
// followed by the members Fields<T> lists, all of them always present, null
// for an absent optional value. The type label sits inside whatever the
// sender signs, so a signed message of one type can never be passed off as
// another.
//
// Hashes are taken over the exact bytes received (or the exact bytes
// encode() returned), never over a re-encoding: a decoded message keeps no
// link to its bytes, so callers hash the bytes they hold.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "payment/decode_error.hpp"
#include "payment/messages.hpp"

namespace sippay::payment {

// The media type of every protocol message, registered nowhere (vnd. tree)
// and documented in docs/protocol.md. The version parameter is optional on
// receipt, and must match the version member when present.
inline constexpr std::string_view kMediaType = "application/vnd.sippay.payment+json";
inline constexpr std::string_view kContentType = "application/vnd.sippay.payment+json;version=1";

// Checks a Content-Type header value for a protocol message. Returns nothing
// when it is kMediaType (any case) with at most the parameter version=1.
std::optional<std::string> content_type_error(std::string_view value);

// Encodes `message` as compact JSON, members in schema order. Throws
// std::invalid_argument naming the member when `message` breaks a rule that
// decode() checks, so a sender never produces what a receiver rejects.
template <typename T>
std::string encode(const T& message);

// Decodes `bytes` as a message of type T, checking every rule: size, JSON
// syntax, duplicate or unknown members, type, version, member types, ranges,
// lengths, characters and the rules that span members.
template <typename T>
DecodeResult<T> decode(std::string_view bytes);

using AnyMessage =
    std::variant<Order, PaymentInformation, PaymentBundle, Purchase, PaymentRequest,
                 ConfirmationRequest, ConfirmationAck, Receipt, FailureNotice, AbortRequest,
                 AbortAnswer, StateInquiry, StateAnswer, HistoryInquiry, HistoryAnswer>;

// Decodes a message of any type, dispatching on its "type" member.
DecodeResult<AnyMessage> decode_any(std::string_view bytes);

}  // namespace sippay::payment
