// Building requests a UAC sends (RFC 3261 §8.1.1): MESSAGE (RFC 3428),
// OPTIONS and REGISTER (§10.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sip/transport/transport.hpp"

namespace sippay::sip {

struct RequestSpec {
  std::string method;
  std::string request_uri;
  std::string from_uri;
  std::string from_display_name;  // written quoted when not empty
  std::string from_tag;
  std::string to_uri;
  std::string call_id;
  std::uint32_t cseq = 1;
  std::vector<std::string> route;  // URIs, each written as Route: <uri>
  std::string contact_uri;         // empty: no Contact
  std::optional<std::uint32_t> expires;
  std::string user_agent;
  std::string extra_headers;  // whole header lines, each ending in CRLF
  std::string content_type;
  std::string body;
};

struct BuiltRequest {
  std::string bytes;
  std::string branch;
};

// Writes the request with a top Via naming `via_protocol` and `sent_by`,
// a fresh branch and the rport parameter (RFC 3581 §3), and Max-Forwards 70.
BuiltRequest build_request(const RequestSpec& spec, TransportProtocol via_protocol,
                           const TransportAddress& sent_by);

}  // namespace sippay::sip
