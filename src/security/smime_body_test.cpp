#include "security/smime_body.hpp"

#include <gtest/gtest.h>

#include "security/cms_test_fixture.hpp"
#include "security/smime_response.hpp"

namespace sippay::security {
namespace {

using testing::CmsWorld;
using testing::failed_with;
using testing::take_cms;

const std::vector<PayloadPart> kOrder{{"text/plain", "ORDER 4711 amount=12.50 EUR"}};

VerifyOptions from(std::string_view sender) {
  VerifyOptions options;
  options.claimed_sender = std::string(sender);
  return options;
}

TEST(SmimeBody, HeaderValues) {
  EXPECT_EQ(smime_content_type(SmimeType::signed_data),
            "application/pkcs7-mime; smime-type=signed-data; name=smime.p7m");
  EXPECT_EQ(smime_content_type(SmimeType::enveloped_data),
            "application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m");
  EXPECT_EQ(smime_content_type(SmimeType::auth_enveloped_data),
            "application/pkcs7-mime; smime-type=authEnveloped-data; name=smime.p7m");
  EXPECT_EQ(kSmimeContentDisposition, "attachment; handling=required; filename=smime.p7m");
}

TEST(SmimeBody, ParsesContentTypeWithoutRegardToCase) {
  const auto type =
      parse_smime_content_type("Application/PKCS7-MIME;smime-type=\"AUTHENVELOPED-DATA\"");
  ASSERT_TRUE(type.ok()) << type.error().to_string();
  EXPECT_EQ(type.value(), SmimeType::auth_enveloped_data);
}

TEST(SmimeBody, RejectsOtherMediaTypes) {
  EXPECT_TRUE(failed_with(parse_smime_content_type("text/plain"), CmsFailure::unsupported_media_type));
  EXPECT_TRUE(failed_with(parse_smime_content_type("application/pkcs7-mime"),
                          CmsFailure::unsupported_media_type));
  EXPECT_TRUE(failed_with(parse_smime_content_type("application/pkcs7-mime; smime-type=certs-only"),
                          CmsFailure::unsupported_media_type));
}

TEST(SmimeBody, SealOpenEcRoundTrip) {
  const CmsWorld& world = CmsWorld::get();
  const SmimeBody body = take_cms(seal_body(kOrder, world.alice.credentials(),
                                            {world.merchant.certificate}, world.trust));
  EXPECT_EQ(body.type, SmimeType::auth_enveloped_data);
  EXPECT_EQ(body.content_type, smime_content_type(SmimeType::auth_enveloped_data));
  EXPECT_EQ(body.content_disposition, kSmimeContentDisposition);

  const auto opened = open_body(body.content_type, body.der, world.merchant.certificate,
                                world.merchant.key, world.trust, from(testing::kAlice));
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  ASSERT_EQ(opened.value().parts.size(), 1U);
  EXPECT_EQ(opened.value().parts[0].content_type, "text/plain");
  EXPECT_EQ(opened.value().parts[0].body, kOrder[0].body);
  EXPECT_EQ(opened.value().signer.sip_uris, std::vector<std::string>{std::string(testing::kAlice)});
  EXPECT_EQ(opened.value().envelope_protection, ContentProtection::authenticated);
}

TEST(SmimeBody, SealOpenRsaMultipartRoundTrip) {
  const CmsWorld& world = CmsWorld::get();
  const std::vector<PayloadPart> parts{{"text/plain", "order"},
                                       {"application/json", "{\"amount\":\"12.50\"}"}};
  const SmimeBody body = take_cms(
      seal_body(parts, world.gateway.credentials(), {world.bob_rsa.certificate}, world.trust));
  const auto opened = open_body(body.content_type, body.der, world.bob_rsa.certificate,
                                world.bob_rsa.key, world.trust, from(testing::kGateway));
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  ASSERT_EQ(opened.value().parts.size(), 2U);
  EXPECT_EQ(opened.value().parts[1].content_type, "application/json");
  EXPECT_EQ(opened.value().parts[1].body, parts[1].body);
}

TEST(SmimeBody, SealForTwoRecipients) {
  const CmsWorld& world = CmsWorld::get();
  const SmimeBody body =
      take_cms(seal_body(kOrder, world.alice.credentials(),
                         {world.merchant.certificate, world.gateway.certificate}, world.trust));
  for (const testing::Party* party : {&world.merchant, &world.gateway}) {
    const auto opened = open_body(body.content_type, body.der, party->certificate, party->key,
                                  world.trust, from(testing::kAlice));
    ASSERT_TRUE(opened.ok()) << opened.error().to_string();
    EXPECT_EQ(opened.value().parts[0].body, kOrder[0].body);
  }
}

TEST(SmimeBody, OpenRejectsIdentityMismatch) {
  const CmsWorld& world = CmsWorld::get();
  const SmimeBody body = take_cms(seal_body(kOrder, world.alice.credentials(),
                                            {world.merchant.certificate}, world.trust));
  const auto opened = open_body(body.content_type, body.der, world.merchant.certificate,
                                world.merchant.key, world.trust, from(testing::kGateway));
  ASSERT_TRUE(failed_with(opened, CmsFailure::signer_certificate_rejected));
  EXPECT_EQ(opened.error().code, ErrorCode::identity_mismatch);
  EXPECT_EQ(sip_rejection_for(opened.error()).status_code, 403);
}

TEST(SmimeBody, OpenRejectsSmimeTypeMismatch) {
  const CmsWorld& world = CmsWorld::get();
  const SmimeBody body = take_cms(seal_body(kOrder, world.alice.credentials(),
                                            {world.merchant.certificate}, world.trust));
  const auto opened = open_body(smime_content_type(SmimeType::enveloped_data), body.der,
                                world.merchant.certificate, world.merchant.key, world.trust,
                                from(testing::kAlice));
  EXPECT_TRUE(failed_with(opened, CmsFailure::unexpected_content_type));
}

TEST(SmimeBody, OpenRejectsEnvelopeWithoutSignature) {
  const CmsWorld& world = CmsWorld::get();
  const std::string der = take_cms(encrypt_data(write_payload_entity(kOrder),
                                                {world.merchant.certificate}, world.trust));
  const auto opened = open_body(smime_content_type(SmimeType::auth_enveloped_data), der,
                                world.merchant.certificate, world.merchant.key, world.trust,
                                from(testing::kAlice));
  EXPECT_TRUE(failed_with(opened, CmsFailure::unsupported_media_type));
}

TEST(SmimeBody, OpenRejectsSignedBody) {
  const CmsWorld& world = CmsWorld::get();
  const SmimeBody body = take_cms(sign_body(kOrder, world.alice.credentials()));
  const auto opened = open_body(body.content_type, body.der, world.merchant.certificate,
                                world.merchant.key, world.trust, from(testing::kAlice));
  EXPECT_TRUE(failed_with(opened, CmsFailure::unexpected_content_type));
}

TEST(SmimeBody, SignVerifyRoundTrip) {
  const CmsWorld& world = CmsWorld::get();
  const SmimeBody body = take_cms(sign_body(kOrder, world.merchant.credentials()));
  EXPECT_EQ(body.content_type, smime_content_type(SmimeType::signed_data));
  const auto verified = verify_body(body.content_type, body.der, world.trust, from(testing::kMerchant));
  ASSERT_TRUE(verified.ok()) << verified.error().to_string();
  EXPECT_EQ(verified.value().parts[0].body, kOrder[0].body);
}

TEST(SmimeBody, SignAndSealRejectEmptyPayload) {
  const CmsWorld& world = CmsWorld::get();
  EXPECT_TRUE(failed_with(sign_body({}, world.alice.credentials()), CmsFailure::internal));
  EXPECT_TRUE(failed_with(
      seal_body({}, world.alice.credentials(), {world.merchant.certificate}, world.trust),
      CmsFailure::internal));
}

TEST(SmimeBody, PayloadEntityRejectsNestedMultipart) {
  const std::string inner = write_payload_entity({{"text/plain", "a"}, {"text/plain", "b"}});
  const std::size_t blank = inner.find("\r\n\r\n");
  const std::string inner_type = inner.substr(14, blank - 14);  // after "Content-Type: "
  const std::string outer = write_payload_entity({{inner_type, inner.substr(blank + 4)}, {"text/plain", "c"}});
  EXPECT_TRUE(failed_with(parse_payload_entity(outer), CmsFailure::unsupported_media_type));
}

TEST(SmimeResponse, MapsFailuresToSipStatus) {
  EXPECT_EQ(sip_rejection_for(CmsError(CmsFailure::decrypt_failed, "x")).status_code, 493);
  EXPECT_EQ(sip_rejection_for(CmsError(CmsFailure::not_a_recipient, "x")).status_code, 493);
  EXPECT_EQ(sip_rejection_for(CmsError(CmsFailure::malformed_ber, "x")).status_code, 493);
  EXPECT_EQ(sip_rejection_for(CmsError(CmsFailure::sha1_kdf, "x")).status_code, 493);
  EXPECT_EQ(sip_rejection_for(CmsError(CmsFailure::bad_signature, "x")).status_code, 403);
  EXPECT_EQ(sip_rejection_for(CmsError(CmsFailure::content_type_mismatch, "x")).status_code, 403);
  EXPECT_EQ(sip_rejection_for(CmsError(CmsFailure::unsupported_media_type, "x")).status_code, 415);
  EXPECT_EQ(sip_rejection_for(CmsError(CmsFailure::internal, "x")).status_code, 500);

  const SipRejection rejection = sip_rejection_for(
      CmsError(CmsFailure::signer_certificate_rejected, Error{ErrorCode::revoked, "serial 1F"}));
  EXPECT_EQ(rejection.status_code, 403);
  EXPECT_EQ(rejection.reason_phrase, "Forbidden");
  EXPECT_EQ(rejection.log_reason, "signer_certificate_rejected (revoked): serial 1F");
  EXPECT_EQ(sip_rejection_for(CmsError(CmsFailure::decrypt_failed, "x")).reason_phrase,
            "Undecipherable");
}

}  // namespace
}  // namespace sippay::security
