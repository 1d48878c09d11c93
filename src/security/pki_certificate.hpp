// Building and signing X.509 v3 certificates for the operator PKI: the
// self-signed CA and the certificates it issues.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "security/certificate.hpp"
#include "security/error.hpp"
#include "security/private_key.hpp"

namespace sippay::security {

struct CertificateProfile {
  std::string common_name;             // subject CN; informational only, never an identity
  std::vector<std::string> sip_uris;   // subjectAltName uniformResourceIdentifier entries
  std::vector<std::string> dns_names;  // subjectAltName dNSName entries
  std::vector<std::string> ip_addresses;  // subjectAltName iPAddress entries, "127.0.0.1" or "::1"
  bool is_ca = false;                  // basicConstraints CA:TRUE (critical either way)
  // keyUsage (marked critical) and extendedKeyUsage in OpenSSL's
  // configuration syntax, for example "digitalSignature,keyAgreement" and
  // "emailProtection,clientAuth". Empty leaves the extension out.
  std::string key_usage;
  std::string extended_key_usage;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  std::string serial_hex;  // empty: a fresh random 127-bit serial
};

// Returns a random positive serial number of 127 bits in upper-case hex, so
// serials never repeat in practice and reveal nothing about issuance order.
Result<std::string> random_serial_hex();

// Makes a self-signed CA certificate for `key`. The profile's is_ca,
// key_usage and extended_key_usage are replaced by CA:TRUE and
// keyCertSign,cRLSign.
Result<Certificate> make_ca_certificate(const PrivateKey& key, CertificateProfile profile);

// Issues a certificate for the public half of `subject_key`, signed with
// SHA-256 by `ca_key`, the key of `ca`.
Result<Certificate> issue_certificate(const Certificate& ca, const PrivateKey& ca_key,
                                      const PrivateKey& subject_key, const CertificateProfile& profile);

}  // namespace sippay::security
