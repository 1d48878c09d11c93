#include "security/trust_store.hpp"

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <utility>

#include "security/file_io.hpp"
#include "security/key_usage.hpp"
#include "security/openssl_util.hpp"
#include "security/sip_identity.hpp"

namespace sippay::security {
namespace {

using StoreContextPtr = std::unique_ptr<X509_STORE_CTX, OpensslDeleter<X509_STORE_CTX_free>>;
// sk_X509_free is a macro, so it needs a deleter of its own.
struct CertificateStackDeleter {
  void operator()(STACK_OF(X509) * stack) const { sk_X509_free(stack); }
};
using CertificateStackPtr = std::unique_ptr<STACK_OF(X509), CertificateStackDeleter>;

ErrorCode classify_verify_error(int error) {
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return ErrorCode::expired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return ErrorCode::not_yet_valid;
    case X509_V_ERR_CERT_REVOKED:
      return ErrorCode::revoked;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
    case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
    case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
      return ErrorCode::crl_invalid;
    case X509_V_ERR_INVALID_PURPOSE:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
      return ErrorCode::bad_key_usage;
    default:
      return ErrorCode::untrusted_chain;
  }
}

// Rejects CRL features whose meaning sippay does not implement, so a CRL
// never counts as complete when it may cover only part of the certificates.
Status check_crl_scope(X509_CRL* crl) {
  if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0) {
    return Error{ErrorCode::crl_invalid, "delta CRLs are not supported; publish a full CRL"};
  }
  if (X509_CRL_get_ext_by_NID(crl, NID_issuing_distribution_point, -1) >= 0) {
    return Error{ErrorCode::crl_invalid,
                 "CRL has an issuingDistributionPoint, so its scope is partial; publish a full CRL"};
  }
  for (int i = 0; i < X509_CRL_get_ext_count(crl); ++i) {
    X509_EXTENSION* extension = X509_CRL_get_ext(crl, i);
    const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(extension));
    const bool known = nid == NID_crl_number || nid == NID_authority_key_identifier;
    if (X509_EXTENSION_get_critical(extension) != 0 && !known) {
      return Error{ErrorCode::crl_invalid, "CRL has an unknown critical extension"};
    }
  }
  return ok_status();
}

using CrlNumberPtr = std::unique_ptr<ASN1_INTEGER, OpensslDeleter<ASN1_INTEGER_free>>;

// The cRLNumber extension of `crl`; null when it has none.
CrlNumberPtr crl_number(X509_CRL* crl) {
  return CrlNumberPtr(static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr)));
}

std::string decimal(const ASN1_INTEGER* number) {
  using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BN_free>>;
  const BignumPtr bignum(ASN1_INTEGER_to_BN(number, nullptr));
  char* text = bignum ? BN_bn2dec(bignum.get()) : nullptr;
  if (text == nullptr) {
    clear_openssl_errors();
    return "?";
  }
  std::string result(text);
  OPENSSL_free(text);
  return result;
}

// The cache key of a chain for a purpose: the purpose, then the DER of the
// leaf and of each intermediate, each after its length. Empty when a
// certificate cannot be encoded.
std::string chain_key(const Certificate& leaf, std::span<const Certificate> intermediates, KeyPurpose purpose) {
  std::string key(1, static_cast<char>(purpose));
  auto append = [&key](const Certificate& certificate) {
    const std::vector<std::uint8_t> der = certificate.to_der();
    if (der.empty()) return false;
    key += std::to_string(der.size());
    key += ':';
    key.append(reinterpret_cast<const char*>(der.data()), der.size());
    return true;
  };
  if (!append(leaf)) return {};
  for (const Certificate& intermediate : intermediates) {
    if (!append(intermediate)) return {};
  }
  return key;
}

struct ValidityWindow {
  std::chrono::system_clock::time_point from = std::chrono::system_clock::time_point::min();
  std::chrono::system_clock::time_point until = std::chrono::system_clock::time_point::max();

  void narrow(std::chrono::system_clock::time_point start, std::chrono::system_clock::time_point end) {
    from = std::max(from, start);
    until = std::min(until, end);
  }
};

// When every time check of a verification holds: the validity periods of
// the CA, the leaf and the intermediates, and the CRL's thisUpdate to
// nextUpdate. A second is taken off each end, so that a boundary second
// that OpenSSL might judge otherwise is checked in full.
ValidityWindow chain_window(const Certificate& ca, const Certificate& leaf,
                            std::span<const Certificate> intermediates, X509_CRL* crl) {
  ValidityWindow window;
  window.narrow(ca.not_before(), ca.not_after());
  window.narrow(leaf.not_before(), leaf.not_after());
  for (const Certificate& intermediate : intermediates) {
    window.narrow(intermediate.not_before(), intermediate.not_after());
  }
  if (crl != nullptr) {
    const auto this_update = to_time_point(X509_CRL_get0_lastUpdate(crl));
    const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl);
    window.narrow(this_update, next != nullptr ? to_time_point(next) : std::chrono::system_clock::time_point::max());
  }
  window.from += std::chrono::seconds(1);
  window.until -= std::chrono::seconds(1);
  return window;
}

}  // namespace

std::string_view to_string(KeyPurpose purpose) {
  switch (purpose) {
    case KeyPurpose::signing: return "signing";
    case KeyPurpose::encryption: return "encryption";
    case KeyPurpose::tls_server: return "tls_server";
    case KeyPurpose::tls_client: return "tls_client";
  }
  return "unknown";
}

Result<TrustStore> TrustStore::load(const std::filesystem::path& ca_pem,
                                    const std::optional<std::filesystem::path>& crl_pem) {
  auto ca = Certificate::load_pem_file(ca_pem);
  if (!ca) return ca.error();
  if (X509_check_ca(ca.value().native()) == 0) {
    return Error{ErrorCode::untrusted_chain,
                 fmt::format("{} is not a CA certificate (no basicConstraints CA:TRUE)", ca_pem.string())};
  }
  TrustStore store(std::move(ca.value()));
  if (crl_pem) {
    auto text = read_file(*crl_pem, kMaxCrlBytes);
    if (!text) return text.error();
    const Status added = store.add_crl_pem(text.value());
    if (!added) return Error{added.error().code, crl_pem->string() + ": " + added.error().detail};
  }
  return store;
}

TrustStore::TrustStore(Certificate ca) : ca_(std::move(ca)) { rebuild_store(); }

void TrustStore::rebuild_store() {
  std::shared_ptr<X509_STORE> store(X509_STORE_new(), X509_STORE_free);
  if (!store || X509_STORE_add_cert(store.get(), ca_.native()) != 1 ||
      (crl_ && X509_STORE_add_crl(store.get(), crl_.get()) != 1)) {
    clear_openssl_errors();
    store.reset();
  }
  store_ = std::move(store);
  verified_ = std::make_shared<VerifiedChainCache>();
}

Status TrustStore::add_crl_pem(std::string_view pem) {
  if (pem.size() > kMaxCrlBytes) {
    return Error{ErrorCode::too_large,
                 fmt::format("CRL has {} bytes, more than the limit of {}", pem.size(), kMaxCrlBytes)};
  }
  clear_openssl_errors();
  BioPtr bio = memory_bio(pem);
  std::shared_ptr<X509_CRL> crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr), X509_CRL_free);
  if (!crl) return Error{ErrorCode::crl_invalid, "invalid PEM CRL: " + take_openssl_errors()};

  if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(ca_.native())) != 0) {
    return Error{ErrorCode::crl_invalid, "CRL issuer is not the CA " + ca_.subject()};
  }
  EVP_PKEY* ca_key = X509_get0_pubkey(ca_.native());
  if (ca_key == nullptr || X509_CRL_verify(crl.get(), ca_key) != 1) {
    clear_openssl_errors();
    return Error{ErrorCode::crl_invalid, "CRL signature does not verify with the CA key"};
  }
  const Status scope = check_crl_scope(crl.get());
  if (!scope) return scope;
  if (crl_ && ASN1_TIME_compare(X509_CRL_get0_lastUpdate(crl.get()), X509_CRL_get0_lastUpdate(crl_.get())) < 0) {
    return Error{ErrorCode::crl_invalid, "CRL is older than the CRL already loaded"};
  }
  if (crl_) {
    const CrlNumberPtr number = crl_number(crl.get());
    const CrlNumberPtr loaded = crl_number(crl_.get());
    if (number && loaded && ASN1_INTEGER_cmp(number.get(), loaded.get()) < 0) {
      return Error{ErrorCode::crl_invalid,
                   fmt::format("CRL number {} is lower than {} of the CRL already loaded", decimal(number.get()),
                               decimal(loaded.get()))};
    }
  }
  crl_ = std::move(crl);
  rebuild_store();
  return ok_status();
}

std::optional<CrlInfo> TrustStore::crl_info() const {
  if (!crl_) return std::nullopt;
  CrlInfo info;
  if (const CrlNumberPtr number = crl_number(crl_.get())) info.number = decimal(number.get());
  info.this_update = to_time_point(X509_CRL_get0_lastUpdate(crl_.get()));
  if (const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl_.get())) info.next_update = to_time_point(next);
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl_.get());
  info.revoked_count = revoked != nullptr ? static_cast<std::size_t>(sk_X509_REVOKED_num(revoked)) : 0;
  return info;
}

Result<VerifiedCertificate> TrustStore::verify(const Certificate& leaf,
                                               std::span<const Certificate> intermediates,
                                               KeyPurpose purpose,
                                               std::chrono::system_clock::time_point at) const {
  std::string key = chain_key(leaf, intermediates, purpose);
  if (key.empty() || !verified_) return verify_chain(leaf, intermediates, purpose, at);
  if (auto sip_uris = verified_->find(key, at)) return VerifiedCertificate{leaf, std::move(*sip_uris)};

  auto verified = verify_chain(leaf, intermediates, purpose, at);
  if (verified) {
    const ValidityWindow window = chain_window(ca_, leaf, intermediates, crl_.get());
    verified_->insert(std::move(key), verified.value().sip_uris, window.from, window.until);
  }
  return verified;
}

Result<VerifiedCertificate> TrustStore::verify_chain(const Certificate& leaf,
                                                     std::span<const Certificate> intermediates,
                                                     KeyPurpose purpose,
                                                     std::chrono::system_clock::time_point at) const {
  clear_openssl_errors();
  CertificateStackPtr untrusted(sk_X509_new_null());
  StoreContextPtr context(X509_STORE_CTX_new());
  if (!store_ || !untrusted || !context) {
    return Error{ErrorCode::untrusted_chain, "cannot set up verification: " + take_openssl_errors()};
  }
  // The stack borrows the certificates, which the caller keeps alive.
  for (const Certificate& intermediate : intermediates) {
    sk_X509_push(untrusted.get(), intermediate.native());
  }
  if (X509_STORE_CTX_init(context.get(), store_.get(), leaf.native(), untrusted.get()) != 1) {
    return Error{ErrorCode::untrusted_chain, "cannot set up verification: " + take_openssl_errors()};
  }

  X509_VERIFY_PARAM* parameters = X509_STORE_CTX_get0_param(context.get());
  X509_VERIFY_PARAM_set_time(parameters, std::chrono::system_clock::to_time_t(at));
  unsigned long flags = X509_V_FLAG_X509_STRICT;
  // CRL_CHECK_ALL checks every certificate of the chain, so an intermediate
  // CA needs its own CRL; the operator PKI issues from the root only.
  if (crl_) flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
  X509_VERIFY_PARAM_set_flags(parameters, flags);

  if (X509_verify_cert(context.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(context.get());
    const int depth = X509_STORE_CTX_get_error_depth(context.get());
    clear_openssl_errors();
    return Error{classify_verify_error(error),
                 fmt::format("certificate {} (serial {}): {} at chain depth {}", leaf.subject(),
                             leaf.serial_hex(), X509_verify_cert_error_string(error), depth)};
  }

  const Status usage = check_key_usage(leaf, purpose);
  if (!usage) return usage.error();
  return VerifiedCertificate{leaf, leaf.sip_uris()};
}

Result<VerifiedCertificate> TrustStore::verify_identity(const Certificate& leaf,
                                                        std::span<const Certificate> intermediates,
                                                        std::string_view claimed_sip_uri,
                                                        KeyPurpose purpose,
                                                        std::chrono::system_clock::time_point at) const {
  auto verified = verify(leaf, intermediates, purpose, at);
  if (!verified) return verified;
  auto match = match_sip_identity(claimed_sip_uri, verified.value().sip_uris);
  if (!match) return match.error();
  return verified;
}

}  // namespace sippay::security
