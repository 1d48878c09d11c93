// Splits the byte stream of a TCP or TLS connection into SIP messages
// (RFC 3261 §18.3: Content-Length frames the body on stream transports) and
// recognizes RFC 5626 §3.5.1 keep-alives between messages.
//
// Feed bytes as they arrive, then call `next()` until it returns kNeedMore.
// Memory is bounded by the largest message the limits allow plus one feed.
// After kError the stream cannot be resynchronized: close the connection.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "sip/limits.hpp"
#include "sip/parse_error.hpp"

namespace sippay::sip {

class StreamFramer {
 public:
  enum class Event : unsigned char {
    kNeedMore,   // no complete message buffered
    kMessage,    // `message()` holds one whole message
    kPing,       // a double CRLF: answer with a single CRLF
    kPong,       // a single CRLF, the answer to our ping
    kError,      // `error()` says why; close the connection
  };

  explicit StreamFramer(ParseLimits limits = {}) : limits_(limits) {}

  void feed(std::string_view bytes);
  Event next();

  // The message of the last kMessage, valid until the next feed() or next().
  std::string_view message() const { return message_; }
  // REQUIRES: the last next() returned kError.
  const ParseError& error() const { return error_; }
  std::size_t buffered_bytes() const { return buffer_.size() - read_pos_; }

 private:
  Event fail(std::size_t offset, std::string reason, int status = 400);
  // Content-Length of the header section `headers` (without the final
  // CRLFCRLF), or -1 when absent, -2 when invalid.
  static long long find_content_length(std::string_view headers);

  ParseLimits limits_;
  std::string buffer_;
  std::size_t read_pos_ = 0;
  std::string_view message_;
  ParseError error_;
  bool failed_ = false;
};

}  // namespace sippay::sip
