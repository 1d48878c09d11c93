#include "proxy/aor.hpp"

#include <gtest/gtest.h>

namespace sippay::proxy {
namespace {

std::optional<std::string> canonical(std::string_view text) {
  const auto uri = sip::parse_uri(text);
  EXPECT_TRUE(uri.ok()) << text;
  return uri.ok() ? canonical_aor(uri.value()) : std::nullopt;
}

TEST(CanonicalAor, KeepsSchemeUserAndHost) {
  EXPECT_EQ(canonical("sip:alice@pay.test"), "sip:alice@pay.test");
  EXPECT_EQ(canonical("sips:alice@pay.test"), "sips:alice@pay.test");
}

TEST(CanonicalAor, DropsPortPasswordAndParameters) {
  EXPECT_EQ(canonical("sip:alice:secret@pay.test:5061;transport=tcp;user=phone?subject=x"),
            "sip:alice@pay.test");
}

TEST(CanonicalAor, LowersSchemeAndHostOnly) {
  EXPECT_EQ(canonical("SIP:Alice@PAY.Test"), "sip:Alice@pay.test");
}

TEST(CanonicalAor, DecodesNeedlessEscapes) {
  EXPECT_EQ(canonical("sip:%61lice@pay.test"), "sip:alice@pay.test");
  EXPECT_EQ(canonical("sip:a%2bb@pay.test"), "sip:a+b@pay.test");
}

TEST(CanonicalAor, KeepsNeededEscapesInUpperCase) {
  EXPECT_EQ(canonical("sip:a%20b@pay.test"), "sip:a%20b@pay.test");
  EXPECT_EQ(canonical("sip:a%3ab@pay.test"), "sip:a%3Ab@pay.test");
  EXPECT_EQ(canonical("sip:a%40b@pay.test"), "sip:a%40b@pay.test");
}

TEST(CanonicalAor, KeepsTelephoneUser) {
  EXPECT_EQ(canonical("sip:+15551234567@pay.test;user=phone"), "sip:+15551234567@pay.test");
}

TEST(CanonicalAor, KeepsIpv6Brackets) {
  EXPECT_EQ(canonical("sip:alice@[2001:DB8::1]:5060"), "sip:alice@[2001:db8::1]");
}

TEST(CanonicalAor, RejectsUriWithoutUser) {
  EXPECT_EQ(canonical("sip:pay.test"), std::nullopt);
  EXPECT_EQ(canonical("tel:+15551234567"), std::nullopt);
  EXPECT_EQ(canonical("mailto:alice@pay.test"), std::nullopt);
}

}  // namespace
}  // namespace sippay::proxy
