// Reading and writing the members of one JSON object under the protocol's
// rules. Each message's schema (message_fields.hpp) is written once against
// the shared method names below and run with a FieldReader to decode or a
// FieldWriter to encode, so the two can never disagree on a member.
//
// Internal to the payment library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "payment/decode_error.hpp"
#include "payment/encoding.hpp"
#include "payment/field_rules.hpp"
#include "payment/protocol_names.hpp"
#include "payment/utc_time.hpp"

namespace sippay::payment {

template <typename T>
struct Fields;  // Fields<T>::visit(visitor, message) names T's members in wire order.

// Reads members of a decoded JSON object. The first violation is kept and
// every later call does nothing; finish() then also rejects members that no
// call named.
class FieldReader {
 public:
  FieldReader(const nlohmann::json& object, std::string path_prefix)
      : object_(object), prefix_(std::move(path_prefix)) {}

  void text(std::string_view name, std::string& out, const TextRule& rule);
  void optional_text(std::string_view name, std::optional<std::string>& out, const TextRule& rule);
  void integer(std::string_view name, std::int64_t& out, std::int64_t min, std::int64_t max);
  void optional_integer(std::string_view name, std::optional<std::int64_t>& out, std::int64_t min,
                        std::int64_t max);
  void time(std::string_view name, UtcTime& out);
  void optional_time(std::string_view name, std::optional<UtcTime>& out);
  void digest(std::string_view name, Sha256Digest& out);
  // Base64 in JSON, at most `max_bytes` once decoded, at least one byte.
  void bytes(std::string_view name, std::string& out, std::size_t max_bytes);

  template <typename E>
  void enumeration(std::string_view name, E& out) {
    const std::string* value = string_member(name, false);
    if (value != nullptr && !from_string(*value, out)) fail(name, "unknown value");
  }
  template <typename E>
  void optional_enumeration(std::string_view name, std::optional<E>& out) {
    const std::string* value = string_member(name, true);
    if (value == nullptr) return;
    E parsed{};
    if (!from_string(*value, parsed)) return fail(name, "unknown value");
    out = parsed;
  }

  template <typename Element>
  void list(std::string_view name, std::vector<Element>& out, std::size_t max_elements) {
    const nlohmann::json* value = member(name, false);
    if (value == nullptr) return;
    if (!value->is_array()) return fail(name, "must be an array");
    if (value->size() > max_elements) {
      return fail(name, "has more than " + std::to_string(max_elements) + " elements");
    }
    out.clear();
    for (std::size_t i = 0; i < value->size(); ++i) {
      const std::string path = prefix_ + std::string(name) + "[" + std::to_string(i) + "]";
      const nlohmann::json& element = (*value)[i];
      if (!element.is_object()) return fail_at(path, "must be an object");
      FieldReader nested(element, path + ".");
      Element decoded{};
      Fields<Element>::visit(nested, decoded);
      if (auto error = nested.finish()) {
        error_ = std::move(error);
        return;
      }
      out.push_back(std::move(decoded));
    }
  }

  // Records a violation of a rule that spans members, unless one is recorded.
  void fail(std::string_view name, std::string message);
  bool failed() const { return error_.has_value(); }

  // The first violation, or "unknown member" for a member no call named.
  std::optional<DecodeError> finish();

 private:
  void fail_at(std::string path, std::string message);
  // The member `name`, or nullptr after recording why not. A JSON null
  // member yields nullptr without an error when `nullable`.
  const nlohmann::json* member(std::string_view name, bool nullable);
  const std::string* string_member(std::string_view name, bool nullable);

  const nlohmann::json& object_;
  std::string prefix_;
  std::vector<std::string_view> named_;
  std::optional<DecodeError> error_;
};

// Writes members, in call order, into an ordered JSON object.
class FieldWriter {
 public:
  explicit FieldWriter(nlohmann::ordered_json& object) : object_(object) {}

  void text(std::string_view name, const std::string& value, const TextRule&) {
    set(name, value);
  }
  void optional_text(std::string_view name, const std::optional<std::string>& value,
                     const TextRule&) {
    value ? set(name, *value) : set(name, nullptr);
  }
  void integer(std::string_view name, std::int64_t value, std::int64_t, std::int64_t) {
    set(name, value);
  }
  void optional_integer(std::string_view name, const std::optional<std::int64_t>& value,
                        std::int64_t, std::int64_t) {
    value ? set(name, *value) : set(name, nullptr);
  }
  void time(std::string_view name, UtcTime value) { set(name, format_utc_time(value)); }
  void optional_time(std::string_view name, const std::optional<UtcTime>& value) {
    value ? set(name, format_utc_time(*value)) : set(name, nullptr);
  }
  void digest(std::string_view name, const Sha256Digest& value) { set(name, to_hex(value)); }
  void bytes(std::string_view name, const std::string& value, std::size_t) {
    set(name, to_base64(value));
  }
  template <typename E>
  void enumeration(std::string_view name, E value) {
    set(name, std::string(to_string(value)));
  }
  template <typename E>
  void optional_enumeration(std::string_view name, const std::optional<E>& value) {
    value ? set(name, std::string(to_string(*value))) : set(name, nullptr);
  }
  template <typename Element>
  void list(std::string_view name, const std::vector<Element>& values, std::size_t) {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const Element& value : values) {
      nlohmann::ordered_json element = nlohmann::ordered_json::object();
      FieldWriter nested(element);
      Fields<Element>::visit(nested, value);
      array.push_back(std::move(element));
    }
    set(name, std::move(array));
  }
  void fail(std::string_view, std::string) {}

 private:
  template <typename V>
  void set(std::string_view name, V&& value) {
    object_[std::string(name)] = std::forward<V>(value);
  }

  nlohmann::ordered_json& object_;
};

}  // namespace sippay::payment
