// The OpenSSL certificate store that TLS contexts verify peers with when a
// CRL file is configured: the CAs of the CA file, the CRLs of the CRL file,
// and revocation checking switched on.
#pragma once

#include <openssl/x509_vfy.h>

#include <cstddef>
#include <memory>
#include <string>
#include <system_error>

namespace sippay::sip {

// Largest CRL file accepted, in bytes of PEM text (the limit of the CMS
// layer's CRL too).
inline constexpr std::size_t kMaxTlsCrlFileBytes = 4 * 1024 * 1024;

struct X509StoreDeleter {
  void operator()(X509_STORE* store) const { X509_STORE_free(store); }
};
using X509StorePtr = std::unique_ptr<X509_STORE, X509StoreDeleter>;

struct CrlStoreResult {
  X509StorePtr store;  // null on error
  std::error_code error;
  std::string detail;  // on error: the file and the problem, for the log
};

// Builds a store with every certificate of `ca_file` and every CRL of
// `crl_file` (PEM, one or more CRLs). Each CRL must be a full CRL (no delta
// CRL, no issuingDistributionPoint) issued by a CA of `ca_file` and signed
// with its key, and each CA of `ca_file` must have a CRL. The store checks
// the peer's certificate against the CRLs (X509_V_FLAG_CRL_CHECK), and
// every certificate of the chain (X509_V_FLAG_CRL_CHECK_ALL) when
// `ca_file` contains only self-signed roots, as the operator PKI's does.
// The CRLs' validity periods are not checked here: OpenSSL fails every
// handshake whose CRL has expired. Fails with kInvalidSettings when
// `ca_file` is empty, unreadable or without a certificate, and with
// kInvalidCrl when `crl_file` cannot be used.
CrlStoreResult make_crl_store(const std::string& ca_file, const std::string& crl_file);

}  // namespace sippay::sip
