// Strict JSON parsing for protocol messages: bounded size and depth, and
// duplicate member names rejected (nlohmann-json keeps the last one
// silently, so two readers could disagree on a message's meaning).
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "payment/decode_error.hpp"
#include "payment/field_rules.hpp"

namespace sippay::payment {

// Parses `bytes` as one JSON object (RFC 8259, UTF-8, no comments). Rejects
// input longer than `max_bytes`, nesting deeper than kMaxJsonDepth, a
// duplicate member name in any object, and any top-level value other than
// an object.
DecodeResult<nlohmann::json> parse_strict_json(std::string_view bytes,
                                               std::size_t max_bytes = kMaxMessageBytes);

}  // namespace sippay::payment
