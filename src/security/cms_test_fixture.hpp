// Shared setup for the CMS and S/MIME tests: an operator CA, parties with
// EC and RSA keys made at test time, and helpers that build CMS messages
// with OpenSSL directly, the way other peers (or attackers) would.
#pragma once

#include <openssl/cms.h>
#include <openssl/rsa.h>

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "security/cms_content_info.hpp"
#include "security/cms_error.hpp"
#include "security/cms_signed_data.hpp"
#include "security/pki_crl.hpp"
#include "security/security_test_support.hpp"
#include "security/trust_store.hpp"

namespace sippay::security::testing {

inline constexpr std::string_view kAlice = "sip:alice@pay.test";
inline constexpr std::string_view kMerchant = "sip:merchant@shop.test";
inline constexpr std::string_view kGateway = "sip:gateway@pay.test";

struct Party {
  PrivateKey key;
  Certificate certificate;

  SignerCredentials credentials() const { return SignerCredentials{certificate, key, {}}; }
};

inline PrivateKey make_key(PrivateKey::Algorithm algorithm) {
  return take(PrivateKey::generate(algorithm, 2048));
}

// A leaf profile for `uri` with the key usage that signing and the key's
// type of encryption need.
inline CertificateProfile party_profile(std::string_view uri, PrivateKey::Algorithm algorithm) {
  CertificateProfile profile = leaf_profile(std::string(uri));
  profile.key_usage = algorithm == PrivateKey::Algorithm::rsa ? "digitalSignature,keyEncipherment"
                                                              : "digitalSignature,keyAgreement";
  profile.extended_key_usage = "emailProtection";
  return profile;
}

inline Party make_party(const TestCa& ca, std::string_view uri, PrivateKey::Algorithm algorithm,
                        const std::function<void(CertificateProfile&)>& adjust = {}) {
  PrivateKey key = make_key(algorithm);
  CertificateProfile profile = party_profile(uri, algorithm);
  if (adjust) adjust(profile);
  Certificate certificate = ca.issue(key, profile);
  return Party{std::move(key), std::move(certificate)};
}

// Keys and certificates shared by every test of a suite, because RSA key
// generation takes a noticeable fraction of a second.
struct CmsWorld {
  TestCa ca = make_test_ca("sippay test operator CA");
  TestCa other_ca = make_test_ca("sippay test operator CA");  // same name, another key
  Party alice = make_party(ca, kAlice, PrivateKey::Algorithm::ec_p256);
  Party merchant = make_party(ca, kMerchant, PrivateKey::Algorithm::ec_p256);
  Party gateway = make_party(ca, kGateway, PrivateKey::Algorithm::rsa);
  Party bob_rsa = make_party(ca, "sip:bob@pay.test", PrivateKey::Algorithm::rsa);
  Party expired = make_party(ca, kAlice, PrivateKey::Algorithm::ec_p256, [](CertificateProfile& p) {
    p.not_before = now_seconds() - std::chrono::hours(48);
    p.not_after = now_seconds() - std::chrono::hours(24);
  });
  Party revoked = make_party(ca, kAlice, PrivateKey::Algorithm::ec_p256);
  Party foreign = make_party(other_ca, kAlice, PrivateKey::Algorithm::ec_p256);
  TrustStore trust{ca.certificate};

  CmsWorld() {
    CrlRequest request;
    request.this_update = now_seconds() - std::chrono::hours(1);
    request.next_update = now_seconds() + std::chrono::hours(24);
    const RevokedCertificate entry{revoked.certificate.serial_hex(),
                                   now_seconds() - std::chrono::minutes(5)};
    const std::string crl = take(make_crl_pem(ca.certificate, ca.key, {&entry, 1}, request));
    const Status added = trust.add_crl_pem(crl);
    if (!added) throw std::runtime_error("test CRL rejected: " + added.error().detail);
  }

  static const CmsWorld& get() {
    static const CmsWorld world;
    return world;
  }
};

// Returns the value of a CmsResult or throws with its error.
template <class T>
T take_cms(CmsResult<T> result) {
  if (!result) throw std::runtime_error("unexpected CMS failure: " + result.error().to_string());
  return std::move(result.value());
}

// Asserts in the calling test that `result` failed with `failure`.
template <class T>
::testing::AssertionResult failed_with(const CmsResult<T>& result, CmsFailure failure) {
  if (result.ok()) return ::testing::AssertionFailure() << "succeeded, expected " << to_string(failure);
  if (result.error().failure != failure) {
    return ::testing::AssertionFailure() << "failed with " << result.error().to_string()
                                         << ", expected " << to_string(failure);
  }
  return ::testing::AssertionSuccess();
}

// Builds an envelope with OpenSSL's CMS API around `content` for `recipients`,
// calling `configure` on each RecipientInfo's key context, as a peer with
// other settings would. Returns the DER.
inline std::string encrypt_with_openssl(
    std::string_view content, const std::vector<Certificate>& recipients, const EVP_CIPHER* cipher,
    const std::function<void(CMS_RecipientInfo*, EVP_PKEY_CTX*)>& configure = {}) {
  constexpr unsigned int flags = CMS_BINARY | CMS_PARTIAL;
  CmsContentInfoPtr cms(CMS_encrypt(nullptr, nullptr, cipher, flags));
  if (!cms) throw std::runtime_error("CMS_encrypt failed");
  for (const Certificate& recipient : recipients) {
    CMS_RecipientInfo* info = CMS_add1_recipient_cert(cms.get(), recipient.native(),
                                                      flags | (configure ? CMS_KEY_PARAM : 0U));
    if (info == nullptr) throw std::runtime_error("CMS_add1_recipient_cert failed");
    if (configure) configure(info, CMS_RecipientInfo_get0_pkey_ctx(info));
  }
  BioPtr input = memory_bio(content);
  if (CMS_final(cms.get(), input.get(), nullptr, CMS_BINARY) != 1) {
    throw std::runtime_error("CMS_final failed: " + take_openssl_errors());
  }
  return take_cms(write_content_info(cms.get()));
}

// Signs with OpenSSL's CMS API with the given flags (CMS_NOATTR,
// CMS_NOCERTS, ...) and digest. Returns the DER.
inline std::string sign_with_openssl(std::string_view content, const Party& signer,
                                     unsigned int extra_flags, const EVP_MD* digest = EVP_sha256()) {
  const unsigned int flags = CMS_BINARY | CMS_PARTIAL | extra_flags;
  CmsContentInfoPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
  if (!cms) throw std::runtime_error("CMS_sign failed");
  if (CMS_add1_signer(cms.get(), signer.certificate.native(), signer.key.native(), digest, flags) ==
      nullptr) {
    throw std::runtime_error("CMS_add1_signer failed: " + take_openssl_errors());
  }
  BioPtr input = memory_bio(content);
  if (CMS_final(cms.get(), input.get(), nullptr, CMS_BINARY) != 1) {
    throw std::runtime_error("CMS_final failed: " + take_openssl_errors());
  }
  return take_cms(write_content_info(cms.get()));
}

// Flips one bit of the byte at `offset` from the end of `der`.
inline std::string flip_from_end(std::string der, std::size_t offset) {
  der[der.size() - 1 - offset] = static_cast<char>(der[der.size() - 1 - offset] ^ 0x01);
  return der;
}

}  // namespace sippay::security::testing
