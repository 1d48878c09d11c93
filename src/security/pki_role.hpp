// The roles an operator CA issues certificates for, and what each role's
// certificate may do. Every role gets digitalSignature and, for CMS
// envelopes addressed to it, keyAgreement (EC) or keyEncipherment (RSA),
// plus extendedKeyUsage emailProtection, which `openssl cms -verify`
// requires. Every role adds serverAuth and clientAuth: each one accepts TLS
// connections (merchants and customers from their proxy) and opens them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/error.hpp"
#include "security/private_key.hpp"

namespace sippay::security {

enum class PkiRole { merchant, customer, gateway, proxy };

std::string_view to_string(PkiRole role);
std::optional<PkiRole> parse_pki_role(std::string_view text);

struct RoleUsage {
  std::string key_usage;           // OpenSSL configuration syntax
  std::string extended_key_usage;  // OpenSSL configuration syntax
};

RoleUsage role_usage(PkiRole role, PrivateKey::Algorithm algorithm);

// Checks that `uri` is a sip or sips URI without headers, fit for a
// certificate's subjectAltName.
Status check_certificate_sip_uri(std::string_view uri);
// Checks that `name` is a host name of letters, digits and hyphens
// (RFC 1123 §2.1), at most 253 characters; wildcards are rejected.
Status check_certificate_dns_name(std::string_view name);

}  // namespace sippay::security
