#include "sip/auth/digest.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "sip/message.hpp"

namespace sippay::sip {
namespace {

// RFC 2617 §3.5: Mufasa at testrealm@host.com, MD5, qop=auth.
TEST(Digest, Rfc2617ExampleResponse) {
  DigestInputs inputs;
  inputs.username = "Mufasa";
  inputs.realm = "testrealm@host.com";
  inputs.password = "Circle Of Life";
  inputs.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  inputs.cnonce = "0a4f113b";
  inputs.nonce_count = "00000001";
  inputs.qop = "auth";
  inputs.method = "GET";
  inputs.digest_uri = "/dir/index.html";
  EXPECT_EQ(digest_response(inputs), "6629fae49393a05397450978507c4ef1");
}

// RFC 7616 §3.9.1: the same exchange with SHA-256.
TEST(Digest, Rfc7616Sha256Response) {
  DigestInputs inputs;
  inputs.algorithm = {DigestAlgorithm::kSha256, false};
  inputs.username = "Mufasa";
  inputs.realm = "http-auth@example.org";
  inputs.password = "Circle of Life";
  inputs.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  inputs.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  inputs.nonce_count = "00000001";
  inputs.qop = "auth";
  inputs.method = "GET";
  inputs.digest_uri = "/dir/index.html";
  EXPECT_EQ(digest_response(inputs),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST(Digest, PrecomputedHa1MatchesPassword) {
  DigestInputs with_password;
  with_password.username = "alice";
  with_password.realm = "pay.test";
  with_password.password = "alicepw";
  with_password.nonce = "n";
  with_password.method = "REGISTER";
  with_password.digest_uri = "sip:pay.test";
  DigestInputs with_ha1 = with_password;
  const std::string ha1 = digest_hash(DigestAlgorithm::kMd5, "alice:pay.test:alicepw");
  with_ha1.password = {};
  with_ha1.ha1 = ha1;
  EXPECT_EQ(digest_response(with_password), digest_response(with_ha1));
}

TEST(Digest, AlgorithmNames) {
  EXPECT_EQ(parse_digest_algorithm("")->algorithm, DigestAlgorithm::kMd5);
  EXPECT_TRUE(parse_digest_algorithm("sha-256-sess")->session);
  EXPECT_EQ(parse_digest_algorithm("SHA-512-256")->algorithm, DigestAlgorithm::kSha512_256);
  EXPECT_FALSE(parse_digest_algorithm("SHA-1").has_value());
  EXPECT_EQ(digest_algorithm_name({DigestAlgorithm::kSha256, true}), "SHA-256-sess");
}

Message parse_challenges(const std::string& headers, std::string& storage) {
  storage =
      "SIP/2.0 401 Unauthorized\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-1\r\n"
      "From: <sip:alice@pay.test>;tag=1\r\n"
      "To: <sip:alice@pay.test>;tag=2\r\n"
      "Call-ID: c\r\n"
      "CSeq: 1 REGISTER\r\n" +
      headers + "Content-Length: 0\r\n\r\n";
  auto message = parse_message(storage);
  EXPECT_TRUE(message.ok()) << (message.ok() ? "" : message.error().to_string());
  return message.ok() ? std::move(message).value() : Message{};
}

TEST(Digest, StrongestChallengeChosen) {
  std::string storage;
  const Message message = parse_challenges(
      "WWW-Authenticate: Digest realm=\"pay.test\", nonce=\"a\", algorithm=MD5\r\n"
      "WWW-Authenticate: Digest realm=\"pay.test\", nonce=\"b\", algorithm=SHA-256\r\n"
      "WWW-Authenticate: Digest realm=\"pay.test\", nonce=\"c\", algorithm=SHA-1\r\n",
      storage);
  const AuthHeader* chosen = choose_digest_challenge(message.www_authenticate());
  ASSERT_NE(chosen, nullptr);
  EXPECT_EQ(chosen->nonce, "\"b\"");
}

TEST(Digest, NoUsableChallenge) {
  std::string storage;
  const Message message = parse_challenges(
      "WWW-Authenticate: Digest realm=\"pay.test\", nonce=\"c\", algorithm=SHA-1\r\n"
      "WWW-Authenticate: Basic realm=\"pay.test\"\r\n",
      storage);
  EXPECT_EQ(choose_digest_challenge(message.www_authenticate()), nullptr);
}

TEST(Digest, AnswerCarriesEveryParameter) {
  std::string storage;
  const Message message = parse_challenges(
      "WWW-Authenticate: Digest realm=\"pay.test\", nonce=\"n1\", opaque=\"op\", "
      "algorithm=SHA-256, qop=\"auth,auth-int\"\r\n",
      storage);
  const auto answer = answer_digest_challenge(message.www_authenticate()[0], {"alice", "alicepw"},
                                              "REGISTER", "sip:pay.test", "", 1, "cn");
  ASSERT_TRUE(answer.has_value());
  DigestInputs expected;
  expected.algorithm = {DigestAlgorithm::kSha256, false};
  expected.username = "alice";
  expected.realm = "pay.test";
  expected.password = "alicepw";
  expected.nonce = "n1";
  expected.cnonce = "cn";
  expected.nonce_count = "00000001";
  expected.qop = "auth";
  expected.method = "REGISTER";
  expected.digest_uri = "sip:pay.test";
  EXPECT_EQ(answer->header_value,
            "Digest username=\"alice\", realm=\"pay.test\", nonce=\"n1\", uri=\"sip:pay.test\", "
            "response=\"" + digest_response(expected) +
                "\", algorithm=SHA-256, qop=auth, nc=00000001, cnonce=\"cn\", opaque=\"op\"");
}

TEST(Digest, AnswerWithoutQop) {
  std::string storage;
  const Message message =
      parse_challenges("WWW-Authenticate: Digest realm=\"pay.test\", nonce=\"n1\"\r\n", storage);
  const auto answer = answer_digest_challenge(message.www_authenticate()[0], {"bob", "pw"},
                                              "MESSAGE", "sip:m@pay.test", "", 1, "cn");
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->header_value.find("qop="), std::string::npos);
  EXPECT_NE(answer->header_value.find("algorithm=MD5"), std::string::npos);
}

TEST(Digest, QuoteEscapes) { EXPECT_EQ(quote("a\"b\\c"), "\"a\\\"b\\\\c\""); }

}  // namespace
}  // namespace sippay::sip
