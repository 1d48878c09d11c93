// Splits the byte stream of a TCP or TLS connection into SIP messages
// (RFC 3261 §18.3: Content-Length frames the body on stream transports) and
// recognizes RFC 5626 §3.5.1 keep-alives between messages.
//
// Feed bytes as they arrive, then call `next()` until it returns kNeedMore.
// Memory is bounded by the largest message the limits allow plus one feed.
// After kError the stream cannot be resynchronized: every later next()
// returns kError, feed() drops its bytes, and the caller closes the connection.
//
// Each buffered byte is searched once for the end of the header section,
// however the stream is split into feeds.
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
    kNeedMore,  // no complete message buffered
    kMessage,   // `message()` contains one whole message
    kPing,      // a double CRLF: send a single CRLF back
    kPong,      // a single CRLF, the reply to our ping
    kError,     // `error()` contains the reason; close the connection
  };

  explicit StreamFramer(ParseLimits limits = {}) : limits_(limits) {}

  void feed(std::string_view bytes);
  Event next();

  // The message of the last kMessage, valid until the next feed() or next().
  std::string_view message() const { return message_; }
  // REQUIRES: the last next() returned kError. The offset is from the start
  // of the message that failed.
  const ParseError& error() const { return error_; }
  std::size_t buffered_bytes() const { return buffer_.size() - read_pos_; }

 private:
  Event fail(std::size_t offset, std::string reason, int status = 400);
  // Sets message_size_ for the message at the start of `data` once its
  // header section is complete. Returns kNeedMore until then, or kError.
  Event find_message_size(std::string_view data);
  void consume(std::size_t size);

  ParseLimits limits_;
  std::string buffer_;
  std::size_t read_pos_ = 0;
  // Bytes from read_pos_ already searched for the CRLFCRLF ending the
  // header section, less the 3 a split CRLFCRLF may begin with.
  std::size_t scan_from_ = 0;
  // Size of the message at read_pos_ once its header section is complete.
  std::size_t message_size_ = 0;
  std::string_view message_;
  ParseError error_;
  bool failed_ = false;
};

}  // namespace sippay::sip
