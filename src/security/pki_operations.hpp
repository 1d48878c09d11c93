// The operator PKI commands, on a directory laid out as in pki_directory.hpp:
// create a CA, issue certificates, revoke them, and re-sign the CRL. Each
// holds the directory's lock while it changes files.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "security/certificate.hpp"
#include "security/error.hpp"
#include "security/pki_directory.hpp"
#include "security/pki_index.hpp"
#include "security/pki_role.hpp"
#include "security/private_key.hpp"

namespace sippay::security {

struct PkiInitOptions {
  PrivateKey::Algorithm algorithm = PrivateKey::Algorithm::ec_p256;
  int rsa_bits = kDefaultRsaBits;
  std::string ca_name = "sippay operator CA";  // the CA's subject CN
  int ca_days = kDefaultCaValidityDays;
  int crl_days = kDefaultCrlValidityDays;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// Creates the directory (mode 0700) if needed, a CA key and self-signed
// certificate, an empty index and an empty CRL. Fails, changing nothing,
// when the directory already contains a CA.
Result<Certificate> pki_init(const std::filesystem::path& directory, const PkiInitOptions& options);

struct PkiIssueOptions {
  std::string uri;                     // subjectAltName URI, sip: or sips:
  PkiRole role = PkiRole::merchant;
  std::vector<std::string> dns_names;  // subjectAltName dNSName, for TLS hosts
  std::vector<std::string> ip_addresses;  // subjectAltName iPAddress, for TLS listeners named by address
  int days = kDefaultCertificateValidityDays;
  PrivateKey::Algorithm algorithm = PrivateKey::Algorithm::ec_p256;
  int rsa_bits = kDefaultRsaBits;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

struct IssuedCertificate {
  Certificate certificate;
  std::filesystem::path certificate_file;
  std::filesystem::path key_file;
};

// Generates a key and issues a certificate for it, recording it in the
// index. The certificate may not outlive the CA.
Result<IssuedCertificate> pki_issue(const std::filesystem::path& directory, const PkiIssueOptions& options);

struct PkiRevokeOptions {
  std::optional<std::string> serial_hex;  // one certificate, any case, leading zeros ignored
  std::optional<std::string> uri;         // every valid certificate naming this entity
  int crl_days = kDefaultCrlValidityDays;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

struct RevokeOutcome {
  std::vector<PkiIndexEntry> revoked;  // the entries this call revoked
  std::uint64_t crl_number = 0;
};

// Marks the chosen certificates revoked in the index and publishes a new
// CRL. Exactly one of serial_hex and uri must be set. Fails with malformed
// when nothing valid matches.
Result<RevokeOutcome> pki_revoke(const std::filesystem::path& directory, const PkiRevokeOptions& options);

// Re-signs the CRL with the current revocations, for before it expires.
// Returns the new cRLNumber.
Result<std::uint64_t> pki_update_crl(const std::filesystem::path& directory, int crl_days,
                                     std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace sippay::security
