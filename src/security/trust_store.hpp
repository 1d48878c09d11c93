// Certificate checking against the operator CA: chain, validity period,
// revocation, key usage for a purpose, and the binding of a certificate to
// the SIP URI a message claims to come from.
//
// A TrustStore contains one CA and at most one CRL from it. Without a CRL it
// checks no revocation. It is immutable after setup, so const calls may run
// on several threads at once.
#pragma once

#include <openssl/x509.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "security/certificate.hpp"
#include "security/error.hpp"
#include "security/verified_chain_cache.hpp"

namespace sippay::security {

// Largest CRL accepted, in bytes of PEM text.
inline constexpr std::size_t kMaxCrlBytes = 4 * 1024 * 1024;

// The use of a certificate's key, each with its key usage rules:
//   signing:    digitalSignature or nonRepudiation; extendedKeyUsage, if
//               present, includes emailProtection (as `openssl cms -verify` requires)
//   encryption: keyAgreement for EC keys, keyEncipherment for RSA keys;
//               extendedKeyUsage, if present, includes emailProtection
//   tls_server: digitalSignature (or keyEncipherment for RSA); serverAuth
//   tls_client: digitalSignature; clientAuth
// Every purpose requires a keyUsage extension and a leaf that is not a CA.
enum class KeyPurpose { signing, encryption, tls_server, tls_client };

// The number, dates and entry count of a loaded CRL, for logs.
struct CrlInfo {
  std::string number;  // cRLNumber in decimal; empty when the CRL has none
  std::chrono::system_clock::time_point this_update;
  std::optional<std::chrono::system_clock::time_point> next_update;
  std::size_t revoked_count = 0;
};

struct VerifiedCertificate {
  Certificate certificate;
  std::vector<std::string> sip_uris;  // subjectAltName sip and sips URIs
};

class TrustStore {
 public:
  // Loads the CA certificate and, when given, its CRL.
  static Result<TrustStore> load(const std::filesystem::path& ca_pem,
                                 const std::optional<std::filesystem::path>& crl_pem);

  explicit TrustStore(Certificate ca);

  // Sets the CRL from PEM text. Fails with crl_invalid for a CRL that is not
  // signed by the CA, that is a delta CRL, has an issuingDistributionPoint or
  // another critical extension (its scope would be unclear), or that is older
  // (thisUpdate) or has a lower cRLNumber than the CRL already set.
  Status add_crl_pem(std::string_view pem);

  // Checks `leaf` at time `at`, with the error code of each check in
  // brackets. First a chain through `intermediates` to the CA
  // (untrusted_chain), validity periods (expired, not_yet_valid) and the CRL
  // when one is set (revoked, or crl_invalid when the CRL is outside its
  // validity period at `at`). Then key usage for `purpose` (bad_key_usage).
  // A chain that passed is kept (VerifiedChainCache), so the same chain and
  // purpose later within its validity window skips the checks.
  Result<VerifiedCertificate> verify(
      const Certificate& leaf, std::span<const Certificate> intermediates, KeyPurpose purpose,
      std::chrono::system_clock::time_point at = std::chrono::system_clock::now()) const;

  // verify, and then identity_mismatch unless a subjectAltName SIP URI of
  // `leaf` names the entity of `claimed_sip_uri` (see match_sip_identity).
  // The subject CN is never used.
  Result<VerifiedCertificate> verify_identity(
      const Certificate& leaf, std::span<const Certificate> intermediates,
      std::string_view claimed_sip_uri, KeyPurpose purpose,
      std::chrono::system_clock::time_point at = std::chrono::system_clock::now()) const;

  const Certificate& ca() const { return ca_; }
  bool has_crl() const { return crl_ != nullptr; }
  // The CRL's number, dates and entry count; nullopt without a CRL.
  std::optional<CrlInfo> crl_info() const;
  // Chains kept by verify since the last CRL was set, for tests and metrics.
  std::size_t verified_chains() const { return verified_ ? verified_->size() : 0; }

 private:
  // Builds the X509_STORE that verify uses, from ca_ and crl_, and an empty
  // cache of verified chains. Copies of a TrustStore share both, so
  // add_crl_pem builds new ones.
  void rebuild_store();
  // Checks the chain with OpenSSL, without the cache.
  Result<VerifiedCertificate> verify_chain(const Certificate& leaf, std::span<const Certificate> intermediates,
                                           KeyPurpose purpose, std::chrono::system_clock::time_point at) const;

  Certificate ca_;
  std::shared_ptr<X509_CRL> crl_;
  std::shared_ptr<X509_STORE> store_;  // null only when OpenSSL ran out of memory
  std::shared_ptr<VerifiedChainCache> verified_;
};

std::string_view to_string(KeyPurpose purpose);

}  // namespace sippay::security
