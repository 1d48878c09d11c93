#include "security/pki_role.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace sippay::security {
namespace {

TEST(PkiRole, ParsesEveryRoleName) {
  for (const PkiRole role : {PkiRole::merchant, PkiRole::customer, PkiRole::gateway, PkiRole::proxy}) {
    EXPECT_EQ(parse_pki_role(to_string(role)), role);
  }
  EXPECT_FALSE(parse_pki_role("admin").has_value());
  EXPECT_FALSE(parse_pki_role("Merchant").has_value());
}

TEST(PkiRole, UsageFitsAlgorithmAndRole) {
  const RoleUsage merchant_ec = role_usage(PkiRole::merchant, PrivateKey::Algorithm::ec_p256);
  EXPECT_EQ(merchant_ec.key_usage, "digitalSignature,keyAgreement");
  EXPECT_EQ(merchant_ec.extended_key_usage, "emailProtection,serverAuth,clientAuth");
  const RoleUsage proxy_rsa = role_usage(PkiRole::proxy, PrivateKey::Algorithm::rsa);
  EXPECT_EQ(proxy_rsa.key_usage, "digitalSignature,keyEncipherment");
  EXPECT_EQ(proxy_rsa.extended_key_usage, "emailProtection,serverAuth,clientAuth");
  EXPECT_EQ(role_usage(PkiRole::gateway, PrivateKey::Algorithm::ec_p256).extended_key_usage,
            "emailProtection,serverAuth,clientAuth");
}

TEST(PkiRole, AcceptsSipUris) {
  for (const std::string_view uri : {"sip:merchant@shop.example.com", "sips:gateway.example.com",
                                     "sip:alice@[::1]", "sip:a,b@example.com;transport=tls"}) {
    EXPECT_TRUE(check_certificate_sip_uri(uri).ok()) << uri;
  }
}

TEST(PkiRole, RejectsOtherUris) {
  for (const std::string_view uri : {"mailto:a@example.com", "sip:", "merchant@shop.example.com",
                                     "sip:a@example.com?subject=x", "sip:a:secret@example.com", "sip:a b@example.com"}) {
    const Status checked = check_certificate_sip_uri(uri);
    ASSERT_FALSE(checked.ok()) << uri;
    EXPECT_EQ(checked.error().code, ErrorCode::malformed) << uri;
  }
}

TEST(PkiRole, ChecksDnsNames) {
  for (const std::string_view name : {"proxy.example.com", "localhost", "a-b.example", "x1.y2"}) {
    EXPECT_TRUE(check_certificate_dns_name(name).ok()) << name;
  }
  const std::vector<std::string_view> invalid = {"",
                                                 "*.example.com",
                                                 "-a.example.com",
                                                 "a-.example.com",
                                                 "a..example.com",
                                                 "example.com.",
                                                 "a_b.example.com",
                                                 std::string_view("a\0b", 3)};
  for (const std::string_view name : invalid) {
    EXPECT_FALSE(check_certificate_dns_name(name).ok()) << name;
  }
  EXPECT_FALSE(check_certificate_dns_name(std::string(64, 'a') + ".example").ok());
  const std::string label(63, 'a');
  EXPECT_TRUE(check_certificate_dns_name(label + "." + label + "." + label + "." + std::string(61, 'a')).ok());
  EXPECT_FALSE(check_certificate_dns_name(label + "." + label + "." + label + "." + std::string(62, 'a')).ok());
}

}  // namespace
}  // namespace sippay::security
