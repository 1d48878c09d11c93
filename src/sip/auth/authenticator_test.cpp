#include "sip/auth/authenticator.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "sip/message_test_support.hpp"
#include "sip/scanner.hpp"

namespace sippay::sip {
namespace {

using std::chrono::seconds;

const AuthClock::time_point kStart{seconds(1'700'000'000)};
constexpr std::string_view kRealm = "pay.test";

std::vector<unsigned char> test_secret() {
  return std::vector<unsigned char>(kMinServerSecretBytes, 0x42);
}

// alice has MD5 and SHA-256 HA1s, bob only MD5.
std::shared_ptr<const CredentialStore> test_credentials() {
  const std::string text =
      make_credential_line("alice", "pay.test", DigestAlgorithm::kMd5, "alicepw") + "\n" +
      make_credential_line("alice", "pay.test", DigestAlgorithm::kSha256, "alicepw") + "\n" +
      make_credential_line("bob", "pay.test", DigestAlgorithm::kMd5, "bobpw") + "\n";
  return std::make_shared<const CredentialStore>(CredentialStore::parse(text, "test"));
}

Message parse_request(const std::string& text) {
  auto message = parse_message_owned(text);
  EXPECT_TRUE(message.ok()) << (message.ok() ? "" : message.error().to_string()) << "\n" << text;
  return message.ok() ? std::move(message).value() : Message{};
}

// A REGISTER (or `method`) to `request_uri` carrying `headers`.
Message make_request(std::initializer_list<std::string_view> headers,
                     std::string_view request_uri = "sip:pay.test",
                     std::string_view method = "REGISTER", std::string_view body = {}) {
  const std::string start_line = fmt::format("{} {} SIP/2.0", method, request_uri);
  return parse_request(test_support::request_with(start_line, headers, body));
}

// The header views `value`, which the caller keeps alive.
AuthHeader parse_challenge(const std::string& value) {
  auto header = parse_auth_header(value, 0, true);
  EXPECT_TRUE(header.ok()) << value;
  return header.ok() ? header.value() : AuthHeader{};
}

// Credentials written field by field, so that a test can break one. The
// response is computed from the other fields unless set.
struct Credentials {
  std::string username = "alice";
  std::string realm = "pay.test";
  std::string nonce;
  std::string uri = "sip:pay.test";
  std::string algorithm = "SHA-256";  // empty: no algorithm parameter
  std::string qop = "auth";           // empty: no qop, nc or cnonce
  std::string nonce_count = "00000001";
  std::string cnonce = "0a4f113b";
  std::string password = "alicepw";
  std::string method = "REGISTER";
  std::string body;
  std::string response;  // computed when empty

  std::string computed_response() const {
    DigestInputs inputs;
    inputs.algorithm = *parse_digest_algorithm(algorithm);
    inputs.username = username;
    inputs.realm = realm;
    inputs.password = password;
    inputs.nonce = nonce;
    inputs.cnonce = cnonce;
    inputs.nonce_count = nonce_count;
    inputs.qop = qop;
    inputs.method = method;
    inputs.digest_uri = uri;
    inputs.body = body;
    return digest_response(inputs);
  }

  std::string header_value() const {
    std::string value = fmt::format(
        "Digest username={}, realm={}, nonce={}, uri={}, response=\"{}\"", quote(username),
        quote(realm), quote(nonce), quote(uri), response.empty() ? computed_response() : response);
    if (!algorithm.empty()) value += ", algorithm=" + algorithm;
    if (!qop.empty())
      value += fmt::format(", qop={}, nc={}, cnonce={}", qop, nonce_count, quote(cnonce));
    return value;
  }

  std::string authorization() const { return "Authorization: " + header_value(); }
};

class DigestServerTest : public testing::Test {
 protected:
  DigestServerTest() : authenticator_(test_credentials(), test_secret(), kStart) {}

  // The challenge header value that carries `algorithm`.
  std::string challenge_for(DigestAlgorithm algorithm, AuthClock::time_point now = kStart) {
    const std::string wanted =
        fmt::format("algorithm={},", digest_algorithm_name({algorithm, false}));
    for (const std::string& value : authenticator_.challenge_headers(kRealm, false, now)) {
      if (value.find(wanted) != std::string::npos) return value;
    }
    ADD_FAILURE() << "no challenge for " << digest_algorithm_name({algorithm, false});
    return {};
  }

  std::string nonce_for(DigestAlgorithm algorithm, AuthClock::time_point now = kStart) {
    return unquote(parse_challenge(challenge_for(algorithm, now)).nonce);
  }

  AuthResult verify(const Credentials& credentials, AuthClock::time_point now = kStart,
                    std::string_view request_uri = "sip:pay.test") {
    const Message request = make_request({credentials.authorization()}, request_uri,
                                         credentials.method, credentials.body);
    return authenticator_.verify_request(request, AuthRole::kUserAgentServer, kRealm, now).result;
  }

  Credentials valid_credentials(DigestAlgorithm algorithm = DigestAlgorithm::kSha256) {
    Credentials credentials;
    credentials.algorithm = std::string(digest_algorithm_name({algorithm, false}));
    credentials.nonce = nonce_for(algorithm);
    return credentials;
  }

  DigestAuthenticator authenticator_;
};

// Round trips with the client side of digest.hpp.

TEST_F(DigestServerTest, ClientAnswerSha256Authenticated) {
  const std::string challenge_value = challenge_for(DigestAlgorithm::kSha256);
  const AuthHeader challenge = parse_challenge(challenge_value);
  const auto answer = answer_digest_challenge(challenge, {"alice", "alicepw"}, "REGISTER",
                                              "sip:pay.test", "", 1, "cn0001");
  ASSERT_TRUE(answer.has_value());
  const Message request = make_request({"Authorization: " + answer->header_value});
  const DigestVerification verification =
      authenticator_.verify_request(request, AuthRole::kUserAgentServer, kRealm, kStart);
  EXPECT_EQ(verification.result, AuthResult::kAuthenticated);
  EXPECT_EQ(verification.username, "alice");
  EXPECT_EQ(verification.algorithm.algorithm, DigestAlgorithm::kSha256);
  EXPECT_EQ(verification.credentials_index, std::optional<std::size_t>(0));
}

TEST_F(DigestServerTest, ClientAnswerMd5Authenticated) {
  const std::string challenge_value = challenge_for(DigestAlgorithm::kMd5);
  const AuthHeader challenge = parse_challenge(challenge_value);
  const auto answer = answer_digest_challenge(challenge, {"bob", "bobpw"}, "MESSAGE",
                                              "sip:merchant@pay.test", "hello", 1, "cn0002");
  ASSERT_TRUE(answer.has_value());
  const Message request = make_request({"Authorization: " + answer->header_value},
                                       "sip:merchant@pay.test", "MESSAGE", "hello");
  const DigestVerification verification =
      authenticator_.verify_request(request, AuthRole::kUserAgentServer, kRealm, kStart);
  EXPECT_EQ(verification.result, AuthResult::kAuthenticated);
  EXPECT_EQ(verification.username, "bob");
}

TEST_F(DigestServerTest, ClientPicksSha256FromChallenges) {
  const std::vector<std::string> values = authenticator_.challenge_headers(kRealm, false, kStart);
  std::vector<AuthHeader> challenges;
  for (const std::string& value : values) {
    challenges.push_back(parse_challenge(value));
  }
  const AuthHeader* chosen = choose_digest_challenge(challenges);
  ASSERT_NE(chosen, nullptr);
  EXPECT_EQ(chosen->algorithm, "SHA-256");
}

TEST_F(DigestServerTest, AuthIntCoversBody) {
  Credentials credentials = valid_credentials();
  credentials.qop = "auth-int";
  credentials.method = "MESSAGE";
  credentials.body = "pay 10 EUR";
  EXPECT_EQ(verify(credentials), AuthResult::kAuthenticated);

  Credentials other_body = valid_credentials();
  other_body.qop = "auth-int";
  other_body.method = "MESSAGE";
  other_body.body = "pay 10 EUR";
  const std::string response = other_body.computed_response();
  other_body.response = response;
  other_body.body = "pay 99 EUR";
  EXPECT_EQ(verify(other_body), AuthResult::kWrongResponse);
}

// Challenges.

TEST_F(DigestServerTest, ChallengesStrongestFirst) {
  const std::vector<std::string> values = authenticator_.challenge_headers(kRealm, false, kStart);
  ASSERT_EQ(values.size(), 2u);
  EXPECT_NE(values[0].find("algorithm=SHA-256"), std::string::npos) << values[0];
  EXPECT_NE(values[1].find("algorithm=MD5"), std::string::npos) << values[1];
  for (const std::string& value : values) {
    const AuthHeader header = parse_challenge(value);
    EXPECT_TRUE(header.is_digest);
    EXPECT_EQ(header.realm, "\"pay.test\"");
    EXPECT_EQ(header.qop, "\"auth\"");
    EXPECT_TRUE(header.stale.empty());
    EXPECT_EQ(unquote(header.nonce).size(), 44u);
  }
  EXPECT_NE(parse_challenge(values[0]).nonce, parse_challenge(values[1]).nonce);
}

TEST_F(DigestServerTest, StaleChallengeFlagged) {
  for (const std::string& value : authenticator_.challenge_headers(kRealm, true, kStart)) {
    EXPECT_EQ(parse_challenge(value).stale, "true") << value;
  }
}

TEST(DigestServerConfig, AlgorithmsSortedByPreference) {
  DigestServerConfig config;
  config.algorithms = {DigestAlgorithm::kMd5, DigestAlgorithm::kSha512_256,
                       DigestAlgorithm::kSha256};
  const DigestAuthenticator authenticator(test_credentials(), test_secret(), kStart, config);
  const auto values = authenticator.challenge_headers(kRealm, false, kStart);
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(parse_challenge(values[0]).algorithm, "SHA-512-256");
  EXPECT_EQ(parse_challenge(values[1]).algorithm, "SHA-256");
  EXPECT_EQ(parse_challenge(values[2]).algorithm, "MD5");
}

TEST(DigestServerConfig, InvalidAlgorithmListsRejected) {
  DigestServerConfig empty;
  empty.algorithms.clear();
  EXPECT_THROW(DigestAuthenticator(test_credentials(), test_secret(), kStart, empty),
               std::invalid_argument);
  DigestServerConfig repeated;
  repeated.algorithms = {DigestAlgorithm::kMd5, DigestAlgorithm::kMd5};
  EXPECT_THROW(DigestAuthenticator(test_credentials(), test_secret(), kStart, repeated),
               std::invalid_argument);
}

// One test per AuthResult, in the order verify() checks them.

TEST_F(DigestServerTest, NoCredentialsMissing) {
  const Message request = make_request({});
  const DigestVerification verification =
      authenticator_.verify_request(request, AuthRole::kUserAgentServer, kRealm, kStart);
  EXPECT_EQ(verification.result, AuthResult::kMissingCredentials);
  EXPECT_FALSE(verification.credentials_index.has_value());

  const Message basic = make_request({"Authorization: Basic realm=\"pay.test\""});
  EXPECT_EQ(authenticator_.verify_request(basic, AuthRole::kUserAgentServer, kRealm, kStart).result,
            AuthResult::kMissingCredentials);
}

TEST_F(DigestServerTest, RequiredParametersMissingMalformed) {
  const Credentials base = valid_credentials();
  const std::string full = base.header_value();
  for (const std::string_view name : {"username", "realm", "nonce", "uri", "response"}) {
    // Drop ", name=..." (or the leading "name=..., ") from the header value.
    std::string value = full;
    const std::size_t start = value.find(std::string(name) + "=");
    ASSERT_NE(start, std::string::npos) << name;
    std::size_t end = value.find(", ", start);
    end = end == std::string::npos ? value.size() : end + 2;
    value.erase(start, end - start);
    const Message request = make_request({"Authorization: " + value});
    EXPECT_EQ(
        authenticator_.verify_request(request, AuthRole::kUserAgentServer, kRealm, kStart).result,
        AuthResult::kMalformedCredentials)
        << "without " << name << ": " << value;
  }
}

TEST_F(DigestServerTest, QopParametersInconsistentMalformed) {
  Credentials zero_count = valid_credentials();
  zero_count.nonce_count = "00000000";
  EXPECT_EQ(verify(zero_count), AuthResult::kMalformedCredentials);

  Credentials unknown_qop = valid_credentials();
  unknown_qop.qop = "auth-conf";
  EXPECT_EQ(verify(unknown_qop), AuthResult::kMalformedCredentials);

  Credentials upper_qop = valid_credentials();
  upper_qop.qop = "AUTH";
  EXPECT_EQ(verify(upper_qop), AuthResult::kMalformedCredentials);

  const Credentials base = valid_credentials();
  const std::string without_nc = fmt::format(
      "Authorization: Digest username=\"alice\", realm=\"pay.test\", nonce=\"{}\", "
      "uri=\"sip:pay.test\", response=\"{}\", algorithm=SHA-256, qop=auth, "
      "cnonce=\"c\"",
      base.nonce, base.computed_response());
  const std::string without_cnonce = fmt::format(
      "Authorization: Digest username=\"alice\", realm=\"pay.test\", nonce=\"{}\", "
      "uri=\"sip:pay.test\", response=\"{}\", algorithm=SHA-256, qop=auth, "
      "nc=00000001",
      base.nonce, base.computed_response());
  const std::string nc_without_qop = fmt::format(
      "Authorization: Digest username=\"alice\", realm=\"pay.test\", nonce=\"{}\", "
      "uri=\"sip:pay.test\", response=\"{}\", algorithm=SHA-256, nc=00000001",
      base.nonce, base.computed_response());
  for (const std::string& header : {without_nc, without_cnonce, nc_without_qop}) {
    const Message request = make_request({header});
    EXPECT_EQ(
        authenticator_.verify_request(request, AuthRole::kUserAgentServer, kRealm, kStart).result,
        AuthResult::kMalformedCredentials)
        << header;
  }
}

TEST_F(DigestServerTest, EmptyUsernameMalformed) {
  Credentials credentials = valid_credentials();
  credentials.username = "";
  EXPECT_EQ(verify(credentials), AuthResult::kMalformedCredentials);
}

TEST_F(DigestServerTest, OtherRealmWrongRealm) {
  Credentials credentials = valid_credentials();
  credentials.realm = "other.test";
  EXPECT_EQ(verify(credentials), AuthResult::kWrongRealm);
}

TEST_F(DigestServerTest, TamperedNonceUnknown) {
  Credentials tampered = valid_credentials();
  tampered.nonce[10] = tampered.nonce[10] == 'x' ? 'y' : 'x';
  EXPECT_EQ(verify(tampered), AuthResult::kUnknownNonce);

  Credentials invented = valid_credentials();
  invented.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  EXPECT_EQ(verify(invented), AuthResult::kUnknownNonce);
}

TEST_F(DigestServerTest, NonceOfOtherSecretUnknown) {
  std::vector<unsigned char> other_secret(kMinServerSecretBytes, 0x43);
  const DigestAuthenticator other(test_credentials(), other_secret, kStart);
  Credentials credentials = valid_credentials();
  credentials.nonce =
      unquote(parse_challenge(other.challenge_headers(kRealm, false, kStart)[0]).nonce);
  EXPECT_EQ(verify(credentials), AuthResult::kUnknownNonce);
}

TEST_F(DigestServerTest, DowngradeToMd5Rejected) {
  // A correct MD5 response for a SHA-256 nonce.
  Credentials credentials = valid_credentials(DigestAlgorithm::kSha256);
  credentials.algorithm = "MD5";
  EXPECT_EQ(verify(credentials), AuthResult::kAlgorithmMismatch);

  // No algorithm parameter means MD5.
  Credentials absent = valid_credentials(DigestAlgorithm::kSha256);
  absent.algorithm = "";
  EXPECT_EQ(verify(absent), AuthResult::kAlgorithmMismatch);
}

TEST_F(DigestServerTest, SessionVariantMismatch) {
  Credentials credentials = valid_credentials(DigestAlgorithm::kSha256);
  credentials.algorithm = "SHA-256-sess";
  EXPECT_EQ(verify(credentials), AuthResult::kAlgorithmMismatch);
}

TEST_F(DigestServerTest, UnsupportedAlgorithmMismatch) {
  Credentials credentials = valid_credentials(DigestAlgorithm::kSha256);
  credentials.algorithm = "SHA-256";
  credentials.response = credentials.computed_response();
  credentials.algorithm = "SHA-1";
  EXPECT_EQ(verify(credentials), AuthResult::kAlgorithmMismatch);
}

TEST_F(DigestServerTest, OtherUriMismatch) {
  Credentials credentials = valid_credentials();
  credentials.uri = "sip:other.test";
  EXPECT_EQ(verify(credentials), AuthResult::kUriMismatch);
}

TEST_F(DigestServerTest, EquivalentUriAccepted) {
  Credentials credentials = valid_credentials();
  credentials.uri = "SIP:PAY.TEST";
  EXPECT_EQ(verify(credentials, kStart, "sip:pay.test"), AuthResult::kAuthenticated);
}

TEST(DigestUri, MatchRules) {
  const auto request_uri = parse_uri("sip:merchant@pay.test;transport=tcp");
  ASSERT_TRUE(request_uri.ok());
  EXPECT_TRUE(digest_uri_matches("sip:merchant@pay.test;transport=tcp", request_uri.value()));
  EXPECT_TRUE(digest_uri_matches("sip:merchant@PAY.test;transport=TCP", request_uri.value()));
  EXPECT_FALSE(digest_uri_matches("sip:merchant@pay.test", request_uri.value()));
  EXPECT_FALSE(digest_uri_matches("sip:Merchant@pay.test;transport=tcp", request_uri.value()));
  EXPECT_FALSE(digest_uri_matches("not a uri", request_uri.value()));

  const auto other_scheme = parse_uri("urn:service:payment");
  ASSERT_TRUE(other_scheme.ok());
  EXPECT_TRUE(digest_uri_matches("urn:service:payment", other_scheme.value()));
  EXPECT_FALSE(digest_uri_matches("urn:service:Payment", other_scheme.value()));
}

TEST_F(DigestServerTest, UnknownUsernameUnknownUser) {
  Credentials credentials = valid_credentials();
  credentials.username = "mallory";
  EXPECT_EQ(verify(credentials), AuthResult::kUnknownUser);
}

TEST_F(DigestServerTest, UserWithoutHa1ForAlgorithmUnknown) {
  Credentials credentials = valid_credentials(DigestAlgorithm::kSha256);
  credentials.username = "bob";
  credentials.password = "bobpw";
  EXPECT_EQ(verify(credentials), AuthResult::kUnknownUser);
}

TEST_F(DigestServerTest, WrongPasswordWrongResponse) {
  Credentials credentials = valid_credentials();
  credentials.password = "guess";
  const Message request = make_request({credentials.authorization()});
  const DigestVerification verification =
      authenticator_.verify_request(request, AuthRole::kUserAgentServer, kRealm, kStart);
  EXPECT_EQ(verification.result, AuthResult::kWrongResponse);
  EXPECT_EQ(verification.username, "alice");
}

TEST_F(DigestServerTest, OtherMethodWrongResponse) {
  Credentials credentials = valid_credentials();
  credentials.response = credentials.computed_response();
  credentials.method = "MESSAGE";
  EXPECT_EQ(verify(credentials), AuthResult::kWrongResponse);
}

TEST_F(DigestServerTest, ShortResponseRejectedByLength) {
  // A 32-digit response where SHA-256 gives 64: the length check rejects it
  // before the byte comparison.
  Credentials credentials = valid_credentials(DigestAlgorithm::kSha256);
  credentials.response = credentials.computed_response().substr(0, 32);
  EXPECT_EQ(verify(credentials), AuthResult::kWrongResponse);
}

TEST(DigestResponseCompare, LengthThenBytes) {
  const std::string expected(64, 'a');
  EXPECT_TRUE(digest_responses_equal(expected, std::string(64, 'a')));
  EXPECT_FALSE(digest_responses_equal(expected, std::string(32, 'a')));
  EXPECT_FALSE(digest_responses_equal(expected, std::string(65, 'a')));
  EXPECT_FALSE(digest_responses_equal(expected, std::string(63, 'a') + "b"));
  EXPECT_FALSE(digest_responses_equal(expected, ""));
  EXPECT_TRUE(digest_responses_equal("", ""));
}

TEST_F(DigestServerTest, ExpiredNonceStale) {
  const Credentials credentials = valid_credentials();
  EXPECT_EQ(verify(credentials, kStart + seconds(301)), AuthResult::kStaleNonce);
}

TEST_F(DigestServerTest, ExpiredNonceWrongPasswordNotStale) {
  Credentials credentials = valid_credentials();
  credentials.password = "guess";
  EXPECT_EQ(verify(credentials, kStart + seconds(301)), AuthResult::kWrongResponse);
}

TEST(DigestServerRestart, EarlierRunNonceStale) {
  DigestAuthenticator earlier_run(test_credentials(), test_secret(), kStart);
  const std::string challenge_value = earlier_run.challenge_headers(kRealm, false, kStart)[0];
  const AuthHeader challenge = parse_challenge(challenge_value);
  const auto answer = answer_digest_challenge(challenge, {"alice", "alicepw"}, "REGISTER",
                                              "sip:pay.test", "", 1, "cn");
  ASSERT_TRUE(answer.has_value());
  const Message request = make_request({"Authorization: " + answer->header_value});
  EXPECT_EQ(earlier_run.verify_request(request, AuthRole::kUserAgentServer, kRealm, kStart).result,
            AuthResult::kAuthenticated);

  // A restart with the same secret lost the nonce-counts: the replay is stale.
  DigestAuthenticator restarted(test_credentials(), test_secret(), kStart + seconds(5));
  EXPECT_EQ(
      restarted.verify_request(request, AuthRole::kUserAgentServer, kRealm, kStart + seconds(5))
          .result,
      AuthResult::kStaleNonce);
}

TEST_F(DigestServerTest, SameRequestTwiceReplayed) {
  const Credentials credentials = valid_credentials();
  EXPECT_EQ(verify(credentials), AuthResult::kAuthenticated);
  EXPECT_EQ(verify(credentials), AuthResult::kReplayedNonceCount);
}

TEST_F(DigestServerTest, NonceCountMustIncrease) {
  Credentials credentials = valid_credentials();
  credentials.nonce_count = "00000002";
  EXPECT_EQ(verify(credentials), AuthResult::kAuthenticated);
  credentials.nonce_count = "00000001";
  EXPECT_EQ(verify(credentials), AuthResult::kReplayedNonceCount);
  credentials.nonce_count = "00000003";
  EXPECT_EQ(verify(credentials), AuthResult::kAuthenticated);
  credentials.nonce_count = "0000000a";
  EXPECT_EQ(verify(credentials), AuthResult::kAuthenticated);
}

TEST_F(DigestServerTest, WrongResponseLeavesCountUnused) {
  Credentials forged = valid_credentials();
  forged.password = "guess";
  forged.nonce_count = "00000005";
  EXPECT_EQ(verify(forged), AuthResult::kWrongResponse);

  Credentials genuine = valid_credentials();
  genuine.nonce = forged.nonce;
  genuine.nonce_count = "00000001";
  EXPECT_EQ(verify(genuine), AuthResult::kAuthenticated);
}

TEST_F(DigestServerTest, WithoutQopSingleUse) {
  Credentials credentials = valid_credentials(DigestAlgorithm::kMd5);
  credentials.qop = "";
  EXPECT_EQ(verify(credentials), AuthResult::kAuthenticated);
  EXPECT_EQ(verify(credentials), AuthResult::kReplayedNonceCount);
}

// Precedence between failures that occur together.

TEST_F(DigestServerTest, PrecedenceOfCombinedFailures) {
  Credentials realm_and_nonce = valid_credentials();
  realm_and_nonce.realm = "other.test";
  realm_and_nonce.nonce = "forged";
  EXPECT_EQ(verify(realm_and_nonce), AuthResult::kWrongRealm);

  Credentials nonce_and_algorithm = valid_credentials();
  nonce_and_algorithm.nonce = "forged";
  nonce_and_algorithm.algorithm = "MD5";
  EXPECT_EQ(verify(nonce_and_algorithm), AuthResult::kUnknownNonce);

  Credentials algorithm_and_uri = valid_credentials();
  algorithm_and_uri.algorithm = "MD5";
  algorithm_and_uri.uri = "sip:other.test";
  EXPECT_EQ(verify(algorithm_and_uri), AuthResult::kAlgorithmMismatch);

  Credentials uri_and_user = valid_credentials();
  uri_and_user.uri = "sip:other.test";
  uri_and_user.username = "mallory";
  EXPECT_EQ(verify(uri_and_user), AuthResult::kUriMismatch);

  Credentials user_and_password = valid_credentials();
  user_and_password.username = "mallory";
  user_and_password.password = "guess";
  EXPECT_EQ(verify(user_and_password), AuthResult::kUnknownUser);
}

// Header selection.

TEST_F(DigestServerTest, CredentialsForOurRealmChosen) {
  Credentials other_realm = valid_credentials();
  other_realm.realm = "carrier.test";
  const Credentials ours = valid_credentials();
  const Message request = make_request({other_realm.authorization(), ours.authorization()});
  const DigestVerification verification =
      authenticator_.verify_request(request, AuthRole::kUserAgentServer, kRealm, kStart);
  EXPECT_EQ(verification.result, AuthResult::kAuthenticated);
  EXPECT_EQ(verification.credentials_index, std::optional<std::size_t>(1));
}

TEST_F(DigestServerTest, OnlyOtherRealmsWrongRealm) {
  Credentials first = valid_credentials();
  first.realm = "carrier.test";
  Credentials second = valid_credentials();
  second.realm = "bank.test";
  const Message request = make_request({first.authorization(), second.authorization()});
  const DigestVerification verification =
      authenticator_.verify_request(request, AuthRole::kUserAgentServer, kRealm, kStart);
  EXPECT_EQ(verification.result, AuthResult::kWrongRealm);
  EXPECT_EQ(verification.credentials_index, std::optional<std::size_t>(0));
}

TEST_F(DigestServerTest, TwoCredentialsForOneRealmMalformed) {
  const Credentials sha256 = valid_credentials(DigestAlgorithm::kSha256);
  const Credentials md5 = valid_credentials(DigestAlgorithm::kMd5);
  const Message request = make_request({sha256.authorization(), md5.authorization()});
  EXPECT_EQ(
      authenticator_.verify_request(request, AuthRole::kUserAgentServer, kRealm, kStart).result,
      AuthResult::kMalformedCredentials);
}

TEST_F(DigestServerTest, ProxyReadsProxyAuthorization) {
  const Credentials credentials = valid_credentials();
  const Message with_authorization = make_request({credentials.authorization()});
  EXPECT_EQ(
      authenticator_.verify_request(with_authorization, AuthRole::kProxy, kRealm, kStart).result,
      AuthResult::kMissingCredentials);

  const Message with_proxy_authorization =
      make_request({"Proxy-Authorization: " + credentials.header_value()});
  EXPECT_EQ(
      authenticator_.verify_request(with_proxy_authorization, AuthRole::kProxy, kRealm, kStart)
          .result,
      AuthResult::kAuthenticated);
}

TEST_F(DigestServerTest, ReloadedCredentialsUsed) {
  authenticator_.replace_credentials(std::make_shared<const CredentialStore>(CredentialStore::parse(
      make_credential_line("alice", "pay.test", DigestAlgorithm::kSha256, "newpw"), "new")));
  Credentials old_password = valid_credentials();
  EXPECT_EQ(verify(old_password), AuthResult::kWrongResponse);
  Credentials new_password = valid_credentials();
  new_password.password = "newpw";
  EXPECT_EQ(verify(new_password), AuthResult::kAuthenticated);
}

// Responses to send.

TEST(AuthRejection, MapsResults) {
  struct Case {
    AuthResult result;
    int user_agent_server_code;
    int proxy_code;
    bool challenge;
    bool stale;
  };
  const Case cases[] = {
      {AuthResult::kMissingCredentials, 401, 407, true, false},
      {AuthResult::kMalformedCredentials, 400, 400, false, false},
      {AuthResult::kWrongRealm, 401, 407, true, false},
      {AuthResult::kUnknownNonce, 401, 407, true, false},
      {AuthResult::kAlgorithmMismatch, 403, 403, false, false},
      {AuthResult::kUriMismatch, 400, 400, false, false},
      {AuthResult::kUnknownUser, 403, 403, false, false},
      {AuthResult::kWrongResponse, 403, 403, false, false},
      {AuthResult::kStaleNonce, 401, 407, true, true},
      {AuthResult::kReplayedNonceCount, 401, 407, true, true},
  };
  for (const Case& c : cases) {
    const auto uas = rejection_for(c.result, AuthRole::kUserAgentServer);
    const auto proxy = rejection_for(c.result, AuthRole::kProxy);
    ASSERT_TRUE(uas.has_value()) << to_string(c.result);
    ASSERT_TRUE(proxy.has_value()) << to_string(c.result);
    EXPECT_EQ(uas->status_code, c.user_agent_server_code) << to_string(c.result);
    EXPECT_EQ(proxy->status_code, c.proxy_code) << to_string(c.result);
    EXPECT_EQ(uas->challenge, c.challenge) << to_string(c.result);
    EXPECT_EQ(uas->stale, c.stale) << to_string(c.result);
  }
  EXPECT_FALSE(rejection_for(AuthResult::kAuthenticated, AuthRole::kProxy).has_value());
}

TEST(AuthRole, HeaderNames) {
  EXPECT_EQ(challenge_header_name(AuthRole::kUserAgentServer), "WWW-Authenticate");
  EXPECT_EQ(credentials_header_name(AuthRole::kUserAgentServer), "Authorization");
  EXPECT_EQ(challenge_header_name(AuthRole::kProxy), "Proxy-Authenticate");
  EXPECT_EQ(credentials_header_name(AuthRole::kProxy), "Proxy-Authorization");
}

}  // namespace
}  // namespace sippay::sip
