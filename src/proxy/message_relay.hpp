// The message rewriting of a proxy (RFC 3261 §16.6 and §16.7): the copy of
// a request sent to each target, and the copy of a response sent back.
//
// Header fields are copied as written, in order, except the ones named
// below; the body is copied unchanged with a new Content-Length.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sip/message.hpp"

namespace sippay::proxy {

struct ForwardSpec {
  std::string_view request_uri;  // the target's URI (§16.6 step 2)
  std::string_view via;          // the value of the Via pushed on top (§16.6 step 8)
  // Route elements to drop from the top: those naming this proxy (§16.4).
  std::size_t routes_to_remove = 0;
  // Index in request.proxy_authorization() of the credentials this proxy
  // checked, which are not forwarded (§22.3). Dropped only when the header
  // field holds nothing else.
  std::optional<std::size_t> consumed_proxy_authorization;
};

// The request to send to one target: the new Request-URI, the new Via on
// top, Max-Forwards decremented (or 70 when absent, §16.6 step 3), and the
// Route and Proxy-Authorization elements of `spec` dropped.
// REQUIRES: request.is_request(), and Max-Forwards above 0 when present.
std::string build_forwarded_request(const sip::Message& request, const ForwardSpec& spec);

// The response to send back: the received one without its top Via (§16.7 step 3).
// REQUIRES: !response.is_request() and at least one Via.
std::string build_relayed_response(const sip::Message& response);

// The loop-detection hash of RFC 3261 §16.6 step 8: FNV-1a over the
// Request-URI, the From and To tags, Call-ID, the CSeq number and the
// Route, Proxy-Require and Proxy-Authorization header fields, as received.
// A request that comes back with the same hash in this proxy's Via is a
// loop (482); with another hash it is a spiral and is processed again.
std::uint64_t loop_detection_hash(const sip::Message& request);

// The Via branch of a forwarded request: the magic cookie "z9hG4bK", a
// transaction part unique to this process (`instance` and `sequence`), and
// after a "." the loop-detection hash in 16 hex digits.
std::string make_branch(std::string_view instance, std::uint64_t sequence, std::uint64_t loop_hash);

// Whether `branch` is one made by make_branch with `loop_hash`.
bool branch_has_loop_hash(std::string_view branch, std::uint64_t loop_hash);

}  // namespace sippay::proxy
