#include "payment/auth_scheme.hpp"

#include <gtest/gtest.h>

namespace sippay::payment {
namespace {

const MerchantChallenge kChallenge{"shop.merchant.example", "nonce-0123456789abcdef"};
const PurchaseCredentials kCredentials{"shop.merchant.example", "nonce-0123456789abcdef",
                                       "pid-0123456789abcdef"};

TEST(SipPayChallenge, FormatsAndParses) {
  const std::string value = format_challenge(kChallenge);
  EXPECT_EQ(value,
            R"(SipPay realm="shop.merchant.example", nonce="nonce-0123456789abcdef", version=1)");
  const auto parsed = parse_challenge(value);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->realm, kChallenge.realm);
  EXPECT_EQ(parsed->nonce, kChallenge.nonce);
}

TEST(SipPayChallenge, AcceptsAnyOrderCaseAndWhitespace) {
  const auto parsed = parse_challenge(
      "sippay  version=1 ,NONCE=\"nonce-0123456789abcdef\",\r\n realm=\"shop.merchant.example\"");
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->nonce, kChallenge.nonce);
}

TEST(SipPayChallenge, RejectsBadHeaders) {
  const struct {
    const char* value;
    const char* field;
  } cases[] = {
      {R"(Digest realm="shop.merchant.example", nonce="nonce-0123456789abcdef", version=1)", ""},
      {R"(SipPay realm="shop.merchant.example", version=1)", "nonce"},
      {R"(SipPay nonce="nonce-0123456789abcdef", version=1)", "realm"},
      {R"(SipPay realm="shop.merchant.example", nonce="nonce-0123456789abcdef")", "version"},
      {R"(SipPay realm="shop.merchant.example", nonce="nonce-0123456789abcdef", version=2)",
       "version"},
      {R"(SipPay realm="shop.merchant.example", nonce=nonce-0123456789abcdef, version=1)",
       "nonce"},
      {R"(SipPay realm="shop.merchant.example", nonce="short", version=1)", "nonce"},
      {R"(SipPay realm="shop\"x", nonce="nonce-0123456789abcdef", version=1)", "realm"},
      {R"(SipPay realm="", nonce="nonce-0123456789abcdef", version=1)", "realm"},
      {R"(SipPay realm="a", nonce="nonce-0123456789abcdef", version=1, stale=true)", "stale"},
      {R"(SipPay realm="a", realm="b", nonce="nonce-0123456789abcdef", version=1)", ""},
      {R"(SipPay)", ""},
      {"", ""},
  };
  for (const auto& c : cases) {
    const auto parsed = parse_challenge(c.value);
    ASSERT_FALSE(parsed.ok()) << c.value;
    EXPECT_EQ(parsed.error().field, c.field) << c.value << ": " << parsed.error().to_string();
  }
}

TEST(SipPayCredentials, FormatsAndParses) {
  const std::string value = format_credentials(kCredentials);
  const auto parsed = parse_credentials(value);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->realm, kCredentials.realm);
  EXPECT_EQ(parsed->nonce, kCredentials.nonce);
  EXPECT_EQ(parsed->purchase_id, kCredentials.purchase_id);
}

TEST(SipPayCredentials, RejectsMissingOrBadPurchaseId) {
  EXPECT_FALSE(parse_credentials(format_challenge(kChallenge)).ok());
  const auto parsed = parse_credentials(
      R"(SipPay realm="a", nonce="nonce-0123456789abcdef", purchase-id="p 1", version=1)");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().field, "purchase-id");
}

TEST(SipPayFormat, ThrowsOnInvalidValues) {
  EXPECT_THROW(format_challenge({"shop", "bad nonce with spaces"}), std::invalid_argument);
  EXPECT_THROW(format_challenge({"a\"b", "nonce-0123456789abcdef"}), std::invalid_argument);
  EXPECT_THROW(format_credentials({"shop", "nonce-0123456789abcdef", ""}), std::invalid_argument);
  EXPECT_THROW(format_next_nonce("x"), std::invalid_argument);
}

TEST(SipPayNextNonce, FormatsAndParses) {
  const std::string value = format_next_nonce("nonce-next-0123456789");
  EXPECT_EQ(value, R"(nextnonce="nonce-next-0123456789")");
  const auto parsed = parse_next_nonce(value);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed.value(), "nonce-next-0123456789");
}

TEST(SipPayNextNonce, RejectsOtherParameters) {
  EXPECT_FALSE(parse_next_nonce(R"(nextnonce="nonce-next-0123456789", qop=auth)").ok());
  EXPECT_FALSE(parse_next_nonce(R"(qop=auth)").ok());
  EXPECT_FALSE(parse_next_nonce(R"(nextnonce="short")").ok());
  EXPECT_FALSE(parse_next_nonce("").ok());
}

}  // namespace
}  // namespace sippay::payment
