// WWW-Authenticate, Proxy-Authenticate, Authorization, Proxy-Authorization
// (RFC 3261 §20.7, §20.27, §20.28, §20.44, grammar §25.1; RFC 7616 and RFC
// 8760 for SHA-256) and Authentication-Info (§20.6).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sip/headers.hpp"

namespace sippay::sip {
namespace {

constexpr bool kChallenge = true;
constexpr bool kCredentials = false;

AuthHeader parse_ok(std::string_view value, bool is_challenge) {
  auto result = parse_auth_header(value, 0, is_challenge);
  if (!result.ok()) {
    ADD_FAILURE() << "value: " << value << "\nerror: " << result.error().to_string();
    return {};
  }
  return *result;
}

TEST(AuthHeader, DigestChallenge) {
  const AuthHeader h =
      parse_ok(R"(Digest realm="atlanta.com", domain="sip:ss1.carrier.com", qop="auth,auth-int", )"
               R"(nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=TRUE, algorithm=SHA-256)",
               kChallenge);
  EXPECT_EQ(h.scheme, "Digest");
  EXPECT_TRUE(h.is_digest);
  EXPECT_EQ(h.realm, R"("atlanta.com")");
  EXPECT_EQ(h.domain, R"("sip:ss1.carrier.com")");
  EXPECT_EQ(h.qop, R"("auth,auth-int")");
  EXPECT_EQ(h.nonce, R"("f84f1cec41e6cbe5aea9c8e88d359")");
  EXPECT_EQ(h.opaque, R"("")");
  EXPECT_EQ(h.stale, "TRUE");
  EXPECT_EQ(h.algorithm, "SHA-256");
  EXPECT_EQ(h.params.size(), 7U);
  EXPECT_EQ(h.params.find("nonce")->value, R"("f84f1cec41e6cbe5aea9c8e88d359")");
}

TEST(AuthHeader, DigestCredentialsMd5) {
  const AuthHeader h = parse_ok(
      R"(Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", )"
      R"(uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", )"
      R"(response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41")",
      kCredentials);
  EXPECT_TRUE(h.is_digest);
  EXPECT_EQ(h.username, R"("bob")");
  EXPECT_EQ(h.realm, R"("biloxi.com")");
  EXPECT_EQ(h.uri, R"("sip:bob@biloxi.com")");
  EXPECT_EQ(h.qop, "auth");
  EXPECT_EQ(h.nonce_count, "00000001");
  EXPECT_EQ(h.cnonce, R"("0a4f113b")");
  EXPECT_EQ(h.response, R"("6629fae49393a05397450978507c4ef1")");
  EXPECT_EQ(h.opaque, R"("5ccc069c403ebaf9f0171e9517f40e41")");
  EXPECT_EQ(h.params.size(), 9U);
}

TEST(AuthHeader, DigestCredentialsSha256) {
  const std::string response(64, 'a');
  const std::string value = R"(Digest username="bob", realm="biloxi.com", nonce="n", )"
                            R"(uri="sip:bob@biloxi.com", algorithm=SHA-256, response=")" +
                            response + "\"";
  const AuthHeader h = parse_ok(value, kCredentials);
  EXPECT_EQ(h.algorithm, "SHA-256");
  EXPECT_EQ(h.response, "\"" + response + "\"");
}

TEST(AuthHeader, QuotedCommasStayInValue) {
  const AuthHeader h =
      parse_ok(R"(Digest realm="a, \"b\", c", qop="auth,auth-int", nonce="x,y")", kChallenge);
  EXPECT_EQ(h.realm, R"("a, \"b\", c")");
  EXPECT_EQ(h.params.size(), 3U);
  EXPECT_EQ(h.params.find("realm")->value, R"("a, \"b\", c")");
  EXPECT_EQ(h.params.find("nonce")->value, R"("x,y")");
}

TEST(AuthHeader, SchemeIgnoresCase) {
  const AuthHeader h = parse_ok(R"(digest realm="a", nonce="b")", kChallenge);
  EXPECT_TRUE(h.is_digest);
  EXPECT_EQ(h.scheme, "digest");
  EXPECT_EQ(h.realm, R"("a")");
}

TEST(AuthHeader, ParamNamesIgnoreCase) {
  const AuthHeader h = parse_ok(R"(Digest REALM="a", Nonce="b", QOP="auth")", kChallenge);
  EXPECT_EQ(h.realm, R"("a")");
  EXPECT_EQ(h.nonce, R"("b")");
  EXPECT_EQ(h.qop, R"("auth")");
}

TEST(AuthHeader, WhitespaceAndFolding) {
  const AuthHeader h =
      parse_ok("Digest  realm = \"a\" ,\r\n nonce=\r\n\t\"b\"\t,opaque=\"c d\"", kChallenge);
  EXPECT_EQ(h.realm, R"("a")");
  EXPECT_EQ(h.nonce, R"("b")");
  EXPECT_EQ(h.opaque, R"("c d")");
  EXPECT_EQ(h.params.size(), 3U);
}

TEST(AuthHeader, QopListWithSpaces) {
  const AuthHeader h = parse_ok(R"(Digest realm="a", nonce="b", qop="auth, auth-int")", kChallenge);
  EXPECT_EQ(h.qop, R"("auth, auth-int")");
}

TEST(AuthHeader, StaleFalse) {
  const AuthHeader h = parse_ok(R"(Digest realm="a", nonce="b", stale=false)", kChallenge);
  EXPECT_EQ(h.stale, "false");
}

TEST(AuthHeader, ExtensionDigestParamKept) {
  const AuthHeader h =
      parse_ok(R"(Digest realm="a", nonce="b", userhash=true, x-new="v")", kChallenge);
  EXPECT_EQ(h.params.size(), 4U);
  EXPECT_EQ(h.params.find("userhash")->value, "true");
  EXPECT_EQ(h.params.find("x-new")->value, R"("v")");
}

TEST(AuthHeader, OtherSchemeTakesAnyParams) {
  const AuthHeader h = parse_ok("NoOneKnowsThisScheme opaque-data=here", kChallenge);
  EXPECT_EQ(h.scheme, "NoOneKnowsThisScheme");
  EXPECT_FALSE(h.is_digest);
  ASSERT_EQ(h.params.size(), 1U);
  EXPECT_EQ(h.params.find("opaque-data")->value, "here");
  EXPECT_EQ(h.opaque, "");

  // Digest value rules do not apply to other schemes.
  const AuthHeader other = parse_ok("Other realm=unquoted, response=XYZ", kCredentials);
  EXPECT_FALSE(other.is_digest);
  EXPECT_EQ(other.params.size(), 2U);
  EXPECT_EQ(other.realm, "");
}

TEST(AuthHeader, ParamCountBounded) {
  std::string value = "Other p0=x";
  for (int i = 1; i < 64; ++i) value += ", p" + std::to_string(i) + "=x";
  const auto at_limit = parse_auth_header(value, 0, kChallenge);
  ASSERT_TRUE(at_limit.ok()) << at_limit.error().to_string();
  EXPECT_EQ(at_limit->params.size(), 64U);

  const std::size_t extra_pos = value.size() + 2;
  value += ", p64=x";
  const auto over_limit = parse_auth_header(value, 0, kChallenge);
  ASSERT_FALSE(over_limit.ok());
  EXPECT_EQ(over_limit.error().offset, extra_pos);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string("64 auth parameters"),
                      over_limit.error().reason);
}

TEST(AuthHeader, ErrorOffsetAddsBase) {
  const auto result = parse_auth_header(R"(Digest realm="a", realm="b")", 300, kChallenge);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().offset, 318U);
}

struct InvalidCase {
  std::string_view value;
  bool is_challenge;
  std::size_t offset;
  std::string_view reason_part;  // a word the reason must contain
};

const std::vector<InvalidCase> kInvalid = {
    {"", kChallenge, 0, "scheme"},
    {"Digest", kChallenge, 6, "parameters"},
    {"NoOneKnowsThisScheme", kChallenge, 20, "parameters"},
    {"Digest,realm=\"a\"", kChallenge, 6, "parameters"},
    {R"(Digest realm="a", realm="a")", kChallenge, 18, "duplicate"},
    {R"(Digest realm="a", nonce="n", REALM="b")", kChallenge, 29, "duplicate"},
    {R"(Digest username="a", nonce="n", username="b")", kCredentials, 32, "duplicate"},
    {"Other a=1, a=2", kChallenge, 11, "duplicate"},
    {"Digest realm=atlanta.com", kChallenge, 7, "realm"},
    {"Digest realm=atlanta.com", kCredentials, 7, "realm"},
    {R"(Digest nonce=abc)", kChallenge, 7, "nonce"},
    {R"(Digest opaque=abc)", kChallenge, 7, "opaque"},
    {R"(Digest domain=abc)", kChallenge, 7, "domain"},
    {R"(Digest algorithm="SHA-256")", kChallenge, 7, "algorithm"},
    {R"(Digest algorithm="MD5")", kCredentials, 7, "algorithm"},
    {R"(Digest stale="true")", kChallenge, 7, "stale"},
    {R"(Digest stale=maybe)", kChallenge, 7, "stale"},
    {R"(Digest qop=auth)", kChallenge, 7, "qop"},
    {R"(Digest qop="")", kChallenge, 7, "qop"},
    {R"(Digest qop="auth,")", kChallenge, 7, "qop"},
    {R"(Digest qop="auth;x")", kChallenge, 7, "qop"},
    {R"(Digest qop="auth")", kCredentials, 7, "qop"},
    {R"(Digest username=bob)", kCredentials, 7, "username"},
    {R"(Digest uri=sip:bob@biloxi.com)", kCredentials, 7, "uri"},
    {R"(Digest cnonce=abc)", kCredentials, 7, "cnonce"},
    {R"(Digest response="6629FAE49393A05397450978507C4EF1")", kCredentials, 7, "response"},
    {R"(Digest response="6629fae49393a05397450978507c4ef")", kCredentials, 7, "response"},
    {R"(Digest response="6629fae49393a05397450978507c4ef1a")", kCredentials, 7, "response"},
    {R"(Digest response="6629fae49393a05397450978507c4eg1")", kCredentials, 7, "response"},
    {R"(Digest response=6629fae49393a05397450978507c4ef1)", kCredentials, 7, "response"},
    {R"(Digest response="")", kCredentials, 7, "response"},
    {R"(Digest response=")", kCredentials, 16, "quoted string"},
    {R"(Digest nc="00000001")", kCredentials, 7, "nc"},
    {R"(Digest nc=0000001)", kCredentials, 7, "nc"},
    {R"(Digest nc=000000001)", kCredentials, 7, "nc"},
    {R"(Digest nc=0000000A)", kCredentials, 7, "nc"},
    {R"(Digest realm)", kChallenge, 12, "'='"},
    {R"(Digest realm, nonce="b")", kChallenge, 12, "'='"},
    {R"(Digest realm=)", kChallenge, 13, "value"},
    {R"(Digest realm=, nonce="b")", kChallenge, 13, "value"},
    {R"(Digest realm="a",)", kChallenge, 17, "parameter name"},
    {R"(Digest realm="a",, nonce="b")", kChallenge, 17, "parameter name"},
    {R"(Digest realm="a" nonce="b")", kChallenge, 17, "','"},
    {R"(Digest realm="a"; nonce="b")", kChallenge, 16, "','"},
    {R"(Digest realm="unterminated)", kChallenge, 13, "unterminated"},
    {"Digest realm=\"a\x01\"", kChallenge, 13, "control character"},
    {"Digest realm=\"a\"\r, nonce=\"b\"", kChallenge, 16, "','"},
    {"Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", kCredentials, 33, "value"},
};

TEST(AuthHeader, InvalidValues) {
  for (const InvalidCase& c : kInvalid) {
    const auto result = parse_auth_header(c.value, 0, c.is_challenge);
    if (result.ok()) {
      ADD_FAILURE() << "accepted: " << c.value;
      continue;
    }
    EXPECT_EQ(result.error().offset, c.offset)
        << "value: " << c.value << "\nerror: " << result.error().reason;
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string(c.reason_part), result.error().reason)
        << "value: " << c.value;
  }
}

// ------------------------------------------------------ Authentication-Info

TEST(AuthenticationInfo, EveryField) {
  auto result = parse_authentication_info(
      R"(nextnonce="47364c23432d2e131a5fb210812c", qop=auth, )"
      R"(rspauth="6629fae49393a05397450978507c4ef1", cnonce="0a4f113b", nc=00000001)",
      0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  const AuthenticationInfo& info = *result;
  EXPECT_EQ(info.next_nonce, R"("47364c23432d2e131a5fb210812c")");
  EXPECT_EQ(info.qop, "auth");
  EXPECT_EQ(info.response_auth, R"("6629fae49393a05397450978507c4ef1")");
  EXPECT_EQ(info.cnonce, R"("0a4f113b")");
  EXPECT_EQ(info.nonce_count, "00000001");
  EXPECT_EQ(info.params.size(), 5U);
}

TEST(AuthenticationInfo, NextNonceOnly) {
  auto result = parse_authentication_info(R"(nextnonce="abc")", 0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->next_nonce, R"("abc")");
  EXPECT_EQ(result->params.size(), 1U);
}

struct InvalidInfoCase {
  std::string_view value;
  std::size_t offset;
  std::string_view reason_part;
};

const std::vector<InvalidInfoCase> kInvalidInfo = {
    {"", 0, "parameter name"},
    {"nextnonce=abc", 0, "nextnonce"},
    {R"(qop="auth")", 0, "qop"},
    {R"(rspauth="6629FAE4")", 0, "rspauth"},
    {R"(rspauth=6629fae4)", 0, "rspauth"},
    {R"(cnonce=abc)", 0, "cnonce"},
    {R"(nc=1)", 0, "nc"},
    {R"(nextnonce="a", nextnonce="b")", 15, "duplicate"},
    {R"(nextnonce="a",)", 14, "parameter name"},
    {R"(nextnonce="a" qop=auth)", 14, "','"},
};

TEST(AuthenticationInfo, InvalidValues) {
  for (const InvalidInfoCase& c : kInvalidInfo) {
    const auto result = parse_authentication_info(c.value, 0);
    if (result.ok()) {
      ADD_FAILURE() << "accepted: " << c.value;
      continue;
    }
    EXPECT_EQ(result.error().offset, c.offset)
        << "value: " << c.value << "\nerror: " << result.error().reason;
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string(c.reason_part), result.error().reason)
        << "value: " << c.value;
  }
}

}  // namespace
}  // namespace sippay::sip
