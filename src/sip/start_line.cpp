#include "sip/start_line.hpp"

#include "sip/find_byte.hpp"
#include "sip/header_grammar.hpp"

namespace sippay::sip {
namespace {

using grammar::quote_for_error;

// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT; only 2.0 is supported (505
// otherwise, §21.5.6).
std::optional<ParseError> check_version(std::string_view version, std::size_t offset) {
  Scanner s(version, offset);
  // The exact spelling first, because nearly every message has it.
  if (version == "SIP/2.0" || charset::iequals(version, "SIP/2.0")) return std::nullopt;
  const bool well_formed = s.consume_ci("SIP/") && !s.take_while(charset::kDigit).empty() &&
                           s.consume('.') && !s.take_while(charset::kDigit).empty() && s.at_end();
  ParseError error = s.error_at(0, "");
  if (!well_formed) {
    error.reason = "invalid SIP version " + quote_for_error(version) + ": expected SIP/2.0";
    return error;
  }
  error.status_code = 505;
  error.reason = "SIP version " + quote_for_error(version) + " is not supported: only SIP/2.0 is";
  return error;
}

// Length of the non-ASCII run at `i` that the Reason-Phrase grammar takes:
// 1 for a lone UTF8-CONT byte (%x80-BF), a whole UTF8-NONASCII sequence
// for a lead byte (%xC0-FD), or 0 when the bytes match neither.
std::size_t non_ascii_length(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead <= 0xBF) return 1;
  const std::size_t continuation = lead <= 0xDF   ? 1
                                   : lead <= 0xEF ? 2
                                   : lead <= 0xF7 ? 3
                                   : lead <= 0xFB ? 4
                                   : lead <= 0xFD ? 5
                                                  : 0;
  if (continuation == 0 || i + continuation >= text.size()) return 0;
  for (std::size_t k = 1; k <= continuation; ++k) {
    const auto byte = static_cast<unsigned char>(text[i + k]);
    if (byte < 0x80 || byte > 0xBF) return 0;
  }
  return continuation + 1;
}

// Reason-Phrase = *(reserved / unreserved / escaped / UTF8-NONASCII / UTF8-CONT / SP / HTAB)
std::optional<ParseError> check_reason_phrase(std::string_view reason, std::size_t offset) {
  Scanner s(reason, offset);
  while (!s.at_end()) {
    const char c = s.peek();
    const auto byte = static_cast<unsigned char>(c);
    if (c == '%') {
      if (s.pos() + 2 >= reason.size()) {
        return s.error("incomplete '%' escape in reason phrase");
      }
      if (!charset::is_hex(reason[s.pos() + 1]) || !charset::is_hex(reason[s.pos() + 2])) {
        return s.error("invalid '%' escape in reason phrase");
      }
      s.advance(3);
    } else if (charset::is(c, charset::kUric) || c == ' ' || c == '\t') {
      s.advance();
    } else if (byte >= 0x80) {
      const std::size_t length = non_ascii_length(reason, s.pos());
      if (length == 0) return s.error("invalid UTF-8 in reason phrase");
      s.advance(length);
    } else {
      return s.error("invalid character " + quote_for_error(reason.substr(s.pos(), 1)) +
                     " in reason phrase");
    }
  }
  return std::nullopt;
}

}  // namespace

bool looks_like_status_line(std::string_view line) {
  return charset::iequals(line.substr(0, 4), "SIP/");
}

std::optional<ParseError> parse_request_line(std::string_view line, RequestLine& out) {
  // Request-Line = Method SP Request-URI SP SIP-Version CRLF
  Scanner s(line, 0);
  out.method = s.take_token();
  if (out.method.empty()) return s.error("request line must start with a method token");
  if (!s.consume(' ')) return s.error("expected one space after the method");
  if (s.at_end() || s.peek() == ' ' || s.peek() == '\t') {
    return s.error("request line elements must be separated by exactly one space");
  }
  const std::size_t uri_start = s.pos();
  const std::size_t uri_end = find_byte(line.data(), uri_start, line.size(), ' ');
  if (uri_end == line.size()) return s.error("missing SIP version in request line");
  const std::string_view uri_text = line.substr(uri_start, uri_end - uri_start);
  if (uri_text.front() == '<') {
    return s.error("Request-URI must not be enclosed in '<' and '>'");
  }
  // Parsed in place, which saves a copy of the whole Uri.
  if (auto e = parse_uri_into_empty(uri_text, uri_start, out.request_uri)) return e;
  const Uri& uri = out.request_uri;
  if (!uri.headers.empty()) {
    // §19.1.1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
    return s.error_at(uri_start + (uri.headers.raw().data() - uri_text.data()),
                      "Request-URI must not contain headers ('?...')");
  }

  s.set_pos(uri_end + 1);
  const std::string_view version = s.rest();
  if (version.empty() || version.front() == ' ') {
    return s.error("request line elements must be separated by exactly one space");
  }
  // A loop, because find_first_of calls memchr once per byte of the version.
  std::size_t blank = 0;
  while (blank < version.size() && !charset::is_ws(version[blank])) ++blank;
  if (blank != version.size()) {
    const std::size_t space = uri_end + 1 + blank;
    if (line.find_first_not_of(" \t", space) == std::string_view::npos) {
      return s.error_at(space, "whitespace after the SIP version at the end of the request line");
    }
    return s.error_at(uri_start, "Request-URI must not contain whitespace");
  }
  out.version = version;
  return check_version(version, s.pos());
}

std::optional<ParseError> parse_status_line(std::string_view line, StatusLine& out) {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
  Scanner s(line, 0);
  const std::size_t version_end = line.find(' ');
  if (version_end == std::string_view::npos) return s.error("missing status code in status line");
  out.version = line.substr(0, version_end);
  if (auto e = check_version(out.version, 0)) return e;

  s.set_pos(version_end + 1);
  const std::size_t code_pos = s.pos();
  const std::string_view digits = s.take_while(charset::kDigit);
  const auto code = grammar::to_unsigned(digits, 699);
  if (digits.size() != 3 || !code || *code < 100) {
    return s.error_at(
        code_pos, "status code " + quote_for_error(digits) + " must be 3 digits from 100 to 699");
  }
  out.status_code = static_cast<int>(*code);
  if (!s.consume(' ')) return s.error("expected one space after the status code");
  out.reason_phrase = s.rest();
  return check_reason_phrase(out.reason_phrase, s.pos());
}

}  // namespace sippay::sip
