// Addresses of record in canonical form (RFC 3261 §10.3 step 5), the key of
// the location service.
#pragma once

#include <optional>
#include <string>

#include "sip/uri.hpp"

namespace sippay::proxy {

// The canonical address of record of `uri`: "sip:" or "sips:", the user,
// "@" and the host. The password, port, URI parameters (user=phone among
// them) and headers are dropped. The user's escapes are decoded and then
// re-encoded only where the user grammar requires them, so "%61lice" and
// "alice" give the same key. The host is in lower case. Returns nullopt
// unless `uri` is a sip or sips URI with a user part.
std::optional<std::string> canonical_aor(const sip::Uri& uri);

}  // namespace sippay::proxy
