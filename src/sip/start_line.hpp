// The start line of a SIP message (RFC 3261 §7.1, §7.2, grammar §25.1).
// Internal to the SIP library.
#pragma once

#include <optional>
#include <string_view>

#include "sip/message.hpp"

namespace sippay::sip {

// `line` is the start line without its CRLF, at offset 0 of the message.
// REQUIRES: out.request_uri is equal to a default-constructed Uri, which
// parse_request_line fills in place.
std::optional<ParseError> parse_request_line(std::string_view line, RequestLine& out);
std::optional<ParseError> parse_status_line(std::string_view line, StatusLine& out);

// True when the line starts like a Status-Line ("SIP/" in any case).
bool looks_like_status_line(std::string_view line);

}  // namespace sippay::sip
