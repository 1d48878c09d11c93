// Builders of SIP message text for the message, serializer and stream
// framer tests. Every builder writes CRLF line endings.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace sippay::sip::test_support {

// Joins `lines` (start line and header fields) with CRLF, then appends the
// empty line and `body` unchanged.
inline std::string join_message(std::initializer_list<std::string_view> lines,
                                std::string_view body = {}) {
  std::string text;
  for (std::string_view line : lines) {
    text.append(line);
    text.append("\r\n");
  }
  text.append("\r\n");
  text.append(body);
  return text;
}

// A request with `start_line`, the headers every request needs (Via, From,
// To, Call-ID, CSeq with the start line's method, Max-Forwards), then
// `extra_headers`, a Content-Length that matches `body`, and `body`.
inline std::string request_with(std::string_view start_line,
                                std::initializer_list<std::string_view> extra_headers = {},
                                std::string_view body = {}) {
  const std::string_view method = start_line.substr(0, start_line.find(' '));
  std::string text(start_line);
  text.append("\r\n");
  text.append("Via: SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bK74bf9\r\n");
  text.append("From: Payer <sip:payer@example.com>;tag=9fxced76sl\r\n");
  text.append("To: Merchant <sip:merchant@example.net>\r\n");
  text.append("Call-ID: 3848276298220188511@pc.example.com\r\n");
  text.append("CSeq: 1 ");
  text.append(method);
  text.append("\r\n");
  text.append("Max-Forwards: 70\r\n");
  for (std::string_view header : extra_headers) {
    text.append(header);
    text.append("\r\n");
  }
  text.append("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  text.append(body);
  return text;
}

// A response to an INVITE with `status_line`, the headers every response
// needs, then `extra_headers`, a matching Content-Length and `body`.
inline std::string response_with(std::string_view status_line,
                                 std::initializer_list<std::string_view> extra_headers = {},
                                 std::string_view body = {}) {
  std::string text(status_line);
  text.append("\r\n");
  text.append("Via: SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.1\r\n");
  text.append("From: Payer <sip:payer@example.com>;tag=9fxced76sl\r\n");
  text.append("To: Merchant <sip:merchant@example.net>;tag=8321234356\r\n");
  text.append("Call-ID: 3848276298220188511@pc.example.com\r\n");
  text.append("CSeq: 1 INVITE\r\n");
  for (std::string_view header : extra_headers) {
    text.append(header);
    text.append("\r\n");
  }
  text.append("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
  text.append(body);
  return text;
}

}  // namespace sippay::sip::test_support
