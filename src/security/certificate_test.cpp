#include "security/certificate.hpp"

#include <gtest/gtest.h>

#include "security/file_io.hpp"
#include "security/security_test_support.hpp"

namespace sippay::security {
namespace {

using testing::TempDir;
using testing::take;

class CertificateTest : public ::testing::Test {
 protected:
  testing::TestCa ca = testing::make_test_ca("certificate test CA");
  PrivateKey key = take(PrivateKey::generate(PrivateKey::Algorithm::ec_p256));
};

TEST_F(CertificateTest, ReadsSubjectAltNames) {
  CertificateProfile profile = testing::leaf_profile("sip:merchant@shop.example.com");
  profile.sip_uris.push_back("SIPS:Merchant@Shop.example.com");
  profile.sip_uris.push_back("https://shop.example.com/");
  profile.dns_names = {"proxy.example.com", "proxy2.example.com"};
  const Certificate certificate = ca.issue(key, profile);

  EXPECT_EQ(certificate.sip_uris(),
            (std::vector<std::string>{"sip:merchant@shop.example.com", "SIPS:Merchant@Shop.example.com"}));
  EXPECT_EQ(certificate.dns_names(), (std::vector<std::string>{"proxy.example.com", "proxy2.example.com"}));
  EXPECT_EQ(certificate.subject(), "CN=test leaf");
}

TEST_F(CertificateTest, UriWithCommaSurvives) {
  CertificateProfile profile = testing::leaf_profile("sip:a,b@example.com");
  const Certificate certificate = ca.issue(key, profile);
  EXPECT_EQ(certificate.sip_uris(), (std::vector<std::string>{"sip:a,b@example.com"}));
}

TEST_F(CertificateTest, SerialAndValidity) {
  CertificateProfile profile = testing::leaf_profile("sip:a@example.com");
  profile.serial_hex = "0A1B2C";
  const Certificate certificate = ca.issue(key, profile);
  EXPECT_EQ(certificate.serial_hex(), "0A1B2C");
  EXPECT_EQ(certificate.not_before(), profile.not_before);
  EXPECT_EQ(certificate.not_after(), profile.not_after);
}

TEST_F(CertificateTest, PemAndDerRoundTrip) {
  const Certificate certificate = ca.issue(key, testing::leaf_profile("sip:a@example.com"));
  const Certificate from_pem = take(Certificate::from_pem(certificate.to_pem()));
  EXPECT_EQ(X509_cmp(from_pem.native(), certificate.native()), 0);
  const auto der = certificate.to_der();
  const Certificate from_der = take(Certificate::from_der(der));
  EXPECT_EQ(X509_cmp(from_der.native(), certificate.native()), 0);
}

TEST_F(CertificateTest, CopiesShareOneX509) {
  const Certificate certificate = ca.issue(key, testing::leaf_profile("sip:a@example.com"));
  Certificate copy = certificate;
  EXPECT_EQ(copy.native(), certificate.native());
  Certificate moved = std::move(copy);
  EXPECT_EQ(moved.native(), certificate.native());
  copy = moved;
  EXPECT_EQ(copy.sip_uris(), certificate.sip_uris());
}

TEST_F(CertificateTest, RejectsDerWithTrailingBytes) {
  auto der = ca.issue(key, testing::leaf_profile("sip:a@example.com")).to_der();
  der.push_back(0);
  const auto parsed = Certificate::from_der(der);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::malformed);
}

TEST_F(CertificateTest, RejectsTruncatedDer) {
  auto der = ca.issue(key, testing::leaf_profile("sip:a@example.com")).to_der();
  der.resize(der.size() / 2);
  const auto parsed = Certificate::from_der(der);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::malformed);
}

TEST_F(CertificateTest, RejectsOversizedInput) {
  const std::string pem(kMaxCertificateBytes + 1, 'A');
  const auto parsed = Certificate::from_pem(pem);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::too_large);
}

TEST_F(CertificateTest, RejectsTextWithoutCertificate) {
  const auto parsed = Certificate::from_pem("hello");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::malformed);
}

TEST_F(CertificateTest, FromPemRejectsTwoCertificates) {
  const Certificate certificate = ca.issue(key, testing::leaf_profile("sip:a@example.com"));
  const auto parsed = Certificate::from_pem(certificate.to_pem() + ca.certificate.to_pem());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::malformed);
}

TEST_F(CertificateTest, LoadsBundleAndFile) {
  TempDir dir;
  const Certificate certificate = ca.issue(key, testing::leaf_profile("sip:a@example.com"));
  ASSERT_TRUE(write_file_atomic(dir.path() / "one.pem", certificate.to_pem(), 0644).ok());
  ASSERT_TRUE(
      write_file_atomic(dir.path() / "two.pem", certificate.to_pem() + ca.certificate.to_pem(), 0644).ok());

  EXPECT_TRUE(Certificate::load_pem_file(dir.path() / "one.pem").ok());
  const auto bundle = take(Certificate::load_pem_bundle(dir.path() / "two.pem"));
  ASSERT_EQ(bundle.size(), 2u);
  EXPECT_EQ(bundle[1].subject(), "CN=certificate test CA");

  const auto missing = Certificate::load_pem_file(dir.path() / "absent.pem");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::io);
}

TEST_F(CertificateTest, BundleRejectsBrokenSecondCertificate) {
  TempDir dir;
  const std::string good = ca.certificate.to_pem();
  const std::string broken = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  ASSERT_TRUE(write_file_atomic(dir.path() / "bundle.pem", good + broken, 0644).ok());
  const auto bundle = Certificate::load_pem_bundle(dir.path() / "bundle.pem");
  ASSERT_FALSE(bundle.ok());
  EXPECT_EQ(bundle.error().code, ErrorCode::malformed);
}

}  // namespace
}  // namespace sippay::security
