// Building a response to a received request (RFC 3261 §8.2.6).
#pragma once

#include <string>
#include <string_view>

#include "sip/message.hpp"

namespace sippay::sip {

struct ResponseExtras {
  std::string to_tag;          // added to To when it has none and the code is not 100
  std::string extra_headers;   // whole header lines, each ending in CRLF
  std::string content_type;    // with the body
  std::string body;
};

// The usual reason phrase of a status code ("OK", "Not Found"), or "Unknown".
std::string_view default_reason_phrase(int status_code);

// Copies Via (all values, in order), From, To, Call-ID and CSeq from the
// request (§8.2.6.2), adds a To tag when asked, the extra headers and the
// body with its Content-Length.
// REQUIRES: request.is_request() and request.semantic_error() == nullptr, or
// at least Via, From, To, Call-ID and CSeq present.
std::string build_response(const Message& request, int status_code, std::string_view reason,
                           const ResponseExtras& extras = {});

// A response to a request too broken to copy headers from faithfully
// (missing Call-ID, say): echoes whatever of Via, From, To, Call-ID and CSeq
// the request has, as written.
std::string build_response_best_effort(const Message& request, int status_code,
                                       std::string_view reason);

}  // namespace sippay::sip
