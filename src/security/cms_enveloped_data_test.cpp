#include "security/cms_enveloped_data.hpp"

#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>

#include <gtest/gtest.h>

#include <algorithm>

#include "security/cms_test_fixture.hpp"
#include "security/smime_body.hpp"

namespace sippay::security {
namespace {

using testing::CmsWorld;
using testing::failed_with;
using testing::take_cms;

constexpr std::string_view kPayment = "PAY card=4111 amount=100.00 EUR";

// Subtracts `delta` from the definite length of the element at `pos`, keeping
// the number of length octets. Returns the offset of its contents.
std::size_t shrink_length(std::string& der, std::size_t pos, std::size_t delta) {
  const auto first = static_cast<unsigned char>(der[pos + 1]);
  if (first < 0x80) {
    der[pos + 1] = static_cast<char>(first - delta);
    return pos + 2;
  }
  const std::size_t count = first & 0x7f;
  std::size_t length = 0;
  for (std::size_t i = 0; i < count; ++i) length = (length << 8) | static_cast<unsigned char>(der[pos + 2 + i]);
  length -= delta;
  for (std::size_t i = count; i > 0; --i) {
    der[pos + 1 + i] = static_cast<char>(length & 0xff);
    length >>= 8;
  }
  return pos + 2 + count;
}

// Cuts the 16-byte AES-GCM tag of an AuthEnvelopedData made by encrypt_data
// to `tag_bytes` and sets aes-ICVlen to the same value, as a peer sending a
// short tag would. OpenSSL 3.0 decrypts the result.
std::string with_short_tag(std::string der, std::size_t tag_bytes) {
  const std::size_t delta = 16 - tag_bytes;
  if (der.substr(der.size() - 18, 2) != std::string("\x04\x10", 2)) {
    throw std::runtime_error("the DER does not end with a 16-byte mac");
  }
  der.resize(der.size() - delta);
  der[der.size() - tag_bytes - 1] = static_cast<char>(tag_bytes);

  const std::string gcm_parameters("\x30\x11\x04\x0c", 4);
  const std::size_t parameters = der.find(gcm_parameters);
  if (parameters == std::string::npos || der.substr(parameters + 16, 3) != std::string("\x02\x01\x10", 3)) {
    throw std::runtime_error("no GCMParameters with aes-ICVlen 16");
  }
  der[parameters + 18] = static_cast<char>(tag_bytes);

  // ContentInfo SEQUENCE, then past its contentType OID to [0], then AuthEnvelopedData.
  std::size_t pos = shrink_length(der, 0, delta);
  pos += 2 + static_cast<unsigned char>(der[pos + 1]);
  pos = shrink_length(der, pos, delta);
  shrink_length(der, pos, delta);
  return der;
}

std::vector<int> recipient_algorithms(const std::string& der) {
  auto parsed = take_cms(parse_content_info(der, {}));
  std::vector<int> nids;
  STACK_OF(CMS_RecipientInfo)* recipients = CMS_get0_RecipientInfos(parsed.cms.get());
  for (int i = 0; i < sk_CMS_RecipientInfo_num(recipients); ++i) {
    CMS_RecipientInfo* info = sk_CMS_RecipientInfo_value(recipients, i);
    X509_ALGOR* algorithm = nullptr;
    if (CMS_RecipientInfo_type(info) == CMS_RECIPINFO_AGREE) {
      CMS_RecipientInfo_kari_get0_alg(info, &algorithm, nullptr);
    } else {
      CMS_RecipientInfo_ktri_get0_algs(info, nullptr, nullptr, &algorithm);
    }
    nids.push_back(OBJ_obj2nid(algorithm->algorithm));
  }
  return nids;
}

void configure_oaep_sha256(CMS_RecipientInfo*, EVP_PKEY_CTX* context) {
  EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_OAEP_PADDING);
  EVP_PKEY_CTX_set_rsa_oaep_md(context, EVP_sha256());
  EVP_PKEY_CTX_set_rsa_mgf1_md(context, EVP_sha256());
}

TEST(CmsEnvelopedData, EcdhRoundTrip) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(encrypt_data(kPayment, {world.merchant.certificate}, world.trust));
  EXPECT_EQ(take_cms(peek_content_type(der, {})), CmsContentType::auth_enveloped_data);
  EXPECT_EQ(recipient_algorithms(der), std::vector<int>{NID_dhSinglePass_stdDH_sha256kdf_scheme});

  const auto decrypted = decrypt_data(der, world.merchant.certificate, world.merchant.key);
  ASSERT_TRUE(decrypted.ok()) << decrypted.error().to_string();
  EXPECT_EQ(decrypted.value().content, kPayment);
  EXPECT_EQ(decrypted.value().protection, ContentProtection::authenticated);
}

TEST(CmsEnvelopedData, RsaOaepRoundTrip) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(encrypt_data(kPayment, {world.gateway.certificate}, world.trust));
  EXPECT_EQ(recipient_algorithms(der), std::vector<int>{NID_rsaesOaep});

  const auto decrypted = decrypt_data(der, world.gateway.certificate, world.gateway.key);
  ASSERT_TRUE(decrypted.ok()) << decrypted.error().to_string();
  EXPECT_EQ(decrypted.value().content, kPayment);
}

TEST(CmsEnvelopedData, MixedRecipientsEachDecrypt) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(encrypt_data(
      kPayment, {world.merchant.certificate, world.gateway.certificate}, world.trust));
  // DER sorts the recipientInfos SET, so compare without order.
  std::vector<int> algorithms = recipient_algorithms(der);
  std::sort(algorithms.begin(), algorithms.end());
  std::vector<int> expected{NID_dhSinglePass_stdDH_sha256kdf_scheme, NID_rsaesOaep};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(algorithms, expected);

  for (const testing::Party* party : {&world.merchant, &world.gateway}) {
    const auto decrypted = decrypt_data(der, party->certificate, party->key);
    ASSERT_TRUE(decrypted.ok()) << decrypted.error().to_string();
    EXPECT_EQ(decrypted.value().content, kPayment);
  }
  const auto outsider = decrypt_data(der, world.alice.certificate, world.alice.key);
  EXPECT_TRUE(failed_with(outsider, CmsFailure::not_a_recipient));
}

TEST(CmsEnvelopedData, RejectsTamperedCiphertext) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(encrypt_data(kPayment, {world.merchant.certificate}, world.trust));
  // The encrypted content sits just before the 18-byte mac field.
  const auto result = decrypt_data(testing::flip_from_end(der, 20), world.merchant.certificate,
                                   world.merchant.key);
  EXPECT_TRUE(failed_with(result, CmsFailure::decrypt_failed));
}

TEST(CmsEnvelopedData, RejectsTamperedTag) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(encrypt_data(kPayment, {world.gateway.certificate}, world.trust));
  const auto result = decrypt_data(testing::flip_from_end(der, 0), world.gateway.certificate,
                                   world.gateway.key);
  EXPECT_TRUE(failed_with(result, CmsFailure::decrypt_failed));
}

TEST(CmsEnvelopedData, RejectsWrongRecipient) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(encrypt_data(kPayment, {world.merchant.certificate}, world.trust));
  const auto result = decrypt_data(der, world.gateway.certificate, world.gateway.key);
  EXPECT_TRUE(failed_with(result, CmsFailure::not_a_recipient));
}

TEST(CmsEnvelopedData, RejectsKeyOfAnotherCertificate) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(encrypt_data(kPayment, {world.merchant.certificate}, world.trust));
  const auto result = decrypt_data(der, world.merchant.certificate, world.alice.key);
  EXPECT_TRUE(failed_with(result, CmsFailure::key_mismatch));
}

TEST(CmsEnvelopedData, RejectsSha1Kdf) {
  const CmsWorld& world = CmsWorld::get();
  // OpenSSL 3.0 uses the SHA-1 KDF when none is set.
  const std::string der =
      testing::encrypt_with_openssl(kPayment, {world.merchant.certificate}, EVP_aes_128_gcm());
  ASSERT_EQ(recipient_algorithms(der), std::vector<int>{NID_dhSinglePass_stdDH_sha1kdf_scheme});
  const auto result = decrypt_data(der, world.merchant.certificate, world.merchant.key);
  EXPECT_TRUE(failed_with(result, CmsFailure::sha1_kdf));
}

TEST(CmsEnvelopedData, AcceptsSha384KdfFromPeer) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = testing::encrypt_with_openssl(
      kPayment, {world.merchant.certificate}, EVP_aes_128_gcm(),
      [](CMS_RecipientInfo*, EVP_PKEY_CTX* context) { EVP_PKEY_CTX_set_ecdh_kdf_md(context, EVP_sha384()); });
  ASSERT_EQ(recipient_algorithms(der), std::vector<int>{NID_dhSinglePass_stdDH_sha384kdf_scheme});
  const auto decrypted = decrypt_data(der, world.merchant.certificate, world.merchant.key);
  ASSERT_TRUE(decrypted.ok()) << decrypted.error().to_string();
  EXPECT_EQ(decrypted.value().content, kPayment);
}

TEST(CmsEnvelopedData, RejectsRsaPkcs1KeyTransport) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der =
      testing::encrypt_with_openssl(kPayment, {world.gateway.certificate}, EVP_aes_128_gcm());
  ASSERT_EQ(recipient_algorithms(der), std::vector<int>{NID_rsaEncryption});
  const auto result = decrypt_data(der, world.gateway.certificate, world.gateway.key);
  EXPECT_TRUE(failed_with(result, CmsFailure::rsa_pkcs1_key_transport));
}

TEST(CmsEnvelopedData, RejectsOaepWithSha1Defaults) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = testing::encrypt_with_openssl(
      kPayment, {world.gateway.certificate}, EVP_aes_128_gcm(),
      [](CMS_RecipientInfo*, EVP_PKEY_CTX* context) {
        EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_OAEP_PADDING);
      });
  ASSERT_EQ(recipient_algorithms(der), std::vector<int>{NID_rsaesOaep});
  const auto result = decrypt_data(der, world.gateway.certificate, world.gateway.key);
  EXPECT_TRUE(failed_with(result, CmsFailure::invalid_oaep_parameters));
}

TEST(CmsEnvelopedData, RejectsOaepWithMismatchedMgf1) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = testing::encrypt_with_openssl(
      kPayment, {world.gateway.certificate}, EVP_aes_128_gcm(),
      [](CMS_RecipientInfo*, EVP_PKEY_CTX* context) {
        EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_OAEP_PADDING);
        EVP_PKEY_CTX_set_rsa_oaep_md(context, EVP_sha256());
        EVP_PKEY_CTX_set_rsa_mgf1_md(context, EVP_sha1());
      });
  const auto result = decrypt_data(der, world.gateway.certificate, world.gateway.key);
  EXPECT_TRUE(failed_with(result, CmsFailure::invalid_oaep_parameters));
}

TEST(CmsEnvelopedData, RejectsFourByteGcmTag) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = with_short_tag(
      take_cms(encrypt_data(kPayment, {world.merchant.certificate}, world.trust)), 4);
  const auto result = decrypt_data(der, world.merchant.certificate, world.merchant.key);
  EXPECT_TRUE(failed_with(result, CmsFailure::invalid_gcm_tag_length));
}

TEST(CmsEnvelopedData, ShortTagHelperKeepsMessageDecryptableByOpenssl) {
  // Shows that the rejection above is sippay's policy: OpenSSL alone accepts the 4-byte tag.
  const CmsWorld& world = CmsWorld::get();
  const std::string der = with_short_tag(
      take_cms(encrypt_data(kPayment, {world.merchant.certificate}, world.trust)), 4);
  auto parsed = take_cms(parse_content_info(der, {}));
  BioPtr output(BIO_new(BIO_s_mem()));
  ASSERT_EQ(CMS_decrypt(parsed.cms.get(), world.merchant.key.native(),
                        world.merchant.certificate.native(), nullptr, output.get(), CMS_BINARY),
            1)
      << take_openssl_errors();
  EXPECT_EQ(memory_bio_contents(output.get()), kPayment);
}

TEST(CmsEnvelopedData, RejectsCbcAroundUnsignedContent) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = testing::encrypt_with_openssl(
      kPayment, {world.gateway.certificate}, EVP_aes_128_cbc(), configure_oaep_sha256);
  ASSERT_EQ(take_cms(peek_content_type(der, {})), CmsContentType::enveloped_data);
  const auto result = decrypt_data(der, world.gateway.certificate, world.gateway.key);
  EXPECT_TRUE(failed_with(result, CmsFailure::unauthenticated_content));
}

TEST(CmsEnvelopedData, AcceptsCbcAroundSignedContent) {
  const CmsWorld& world = CmsWorld::get();
  const std::string signed_der = take_cms(sign_data(kPayment, world.alice.credentials()));
  const std::string entity = write_smime_entity(SmimeType::signed_data, signed_der);
  const std::string der = testing::encrypt_with_openssl(
      entity, {world.gateway.certificate}, EVP_aes_128_cbc(), configure_oaep_sha256);
  const auto decrypted = decrypt_data(der, world.gateway.certificate, world.gateway.key);
  ASSERT_TRUE(decrypted.ok()) << decrypted.error().to_string();
  EXPECT_EQ(decrypted.value().content, entity);
  EXPECT_EQ(decrypted.value().protection, ContentProtection::needs_inner_signature);
}

TEST(CmsEnvelopedData, RejectsGcmInsideEnvelopedData) {
  // A GCM OID where only CBC belongs: checked before OpenSSL decrypts.
  const CmsWorld& world = CmsWorld::get();
  std::string der = testing::encrypt_with_openssl(kPayment, {world.gateway.certificate},
                                                  EVP_aes_128_cbc(), configure_oaep_sha256);
  const std::string aes_128_cbc("\x06\x09\x60\x86\x48\x01\x65\x03\x04\x01\x02", 11);
  const std::size_t at = der.find(aes_128_cbc);
  ASSERT_NE(at, std::string::npos);
  der[at + aes_128_cbc.size() - 1] = '\x06';  // aes128-GCM
  const auto result = decrypt_data(der, world.gateway.certificate, world.gateway.key);
  EXPECT_TRUE(failed_with(result, CmsFailure::unsupported_algorithm));
}

TEST(CmsEnvelopedData, RejectsUntrustedRecipient) {
  const CmsWorld& world = CmsWorld::get();
  const auto result = encrypt_data(kPayment, {world.foreign.certificate}, world.trust);
  ASSERT_TRUE(failed_with(result, CmsFailure::recipient_certificate_rejected));
  EXPECT_EQ(result.error().code, ErrorCode::untrusted_chain);
}

TEST(CmsEnvelopedData, RejectsRevokedRecipient) {
  const CmsWorld& world = CmsWorld::get();
  const auto result = encrypt_data(kPayment, {world.revoked.certificate}, world.trust);
  ASSERT_TRUE(failed_with(result, CmsFailure::recipient_certificate_rejected));
  EXPECT_EQ(result.error().code, ErrorCode::revoked);
}

TEST(CmsEnvelopedData, RejectsRecipientWithoutEncryptionKeyUsage) {
  const CmsWorld& world = CmsWorld::get();
  const testing::Party signer_only = testing::make_party(
      world.ca, testing::kMerchant, PrivateKey::Algorithm::ec_p256,
      [](CertificateProfile& profile) { profile.key_usage = "digitalSignature"; });
  const auto result = encrypt_data(kPayment, {signer_only.certificate}, world.trust);
  ASSERT_TRUE(failed_with(result, CmsFailure::recipient_certificate_rejected));
  EXPECT_EQ(result.error().code, ErrorCode::bad_key_usage);
}

TEST(CmsEnvelopedData, RejectsSignedDataInput) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(sign_data(kPayment, world.alice.credentials()));
  const auto result = decrypt_data(der, world.merchant.certificate, world.merchant.key);
  EXPECT_TRUE(failed_with(result, CmsFailure::unexpected_content_type));
}

}  // namespace
}  // namespace sippay::security
