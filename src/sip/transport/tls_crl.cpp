#include "sip/transport/tls_crl.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <vector>

#include "sip/transport/transport_error.hpp"

namespace sippay::sip {
namespace {

// Largest CA file accepted, in bytes of PEM text.
constexpr std::size_t kMaxCaFileBytes = 4 * 1024 * 1024;

struct CertificateDeleter {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
struct CrlDeleter {
  void operator()(X509_CRL* crl) const { X509_CRL_free(crl); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using CertificatePtr = std::unique_ptr<X509, CertificateDeleter>;
using CrlPtr = std::unique_ptr<X509_CRL, CrlDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// The oldest error on OpenSSL's queue as text, and an empty queue after.
std::string take_openssl_error() {
  const char* reason = ERR_reason_error_string(ERR_peek_error());
  std::string text = reason != nullptr ? reason : "unknown OpenSSL error";
  ERR_clear_error();
  return text;
}

// Reads at most `max_bytes` of `path`; nullopt when it cannot be read or is larger.
std::optional<std::string> read_text(const std::string& path, std::size_t max_bytes, std::string& problem) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problem = "cannot be opened";
    return std::nullopt;
  }
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    problem = "cannot be read";
    return std::nullopt;
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > max_bytes) {
    problem = fmt::format("is larger than the limit of {} bytes", max_bytes);
    return std::nullopt;
  }
  return text;
}

// Parses every PEM block of `text` that `read` (a PEM_read_bio_* function)
// accepts. Blocks of other types are skipped. Fails on a damaged block.
template <typename Ptr, typename Read>
std::optional<std::vector<Ptr>> parse_pem_blocks(const std::string& text, Read read, std::string& problem) {
  ERR_clear_error();
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) {
    problem = "cannot be buffered: " + take_openssl_error();
    return std::nullopt;
  }
  std::vector<Ptr> blocks;
  while (auto* block = read(bio.get(), nullptr, nullptr, nullptr)) {
    blocks.emplace_back(block);
  }
  // The loop ends with "no start line" at the end of the text; any other
  // error is a damaged block.
  const unsigned long code = ERR_peek_last_error();
  if (code != 0 && !(ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE)) {
    problem = "contains an invalid PEM block: " + take_openssl_error();
    return std::nullopt;
  }
  ERR_clear_error();
  return blocks;
}

CrlStoreResult failure(TransportError error, std::string detail) {
  return {nullptr, make_error_code(error), std::move(detail)};
}

std::string subject_of(X509_NAME* name) {
  char* text = X509_NAME_oneline(name, nullptr, 0);
  std::string subject = text != nullptr ? text : "?";
  OPENSSL_free(text);
  return subject;
}

// The CA of `cas` that issued `crl` and whose key verifies its signature.
// Null when none does, with the reason in `problem`.
X509* find_crl_issuer(X509_CRL* crl, const std::vector<CertificatePtr>& cas, std::string& problem) {
  problem = fmt::format("its issuer {} is not a CA of the CA file", subject_of(X509_CRL_get_issuer(crl)));
  for (const CertificatePtr& ca : cas) {
    if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(ca.get())) != 0) continue;
    EVP_PKEY* key = X509_get0_pubkey(ca.get());
    if (key != nullptr && X509_CRL_verify(crl, key) == 1) return ca.get();
    ERR_clear_error();
    problem = fmt::format("its signature does not verify with the key of the CA {}",
                          subject_of(X509_get_subject_name(ca.get())));
  }
  return nullptr;
}

// A partial CRL would let a revoked certificate pass as not listed.
std::optional<std::string> partial_scope(X509_CRL* crl) {
  if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0) {
    return "it is a delta CRL; publish a full CRL";
  }
  if (X509_CRL_get_ext_by_NID(crl, NID_issuing_distribution_point, -1) >= 0) {
    return "it has an issuingDistributionPoint, so its scope is partial; publish a full CRL";
  }
  return std::nullopt;
}

}  // namespace

CrlStoreResult make_crl_store(const std::string& ca_file, const std::string& crl_file) {
  if (ca_file.empty()) {
    return failure(TransportError::kInvalidSettings,
                   fmt::format("CRL file \"{}\" needs a CA file to check it with; set ca_file", crl_file));
  }
  std::string problem;
  const auto ca_text = read_text(ca_file, kMaxCaFileBytes, problem);
  if (!ca_text) return failure(TransportError::kInvalidSettings, fmt::format("CA file \"{}\" {}", ca_file, problem));
  auto cas = parse_pem_blocks<CertificatePtr>(*ca_text, PEM_read_bio_X509, problem);
  if (cas && cas->empty()) problem = "contains no PEM certificate";
  if (!cas || cas->empty()) {
    return failure(TransportError::kInvalidSettings, fmt::format("CA file \"{}\" {}", ca_file, problem));
  }

  const auto crl_failure = [&crl_file](const std::string& what) {
    return failure(TransportError::kInvalidCrl, fmt::format("CRL file \"{}\" {}", crl_file, what));
  };
  const auto crl_text = read_text(crl_file, kMaxTlsCrlFileBytes, problem);
  if (!crl_text) return crl_failure(problem);
  auto crls = parse_pem_blocks<CrlPtr>(*crl_text, PEM_read_bio_X509_CRL, problem);
  if (!crls) return crl_failure(problem);
  if (crls->empty()) return crl_failure("contains no PEM CRL (-----BEGIN X509 CRL-----)");

  std::vector<X509*> cas_with_crl;
  for (std::size_t i = 0; i < crls->size(); ++i) {
    X509_CRL* crl = (*crls)[i].get();
    X509* issuer = find_crl_issuer(crl, *cas, problem);
    if (issuer == nullptr) return crl_failure(fmt::format("CRL {}: {}", i + 1, problem));
    if (auto partial = partial_scope(crl)) return crl_failure(fmt::format("CRL {}: {}", i + 1, *partial));
    cas_with_crl.push_back(issuer);
  }
  bool roots_only = true;
  for (const CertificatePtr& ca : *cas) {
    if (std::find(cas_with_crl.begin(), cas_with_crl.end(), ca.get()) == cas_with_crl.end()) {
      return crl_failure(fmt::format("has no CRL of the CA {} from the CA file; every CA needs one",
                                     subject_of(X509_get_subject_name(ca.get()))));
    }
    roots_only = roots_only && X509_self_signed(ca.get(), 0) == 1;
  }

  X509StorePtr store(X509_STORE_new());
  if (!store) return crl_failure("cannot be stored: " + take_openssl_error());
  for (const CertificatePtr& ca : *cas) {
    if (X509_STORE_add_cert(store.get(), ca.get()) != 1) return crl_failure("cannot be stored: " + take_openssl_error());
  }
  for (const CrlPtr& crl : *crls) {
    if (X509_STORE_add_crl(store.get(), crl.get()) != 1) return crl_failure("cannot be stored: " + take_openssl_error());
  }
  // CRL_CHECK_ALL checks every certificate of the chain, so an intermediate
  // CA sent by a peer would need a CRL from its issuer too. The operator
  // PKI issues from the root only.
  unsigned long flags = X509_V_FLAG_CRL_CHECK;
  if (roots_only) flags |= X509_V_FLAG_CRL_CHECK_ALL;
  X509_STORE_set_flags(store.get(), flags);
  return {std::move(store), {}, {}};
}

}  // namespace sippay::sip
