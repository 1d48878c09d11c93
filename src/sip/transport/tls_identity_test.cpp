// RFC 5922 §7 identity checks on certificates made by the test PKI.
#include "sip/transport/tls_identity.hpp"

#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <cstdio>
#include <memory>

#include "sip/transport/testing/test_pki.hpp"

namespace sippay::sip {
namespace {

using testing::CertificateSpec;
using testing::TestPki;

class TransportTlsIdentity : public ::testing::Test {
 protected:
  CertificateIdentities identities_of(const CertificateSpec& spec) {
    const auto files = pki_.issue("leaf" + std::to_string(++issued_), spec);
    FILE* file = std::fopen(files.certificate_file.c_str(), "r");
    EXPECT_NE(file, nullptr);
    if (file == nullptr) {
      return {};
    }
    std::unique_ptr<X509, decltype(&X509_free)> certificate(
        PEM_read_X509(file, nullptr, nullptr, nullptr), X509_free);
    std::fclose(file);
    EXPECT_NE(certificate, nullptr);
    return certificate ? certificate_identities(certificate.get()) : CertificateIdentities{};
  }

  TestPki pki_;
  int issued_ = 0;
};

TEST_F(TransportTlsIdentity, DnsNameMatchesIgnoringCase) {
  const auto identities = identities_of({"", {"Sip.Example.Test"}, {}, {}});
  EXPECT_TRUE(certificate_matches(identities, "sip.example.test"));
  EXPECT_TRUE(certificate_matches(identities, "SIP.EXAMPLE.TEST"));
  EXPECT_TRUE(certificate_matches(identities, "sip.example.test."));
  EXPECT_FALSE(certificate_matches(identities, "example.test"));
  EXPECT_FALSE(certificate_matches(identities, "x.sip.example.test"));
  EXPECT_FALSE(certificate_matches(identities, ""));
}

TEST_F(TransportTlsIdentity, WildcardNeverMatches) {
  const auto identities = identities_of({"", {"*.example.test"}, {}, {}});
  EXPECT_FALSE(certificate_matches(identities, "sip.example.test"));
}

TEST_F(TransportTlsIdentity, SipUriTakesPrecedenceOverDnsName) {
  const auto identities = identities_of({"", {"host.example.test"}, {}, {"sip:pay.example.test"}});
  ASSERT_EQ(identities.sip_domains.size(), 1u);
  EXPECT_EQ(identities.sip_domains.front(), "pay.example.test");
  EXPECT_TRUE(certificate_matches(identities, "pay.example.test"));
  EXPECT_FALSE(certificate_matches(identities, "host.example.test"));
}

TEST_F(TransportTlsIdentity, SipUriWithUserIsNotIdentity) {
  const auto identities =
      identities_of({"", {"host.example.test"}, {}, {"sip:alice@pay.example.test"}});
  EXPECT_TRUE(identities.sip_domains.empty());
  EXPECT_FALSE(certificate_matches(identities, "pay.example.test"));
  EXPECT_TRUE(certificate_matches(identities, "host.example.test"));
}

TEST_F(TransportTlsIdentity, OtherUriSchemesAreNotIdentities) {
  const auto identities = identities_of(
      {"", {"host.example.test"}, {}, {"sips:pay.example.test", "https://pay.example.test/"}});
  EXPECT_TRUE(identities.sip_domains.empty());
  EXPECT_FALSE(certificate_matches(identities, "pay.example.test"));
  EXPECT_TRUE(certificate_matches(identities, "host.example.test"));
}

TEST_F(TransportTlsIdentity, CommonNameOnlyWithoutSubjectAltName) {
  const auto without_san = identities_of({"cn.example.test", {}, {}, {}});
  EXPECT_FALSE(without_san.has_subject_alt_name);
  EXPECT_TRUE(certificate_matches(without_san, "cn.example.test"));

  const auto with_san = identities_of({"cn.example.test", {}, {"192.0.2.1"}, {}});
  EXPECT_TRUE(with_san.has_subject_alt_name);
  EXPECT_FALSE(certificate_matches(with_san, "cn.example.test"));
}

TEST_F(TransportTlsIdentity, IpAddressMatchesIpSubjectAltNameOnly) {
  const auto identities =
      identities_of({"127.0.0.1", {"127.0.0.2"}, {"127.0.0.1", "2001:db8::1"}, {}});
  EXPECT_TRUE(certificate_matches(identities, "127.0.0.1"));
  EXPECT_TRUE(certificate_matches(identities, "2001:db8::1"));
  EXPECT_TRUE(certificate_matches(identities, "[2001:db8::1]"));
  EXPECT_FALSE(certificate_matches(identities, "127.0.0.2"));
  EXPECT_FALSE(certificate_matches(identities, "::1"));
}

}  // namespace
}  // namespace sippay::sip
