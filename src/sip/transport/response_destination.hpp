// The destination of a response (RFC 3261 §18.2.2 with RFC 3581 §4),
// computed from the request's top Via and the request's source only.
#pragma once

#include <cstdint>
#include <string>

#include "sip/headers.hpp"
#include "sip/transport/transport.hpp"

namespace sippay::sip {

struct ResponseDestination {
  // TCP and TLS: the connection the request came on, to use while it is
  // open. 0 for UDP.
  std::uint64_t connection_id = 0;
  // UDP: where to send. TCP and TLS: where to connect when the connection
  // has closed.
  TransportAddress address;
  // TLS: the sent-by host when it is a domain name, for checking the
  // certificate of a new connection. Empty otherwise.
  std::string tls_server_name;
};

// Computes the destination of a response to `request`, whose top Via is `top`.
//
// The address is the Via's `received` parameter when present. Without it,
// the request's source address is used, because §18.2.1 has the server add
// `received` whenever the sent-by host differs from the source, so the two
// agree. Over UDP the port is the `rport` value, or the request's source
// port for a valueless `rport` (RFC 3581 §4), else the sent-by port, else
// 5060. Over TCP and TLS the port is the sent-by port or the protocol's
// default port; `rport` applies to unreliable transports only.
//
// NOTE: `maddr` (multicast responses, §18.2.2) is ignored, so a response
// always goes to a unicast address.
ResponseDestination response_destination(const Via& top, const ReceivedMessage& request);

}  // namespace sippay::sip
