#include "security/cms_signed_data.hpp"

#include <openssl/cms.h>
#include <openssl/objects.h>

#include <gtest/gtest.h>

#include "security/cms_enveloped_data.hpp"
#include "security/cms_test_fixture.hpp"

namespace sippay::security {
namespace {

using testing::CmsWorld;
using testing::failed_with;
using testing::take_cms;

constexpr std::string_view kOrder = "ORDER 4711 amount=100.00 EUR merchant=shop.test";

VerifyOptions from(std::string_view sender) {
  VerifyOptions options;
  options.claimed_sender = std::string(sender);
  return options;
}

int signature_nid(const std::string& der) {
  auto parsed = take_cms(parse_content_info(der, {}));
  CMS_SignerInfo* signer = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(parsed.cms.get()), 0);
  X509_ALGOR* signature = nullptr;
  CMS_SignerInfo_get0_algs(signer, nullptr, nullptr, nullptr, &signature);
  return OBJ_obj2nid(signature->algorithm);
}

// Replaces the first id-data OID, which is eContentType, with signedData,
// leaving the content-type attribute and the signature as they were.
std::string with_other_econtent_type(std::string der) {
  const std::string id_data = "\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01";
  const std::size_t at = der.find(id_data);
  if (at == std::string::npos) throw std::runtime_error("no id-data OID in the SignedData");
  der[at + id_data.size() - 1] = '\x02';
  return der;
}

TEST(CmsSignedData, EcdsaRoundTrip) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(sign_data(kOrder, world.alice.credentials()));
  EXPECT_EQ(signature_nid(der), NID_ecdsa_with_SHA256);

  const auto verified = verify_signed_data(der, world.trust, from(testing::kAlice));
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();
  EXPECT_EQ(verified.value().content, kOrder);
  EXPECT_EQ(verified.value().signer.sip_uris, std::vector<std::string>{std::string(testing::kAlice)});
}

TEST(CmsSignedData, RsaPssRoundTrip) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(sign_data(kOrder, world.gateway.credentials()));
  EXPECT_EQ(signature_nid(der), NID_rsassaPss);

  const auto verified = verify_signed_data(der, world.trust, from(testing::kGateway));
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();
  EXPECT_EQ(verified.value().content, kOrder);
}

TEST(CmsSignedData, AcceptsRsaPkcs1Signature) {
  const CmsWorld& world = CmsWorld::get();
  SignOptions options;
  options.rsa_padding = RsaSignaturePadding::pkcs1_v1_5;
  const std::string der = take_cms(sign_data(kOrder, world.gateway.credentials(), options));
  EXPECT_EQ(signature_nid(der), NID_rsaEncryption);

  const auto verified = verify_signed_data(der, world.trust, from(testing::kGateway));
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();
  EXPECT_EQ(verified.value().content, kOrder);
}

TEST(CmsSignedData, AcceptsBinaryContent) {
  const CmsWorld& world = CmsWorld::get();
  const std::string content("a\0b\r\nc\n\xff", 8);
  const std::string der = take_cms(sign_data(content, world.alice.credentials()));
  const auto verified = verify_signed_data(der, world.trust, from(testing::kAlice));
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();
  EXPECT_EQ(verified.value().content, content);
}

TEST(CmsSignedData, RejectsTamperedSignature) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(sign_data(kOrder, world.alice.credentials()));
  // The signature value is the last field of the SignerInfo, at the end of the DER.
  const auto result = verify_signed_data(testing::flip_from_end(der, 3), world.trust,
                                         from(testing::kAlice));
  EXPECT_TRUE(failed_with(result, CmsFailure::bad_signature));
}

TEST(CmsSignedData, RejectsTamperedContent) {
  const CmsWorld& world = CmsWorld::get();
  std::string der = take_cms(sign_data(kOrder, world.alice.credentials()));
  const std::size_t at = der.find("100.00");
  ASSERT_NE(at, std::string::npos);
  der[at] = '9';
  const auto result = verify_signed_data(der, world.trust, from(testing::kAlice));
  EXPECT_TRUE(failed_with(result, CmsFailure::bad_signature));
}

TEST(CmsSignedData, RejectsExpiredSigner) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(sign_data(kOrder, world.expired.credentials()));
  const auto result = verify_signed_data(der, world.trust, from(testing::kAlice));
  ASSERT_TRUE(failed_with(result, CmsFailure::signer_certificate_rejected));
  EXPECT_EQ(result.error().code, ErrorCode::expired);
}

TEST(CmsSignedData, RejectsRevokedSigner) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(sign_data(kOrder, world.revoked.credentials()));
  const auto result = verify_signed_data(der, world.trust, from(testing::kAlice));
  ASSERT_TRUE(failed_with(result, CmsFailure::signer_certificate_rejected));
  EXPECT_EQ(result.error().code, ErrorCode::revoked);
}

TEST(CmsSignedData, RejectsSignerFromOtherCa) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(sign_data(kOrder, world.foreign.credentials()));
  const auto result = verify_signed_data(der, world.trust, from(testing::kAlice));
  ASSERT_TRUE(failed_with(result, CmsFailure::signer_certificate_rejected));
  EXPECT_EQ(result.error().code, ErrorCode::untrusted_chain);
}

TEST(CmsSignedData, RejectsIdentityMismatch) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(sign_data(kOrder, world.alice.credentials()));
  const auto result = verify_signed_data(der, world.trust, from(testing::kMerchant));
  ASSERT_TRUE(failed_with(result, CmsFailure::signer_certificate_rejected));
  EXPECT_EQ(result.error().code, ErrorCode::identity_mismatch);
}

TEST(CmsSignedData, RejectsEmptyClaimedSender) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(sign_data(kOrder, world.alice.credentials()));
  const auto result = verify_signed_data(der, world.trust, from(""));
  ASSERT_TRUE(failed_with(result, CmsFailure::signer_certificate_rejected));
  EXPECT_EQ(result.error().code, ErrorCode::identity_mismatch);
}

TEST(CmsSignedData, VerifiesWithoutIdentityWhenAllowed) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(sign_data(kOrder, world.merchant.credentials()));
  VerifyOptions options;
  options.require_identity = false;
  const auto verified = verify_signed_data(der, world.trust, options);
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();
  EXPECT_EQ(verified.value().signer.sip_uris,
            std::vector<std::string>{std::string(testing::kMerchant)});
}

TEST(CmsSignedData, RejectsMissingSignedAttributes) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = testing::sign_with_openssl(kOrder, world.alice, CMS_NOATTR);
  const auto result = verify_signed_data(der, world.trust, from(testing::kAlice));
  EXPECT_TRUE(failed_with(result, CmsFailure::missing_signed_attributes));
}

TEST(CmsSignedData, RejectsContentTypeMismatch) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = with_other_econtent_type(take_cms(sign_data(kOrder, world.alice.credentials())));
  const auto result = verify_signed_data(der, world.trust, from(testing::kAlice));
  EXPECT_TRUE(failed_with(result, CmsFailure::content_type_mismatch));
}

TEST(CmsSignedData, RejectsTwoSigners) {
  const CmsWorld& world = CmsWorld::get();
  constexpr unsigned int flags = CMS_BINARY | CMS_PARTIAL;
  CmsContentInfoPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
  ASSERT_TRUE(cms);
  for (const testing::Party* party : {&world.alice, &world.merchant}) {
    ASSERT_NE(CMS_add1_signer(cms.get(), party->certificate.native(), party->key.native(),
                              EVP_sha256(), flags),
              nullptr);
  }
  BioPtr input = memory_bio(kOrder);
  ASSERT_EQ(CMS_final(cms.get(), input.get(), nullptr, CMS_BINARY), 1);
  const std::string der = take_cms(write_content_info(cms.get()));

  const auto result = verify_signed_data(der, world.trust, from(testing::kAlice));
  EXPECT_TRUE(failed_with(result, CmsFailure::signer_count));
}

TEST(CmsSignedData, RejectsMissingSignerCertificate) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = testing::sign_with_openssl(kOrder, world.alice, CMS_NOCERTS);
  const auto result = verify_signed_data(der, world.trust, from(testing::kAlice));
  EXPECT_TRUE(failed_with(result, CmsFailure::missing_signer_certificate));
}

TEST(CmsSignedData, RejectsSha1Digest) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = testing::sign_with_openssl(kOrder, world.alice, 0, EVP_sha1());
  const auto result = verify_signed_data(der, world.trust, from(testing::kAlice));
  EXPECT_TRUE(failed_with(result, CmsFailure::unsupported_algorithm));
}

TEST(CmsSignedData, RejectsDetachedSignature) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = testing::sign_with_openssl(kOrder, world.alice, CMS_DETACHED);
  const auto result = verify_signed_data(der, world.trust, from(testing::kAlice));
  EXPECT_TRUE(failed_with(result, CmsFailure::malformed_cms));
}

TEST(CmsSignedData, RejectsEnvelopedData) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der =
      take_cms(encrypt_data(kOrder, {world.merchant.certificate}, world.trust));
  const auto result = verify_signed_data(der, world.trust, from(testing::kAlice));
  EXPECT_TRUE(failed_with(result, CmsFailure::unexpected_content_type));
}

TEST(CmsSignedData, RejectsTruncatedInput) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(sign_data(kOrder, world.alice.credentials()));
  const auto result = verify_signed_data(der.substr(0, der.size() - 1), world.trust,
                                         from(testing::kAlice));
  EXPECT_TRUE(failed_with(result, CmsFailure::malformed_ber));
}

TEST(CmsSignedData, SignRejectsKeyOfAnotherCertificate) {
  const CmsWorld& world = CmsWorld::get();
  const SignerCredentials mixed{world.alice.certificate, world.merchant.key, {}};
  EXPECT_TRUE(failed_with(sign_data(kOrder, mixed), CmsFailure::key_mismatch));
}

}  // namespace
}  // namespace sippay::security
