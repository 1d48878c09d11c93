#include "sip/stream_framer.hpp"

#include "sip/charset.hpp"
#include "sip/header_grammar.hpp"

namespace sippay::sip {

void StreamFramer::feed(std::string_view bytes) {
  // Drop what earlier messages consumed before growing the buffer.
  if (read_pos_ > 0) {
    buffer_.erase(0, read_pos_);
    read_pos_ = 0;
  }
  message_ = {};
  buffer_.append(bytes);
}

StreamFramer::Event StreamFramer::fail(std::size_t offset, std::string reason, int status) {
  failed_ = true;
  error_ = ParseError{};
  error_.status_code = status;
  error_.offset = offset;
  error_.reason = std::move(reason);
  return Event::kError;
}

StreamFramer::Event StreamFramer::next() {
  message_ = {};
  if (failed_) return Event::kError;
  const std::string_view data = std::string_view(buffer_).substr(read_pos_);
  if (data.empty()) return Event::kNeedMore;

  // Keep-alives sit between messages (RFC 5626 §3.5.1). A lone CRLF is taken
  // as a pong at once rather than held back as a possible half ping.
  if (data.starts_with("\r\n\r\n")) {
    read_pos_ += 4;
    return Event::kPing;
  }
  if (data.starts_with("\r\n")) {
    if (data.size() == 3 && data[2] == '\r') return Event::kNeedMore;
    read_pos_ += 2;
    return Event::kPong;
  }
  if (data == "\r") return Event::kNeedMore;

  const std::size_t header_end = data.find("\r\n\r\n");
  if (header_end == std::string_view::npos) {
    if (data.size() > limits_.max_message_bytes) {
      return fail(0, "header section exceeds the message limit of " +
                         std::to_string(limits_.max_message_bytes) + " bytes", 513);
    }
    return Event::kNeedMore;
  }
  const long long length = find_content_length(data.substr(0, header_end + 2));
  if (length == -1) return fail(0, "missing Content-Length, required on stream transports");
  if (length < 0) return fail(0, "invalid Content-Length");
  const std::size_t total = header_end + 4 + static_cast<std::size_t>(length);
  if (total > limits_.max_message_bytes) {
    return fail(0, "message of " + std::to_string(total) + " bytes exceeds the limit of " +
                       std::to_string(limits_.max_message_bytes), 513);
  }
  if (data.size() < total) return Event::kNeedMore;
  message_ = data.substr(0, total);
  read_pos_ += total;
  return Event::kMessage;
}

long long StreamFramer::find_content_length(std::string_view headers) {
  // Each header line: name *(SP/HTAB) ":" value, continued over folded lines.
  std::size_t pos = headers.find("\r\n");  // skip the start line
  long long found = -1;
  while (pos != std::string_view::npos && pos + 2 < headers.size()) {
    pos += 2;
    std::size_t end = headers.find("\r\n", pos);
    while (end != std::string_view::npos && end + 2 < headers.size() &&
           charset::is_ws(headers[end + 2])) {
      end = headers.find("\r\n", end + 2);
    }
    const std::string_view line = headers.substr(pos, end - pos);
    const std::size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    while (!name.empty() && charset::is_ws(name.back())) name.remove_suffix(1);
    if (colon != std::string_view::npos &&
        (charset::iequals(name, "Content-Length") || charset::iequals(name, "l"))) {
      if (found != -1) return -2;  // two Content-Length fields cannot frame a stream
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && (charset::is_ws(value.front()) || value.front() == '\r' || value.front() == '\n')) {
        value.remove_prefix(1);
      }
      while (!value.empty() && (charset::is_ws(value.back()) || value.back() == '\r' || value.back() == '\n')) {
        value.remove_suffix(1);
      }
      const auto number = grammar::to_unsigned(value, UINT32_MAX);
      if (!number) return -2;
      found = static_cast<long long>(*number);
    }
    pos = end;
  }
  return found;
}

}  // namespace sippay::sip
