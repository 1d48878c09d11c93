#include "sip/stream_framer.hpp"

#include <cstdint>

#include "sip/charset.hpp"
#include "sip/header_grammar.hpp"

namespace sippay::sip {
namespace {

struct ContentLengthField {
  enum class State : unsigned char { kAbsent, kValid, kInvalid, kRepeated };
  State state = State::kAbsent;
  std::uint64_t value = 0;
  std::size_t offset = 0;  // of the field name in the message
};

std::string_view trim_lws(std::string_view text) {
  const auto is_lws = [](char c) { return charset::is_ws(c) || c == '\r' || c == '\n'; };
  while (!text.empty() && is_lws(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_lws(text.back())) text.remove_suffix(1);
  return text;
}

// Finds the Content-Length field in `headers`: the start line and the header
// fields, each ending in CRLF, without the empty line. The parser checks the
// rest of the grammar once the message is framed.
ContentLengthField find_content_length(std::string_view headers) {
  ContentLengthField found;
  std::size_t pos = headers.find("\r\n") + 2;  // skip the start line
  while (pos < headers.size()) {
    // A field continues over folded lines: CRLF followed by SP or HTAB (§7.3.1).
    std::size_t end = headers.find("\r\n", pos);
    while (end + 2 < headers.size() && charset::is_ws(headers[end + 2])) {
      end = headers.find("\r\n", end + 2);
    }
    const std::string_view line = headers.substr(pos, end - pos);
    const std::size_t colon = line.find(':');
    const std::string_view name = trim_lws(line.substr(0, colon));
    if (colon != std::string_view::npos &&
        (charset::iequals(name, "Content-Length") || charset::iequals(name, "l"))) {
      if (found.state != ContentLengthField::State::kAbsent) {
        return {ContentLengthField::State::kRepeated, 0, pos};
      }
      const auto number = grammar::to_unsigned(trim_lws(line.substr(colon + 1)), UINT32_MAX);
      found = {number ? ContentLengthField::State::kValid : ContentLengthField::State::kInvalid,
               number.value_or(0), pos};
    }
    pos = end + 2;
  }
  return found;
}

}  // namespace

void StreamFramer::feed(std::string_view bytes) {
  message_ = {};
  if (failed_) return;  // the connection is closing; keep memory bounded
  // Drop what earlier messages consumed before growing the buffer.
  if (read_pos_ > 0) {
    buffer_.erase(0, read_pos_);
    read_pos_ = 0;
  }
  buffer_.append(bytes);
}

StreamFramer::Event StreamFramer::fail(std::size_t offset, std::string reason, int status) {
  failed_ = true;
  buffer_.clear();
  buffer_.shrink_to_fit();
  read_pos_ = 0;
  error_ = ParseError{};
  error_.status_code = status;
  error_.offset = offset;
  error_.reason = std::move(reason);
  return Event::kError;
}

void StreamFramer::consume(std::size_t size) {
  read_pos_ += size;
  scan_from_ = 0;
  message_size_ = 0;
}

StreamFramer::Event StreamFramer::next() {
  message_ = {};
  if (failed_) return Event::kError;
  const std::string_view data = std::string_view(buffer_).substr(read_pos_);

  if (message_size_ == 0) {
    // Keep-alives sit between messages (RFC 5626 §3.5.1), and §7.5 lets CRLF
    // precede a start line. A lone CRLF is taken as a pong at once rather than
    // held back as a possible half ping.
    if (data.starts_with("\r\n\r\n")) {
      consume(4);
      return Event::kPing;
    }
    if (data.starts_with("\r\n")) {
      if (data.size() == 3 && data[2] == '\r') return Event::kNeedMore;
      consume(2);
      return Event::kPong;
    }
    if (data.empty() || data == "\r") return Event::kNeedMore;
    if (const Event event = find_message_size(data); event != Event::kMessage) return event;
  }

  if (data.size() < message_size_) return Event::kNeedMore;
  message_ = data.substr(0, message_size_);
  consume(message_size_);
  return Event::kMessage;
}

StreamFramer::Event StreamFramer::find_message_size(std::string_view data) {
  const std::size_t header_end = data.find("\r\n\r\n", scan_from_);
  if (header_end == std::string_view::npos) {
    if (data.size() > limits_.max_message_bytes) {
      return fail(0,
                  "header section exceeds the message limit of " +
                      std::to_string(limits_.max_message_bytes) + " bytes",
                  513);
    }
    scan_from_ = data.size() < 3 ? 0 : data.size() - 3;
    return Event::kNeedMore;
  }

  // §18.3: on a stream, Content-Length is required and frames the body.
  const std::size_t body_start = header_end + 4;
  const ContentLengthField length = find_content_length(data.substr(0, header_end + 2));
  switch (length.state) {
    case ContentLengthField::State::kAbsent:
      return fail(body_start, "missing Content-Length, required on stream transports");
    case ContentLengthField::State::kInvalid:
      return fail(length.offset, "invalid Content-Length: expected a number from 0 to 4294967295");
    case ContentLengthField::State::kRepeated:
      return fail(length.offset,
                  "Content-Length appears more than once, so the body length is undefined");
    case ContentLengthField::State::kValid:
      break;
  }
  const std::size_t total = body_start + static_cast<std::size_t>(length.value);
  if (total > limits_.max_message_bytes) {
    return fail(0,
                "message of " + std::to_string(total) + " bytes exceeds the limit of " +
                    std::to_string(limits_.max_message_bytes),
                513);
  }
  message_size_ = total;
  return Event::kMessage;
}

}  // namespace sippay::sip
