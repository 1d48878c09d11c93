#include "payment/field_codec.hpp"

#include <algorithm>

namespace sippay::payment {

void FieldReader::fail(std::string_view name, std::string message) {
  fail_at(prefix_ + std::string(name), std::move(message));
}

void FieldReader::fail_at(std::string path, std::string message) {
  if (!error_) error_ = DecodeError{std::move(path), std::move(message)};
}

const nlohmann::json* FieldReader::member(std::string_view name, bool nullable) {
  if (error_) return nullptr;
  named_.push_back(name);
  const auto it = object_.find(name);
  if (it == object_.end()) {
    fail(name, "missing member");
    return nullptr;
  }
  if (it->is_null()) {
    if (!nullable) fail(name, "must not be null");
    return nullptr;
  }
  return &*it;
}

const std::string* FieldReader::string_member(std::string_view name, bool nullable) {
  const nlohmann::json* value = member(name, nullable);
  if (value == nullptr) return nullptr;
  if (!value->is_string()) {
    fail(name, "must be a string");
    return nullptr;
  }
  return &value->get_ref<const std::string&>();
}

void FieldReader::text(std::string_view name, std::string& out, const TextRule& rule) {
  const std::string* value = string_member(name, false);
  if (value == nullptr) return;
  if (auto error = text_rule_error(*value, rule)) return fail(name, std::move(*error));
  out = *value;
}

void FieldReader::optional_text(std::string_view name, std::optional<std::string>& out,
                                const TextRule& rule) {
  const std::string* value = string_member(name, true);
  if (value == nullptr) return;
  if (auto error = text_rule_error(*value, rule)) return fail(name, std::move(*error));
  out = *value;
}

void FieldReader::integer(std::string_view name, std::int64_t& out, std::int64_t min,
                          std::int64_t max) {
  const nlohmann::json* json = member(name, false);
  if (json == nullptr) return;
  // nlohmann-json stores 1.0, 1e3 and integers beyond 64 bits as floats.
  if (!json->is_number_integer()) return fail(name, "must be an integer");
  bool in_range = false;
  if (json->is_number_unsigned()) {
    const auto value = json->get<std::uint64_t>();
    in_range = value <= static_cast<std::uint64_t>(max) && static_cast<std::int64_t>(value) >= min;
  } else {
    const auto value = json->get<std::int64_t>();
    in_range = value >= min && value <= max;
  }
  if (!in_range) {
    return fail(name, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  out = json->get<std::int64_t>();
}

void FieldReader::optional_integer(std::string_view name, std::optional<std::int64_t>& out,
                                   std::int64_t min, std::int64_t max) {
  if (error_) return;
  const auto it = object_.find(name);
  if (it != object_.end() && it->is_null()) {
    named_.push_back(name);
    return;
  }
  std::int64_t value = 0;
  integer(name, value, min, max);
  if (!error_) out = value;
}

void FieldReader::time(std::string_view name, UtcTime& out) {
  const std::string* value = string_member(name, false);
  if (value == nullptr) return;
  const auto parsed = parse_utc_time(*value);
  if (!parsed) {
    return fail(name, "must be a UTC time of the form YYYY-MM-DDTHH:MM:SSZ in the years 2000-9999");
  }
  out = *parsed;
}

void FieldReader::optional_time(std::string_view name, std::optional<UtcTime>& out) {
  if (error_) return;
  const auto it = object_.find(name);
  if (it != object_.end() && it->is_null()) {
    named_.push_back(name);
    return;
  }
  UtcTime value{};
  time(name, value);
  if (!error_) out = value;
}

void FieldReader::digest(std::string_view name, Sha256Digest& out) {
  const std::string* value = string_member(name, false);
  if (value == nullptr) return;
  const auto parsed = sha256_from_hex(*value);
  if (!parsed) return fail(name, "must be 64 lower-case hex digits (a SHA-256 digest)");
  out = *parsed;
}

void FieldReader::bytes(std::string_view name, std::string& out, std::size_t max_bytes) {
  const std::string* value = string_member(name, false);
  if (value == nullptr) return;
  // Checked before decoding so that an over-long value costs no allocation.
  if (value->size() > (max_bytes + 2) / 3 * 4) {
    return fail(name, "exceeds the maximum of " + std::to_string(max_bytes) + " bytes");
  }
  auto decoded = from_base64(*value);
  if (!decoded) return fail(name, "must be canonical base64 (RFC 4648 section 4, padded)");
  if (decoded->empty()) return fail(name, "must not be empty");
  if (decoded->size() > max_bytes) {
    return fail(name, "exceeds the maximum of " + std::to_string(max_bytes) + " bytes");
  }
  out = std::move(*decoded);
}

std::optional<DecodeError> FieldReader::finish() {
  if (error_) return error_;
  for (auto it = object_.begin(); it != object_.end(); ++it) {
    if (std::find(named_.begin(), named_.end(), it.key()) == named_.end()) {
      return DecodeError{prefix_ + it.key(), "unknown member"};
    }
  }
  return std::nullopt;
}

}  // namespace sippay::payment
