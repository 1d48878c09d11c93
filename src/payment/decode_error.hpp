// Decoding errors of the payment protocol codec and the result type that
// carries them.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace sippay::payment {

// The first rule a received protocol message breaks. `field` is the JSON path of
// the offending member ("amount", "entries[3].state"), or empty when the
// message as a whole is at fault (not JSON, too large, not an object).
struct DecodeError {
  std::string field;
  std::string message;

  // "field: message", or only the message when no field is named.
  std::string to_string() const { return field.empty() ? message : field + ": " + message; }
};

// Either a T or a DecodeError. A minimal stand-in for C++23 std::expected.
template <typename T>
class [[nodiscard]] DecodeResult {
 public:
  DecodeResult(T value) : state_(std::in_place_index<0>, std::move(value)) {}           // NOLINT
  DecodeResult(DecodeError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok().
  const DecodeError& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, DecodeError> state_;
};

}  // namespace sippay::payment
