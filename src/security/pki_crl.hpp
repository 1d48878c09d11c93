// Building and signing the operator CA's CRL (RFC 5280 §5): a full CRL,
// with a cRLNumber and authorityKeyIdentifier and no other extension, so a
// TrustStore reads it as covering every certificate of the CA.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "security/certificate.hpp"
#include "security/error.hpp"
#include "security/private_key.hpp"

namespace sippay::security {

struct RevokedCertificate {
  std::string serial_hex;
  std::chrono::system_clock::time_point revoked_at;
};

struct CrlRequest {
  std::uint64_t crl_number = 1;  // grows by one with every CRL the CA issues
  std::chrono::system_clock::time_point this_update;
  std::chrono::system_clock::time_point next_update;
};

// Returns the CRL as PEM text, signed with SHA-256 by `ca_key`.
Result<std::string> make_crl_pem(const Certificate& ca, const PrivateKey& ca_key,
                                 std::span<const RevokedCertificate> revoked, const CrlRequest& request);

}  // namespace sippay::security
