// Resolution of a SIP URI to the address a request goes to (a small part of
// RFC 3263).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sip/transport/transport.hpp"
#include "sip/uri.hpp"

namespace sippay::sip {

struct Target {
  TransportAddress address;
  std::string tls_server_name;  // the URI's host, for the certificate check
};

// Resolves the URI's maddr or host, port and transport: `sips:` means TLS,
// else the `transport` parameter (udp, tcp, tls), else UDP; the port
// defaults to 5060, or 5061 for TLS. Returns nullopt with `error` set when
// the URI is not sip or sips, or its host is neither an IP address nor
// "localhost".
// NOTE: no DNS lookups (RFC 3263 NAPTR, SRV, A) are made; deployments name
// their proxy by address.
std::optional<Target> resolve_target(const Uri& uri, std::string& error);
std::optional<Target> resolve_target(std::string_view uri_text, std::string& error);

}  // namespace sippay::sip
