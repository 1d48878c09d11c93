// Hosts as RFC 3261 §25.1 writes them: hostname, IPv4address and
// IPv6reference. Shared by the URI parser and the Via parser.
#pragma once

#include <cstddef>
#include <string_view>

#include "sip/uri.hpp"

namespace sippay::sip {

// Scans the longest host at `pos` in `text`. Returns the end position and
// sets `type`, or returns `pos` when no valid host starts there. An IPv6
// reference must be bracketed unless `bare_ipv6` is set (the form of the Via
// `received` parameter).
std::size_t scan_host(std::string_view text, std::size_t pos, HostType& type,
                      bool bare_ipv6 = false);

// True when all of `text` is a host of the given forms.
bool is_host(std::string_view text, HostType& type);
bool is_ipv4(std::string_view text);
bool is_ipv6(std::string_view text);  // without brackets

}  // namespace sippay::sip
