// Parse errors of the SIP codec and the result type that carries them.
//
// A hostile or broken message is a normal event: every parser returns either
// a value or a ParseError that names what is wrong, where (byte offset from
// the start of the message, and the header name when inside a header), and
// which SIP status code a UAS or proxy sends back for it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sippay::sip {

struct ParseError {
  // RFC 3261 status code to respond with: 400 Bad Request for grammar errors,
  // 505 Version Not Supported, 513 Message Too Large, 416 Unsupported URI
  // Scheme is never produced here because unknown schemes parse as absolute
  // URIs.
  int status_code = 400;
  std::string reason;       // what is wrong, in words, without the position
  std::size_t offset = 0;   // byte offset of the error in the parsed input
  std::string header_name;  // header as written in the message, empty outside headers

  // The reason with its position, usable as a SIP reason phrase: no CR or LF.
  std::string to_string() const;
};

// Either a T or a ParseError. A minimal stand-in for C++23 std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit by design, so that a parser can `return value;`. The two
  // overloads copy or move `value` into the result once.
  Result(const T& value) : state_(std::in_place_index<0>, value) {}        // NOLINT
  Result(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  // Constructs the value inside the result from `args`, without a copy.
  template <typename... Args>
  explicit Result(std::in_place_t, Args&&... args)
      : state_(std::in_place_index<0>, std::forward<Args>(args)...) {}
  Result(ParseError error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

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
  const ParseError& error() const { return std::get<1>(state_); }
  ParseError&& take_error() { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, ParseError> state_;
};

}  // namespace sippay::sip
