// Key usage rules for each KeyPurpose (listed beside KeyPurpose).
#pragma once

#include "security/certificate.hpp"
#include "security/error.hpp"
#include "security/trust_store.hpp"

namespace sippay::security {

// Returns bad_key_usage, naming the missing usage, unless `certificate`'s
// keyUsage and extendedKeyUsage fit `purpose`.
Status check_key_usage(const Certificate& certificate, KeyPurpose purpose);

}  // namespace sippay::security
