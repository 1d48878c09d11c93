#include "security/pki_crl.hpp"

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "security/openssl_util.hpp"

namespace sippay::security {
namespace {

using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpensslDeleter<ASN1_INTEGER_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, OpensslDeleter<ASN1_TIME_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BN_free>>;

Error crl_error(std::string_view step) {
  return Error{ErrorCode::crl_invalid,
               fmt::format("cannot build the CRL ({}): {}", step, take_openssl_errors())};
}

Asn1TimePtr make_time(std::chrono::system_clock::time_point time) {
  return Asn1TimePtr(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(time)));
}

bool add_revoked(X509_CRL* crl, const RevokedCertificate& entry) {
  BIGNUM* raw_number = nullptr;
  if (BN_hex2bn(&raw_number, entry.serial_hex.c_str()) == 0) return false;
  BignumPtr number(raw_number);
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(number.get(), nullptr));
  Asn1TimePtr revoked_at = make_time(entry.revoked_at);
  X509_REVOKED* revoked = X509_REVOKED_new();
  if (!serial || !revoked_at || revoked == nullptr || X509_REVOKED_set_serialNumber(revoked, serial.get()) != 1 ||
      X509_REVOKED_set_revocationDate(revoked, revoked_at.get()) != 1 || X509_CRL_add0_revoked(crl, revoked) != 1) {
    X509_REVOKED_free(revoked);
    return false;
  }
  return true;
}

}  // namespace

Result<std::string> make_crl_pem(const Certificate& ca, const PrivateKey& ca_key,
                                 std::span<const RevokedCertificate> revoked, const CrlRequest& request) {
  clear_openssl_errors();
  X509CrlPtr crl(X509_CRL_new());
  if (!crl) return crl_error("X509_CRL_new");
  if (X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.native())) != 1) {
    return crl_error("issuer");
  }
  Asn1TimePtr this_update = make_time(request.this_update);
  Asn1TimePtr next_update = make_time(request.next_update);
  if (!this_update || !next_update || X509_CRL_set1_lastUpdate(crl.get(), this_update.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next_update.get()) != 1) {
    return crl_error("update times");
  }
  for (const RevokedCertificate& entry : revoked) {
    if (!add_revoked(crl.get(), entry)) return crl_error("revoked serial " + entry.serial_hex);
  }

  Asn1IntegerPtr number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_uint64(number.get(), request.crl_number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return crl_error("cRLNumber");
  }
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, ca.native(), nullptr, nullptr, crl.get(), 0);
  X509_EXTENSION* key_id = X509V3_EXT_conf_nid(nullptr, &context, NID_authority_key_identifier, "keyid:always");
  if (key_id == nullptr) return crl_error("authorityKeyIdentifier");
  const int added = X509_CRL_add_ext(crl.get(), key_id, -1);
  X509_EXTENSION_free(key_id);
  if (added != 1) return crl_error("authorityKeyIdentifier");

  if (X509_CRL_sort(crl.get()) != 1 || X509_CRL_sign(crl.get(), ca_key.native(), EVP_sha256()) <= 0) {
    return crl_error("signature");
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl.get()) != 1) return crl_error("PEM encoding");
  return memory_bio_contents(bio.get());
}

}  // namespace sippay::security
