// Fuzzes Digest authentication on parsed messages: the server's check of
// Authorization and Proxy-Authorization credentials (nonce decoding and MAC,
// algorithm, digest uri, response and nonce-count), and the client's choice
// of a WWW-Authenticate or Proxy-Authenticate challenge and its answer.
//
// Input layout: byte 0 picks the credentials header (bit 0: Authorization or
// Proxy-Authorization) and the algorithm bound to the nonces below (bits 1-2:
// MD5, SHA-256, SHA-512-256, SHA-256; bit 3: the "-sess" variant). The rest
// is a SIP message. Before parsing, each "@nonce@" in it becomes a nonce this
// server issued now and each "@old-nonce@" one issued an hour ago, so that
// inputs get past the MAC check. After parsing, "@response@" becomes the
// right response of user "alice" for the first credentials header, so that
// inputs reach the nonce-count checks.
//
// Checks: every result maps to a documented response; credentials that
// authenticated once are rejected when sent again; an answer to a challenge
// parses as credentials that carry the challenge's realm and nonce.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "sip/auth/authenticator.hpp"
#include "sip/auth/credential_store.hpp"
#include "sip/auth/digest.hpp"
#include "sip/headers.hpp"
#include "sip/message.hpp"
#include "sip/scanner.hpp"

namespace {

using sippay::fuzz::fail;
namespace sip = sippay::sip;

constexpr std::string_view kRealm = "pay.test";
constexpr std::string_view kUser = "alice";
constexpr std::string_view kPassword = "fuzz-password";
const sip::AuthClock::time_point kNow{std::chrono::seconds(1'800'000'000)};

std::shared_ptr<const sip::CredentialStore> credentials() {
  static const auto store = [] {
    std::string text;
    for (const auto algorithm :
         {sip::DigestAlgorithm::kMd5, sip::DigestAlgorithm::kSha256, sip::DigestAlgorithm::kSha512_256}) {
      text += sip::make_credential_line(kUser, kRealm, algorithm, kPassword) + "\n";
    }
    return std::make_shared<const sip::CredentialStore>(sip::CredentialStore::parse(text, "fuzz"));
  }();
  return store;
}

// A fresh authenticator per input, so that no nonce-count carries over.
sip::DigestAuthenticator make_authenticator() {
  sip::DigestServerConfig config;
  config.algorithms = {sip::DigestAlgorithm::kMd5, sip::DigestAlgorithm::kSha256,
                       sip::DigestAlgorithm::kSha512_256};
  return sip::DigestAuthenticator(credentials(), std::vector<unsigned char>(32, 0x5a), kNow, config);
}

void replace_all(std::string& text, std::string_view marker, std::string_view value) {
  for (std::size_t at = text.find(marker); at != std::string::npos;
       at = text.find(marker, at + value.size())) {
    text.replace(at, marker.size(), value);
  }
}

// The response that user alice would send with `header` on `request`, or
// nullopt when the header lacks what the hash needs.
std::optional<std::string> right_response(const sip::Message& request, const sip::AuthHeader& header,
                                          sip::DigestAlgorithmSpec algorithm) {
  if (!header.is_digest || header.nonce.empty() || header.uri.empty()) return std::nullopt;
  const std::string nonce = sip::unquote(header.nonce);
  const std::string cnonce = sip::unquote(header.cnonce);
  const std::string uri = sip::unquote(header.uri);
  sip::DigestInputs inputs;
  inputs.algorithm = algorithm;
  inputs.username = kUser;
  inputs.realm = kRealm;
  inputs.password = kPassword;
  inputs.nonce = nonce;
  inputs.cnonce = cnonce;
  inputs.nonce_count = header.nonce_count;
  inputs.qop = header.qop;
  inputs.method = request.method();
  inputs.digest_uri = uri;
  inputs.body = request.body();
  return sip::digest_response(inputs);
}

void check_verification(const sip::Message& request, sip::AuthRole role,
                        const sip::DigestVerification& verification) {
  const std::span<const sip::AuthHeader> headers =
      role == sip::AuthRole::kProxy ? request.proxy_authorization() : request.authorization();
  if (verification.credentials_index && *verification.credentials_index >= headers.size()) {
    fail("credentials_index points past the credentials headers");
  }
  if (verification.result == sip::AuthResult::kMissingCredentials &&
      verification.credentials_index &&
      headers[*verification.credentials_index].is_digest) {
    fail("Digest credentials were reported missing");
  }
  const auto rejection = sip::rejection_for(verification.result, role);
  if (verification.result == sip::AuthResult::kAuthenticated) {
    if (rejection) fail("an authenticated request has a rejection");
    if (verification.username != kUser) fail("authenticated a user without credentials", verification.username);
    return;
  }
  if (!rejection) fail("a failed check has no rejection", sip::to_string(verification.result));
  const int status = rejection->status_code;
  const int challenge_status = role == sip::AuthRole::kProxy ? 407 : 401;
  if (status != 400 && status != 403 && status != challenge_status) {
    fail("a failed check maps to an undocumented status", sip::to_string(verification.result));
  }
}

void check_server(const std::string& bytes, sip::AuthRole role, sip::DigestAlgorithmSpec algorithm) {
  // A response has 32 hex digits with MD5 and 64 with the SHA-2 algorithms.
  // The parser accepts only those forms, so "@response@" becomes zeros of
  // the right length until the message is parsed and the response known.
  const std::size_t response_size = algorithm.algorithm == sip::DigestAlgorithm::kMd5 ? 32 : 64;
  std::string with_zeros = bytes;
  replace_all(with_zeros, "@response@", std::string(response_size, '0'));
  auto parsed = sip::parse_message(with_zeros);
  if (!parsed || !parsed->is_request() || parsed->semantic_error() != nullptr) return;

  const std::span<const sip::AuthHeader> headers =
      role == sip::AuthRole::kProxy ? parsed->proxy_authorization() : parsed->authorization();
  std::string with_response;
  if (with_zeros != bytes && !headers.empty()) {
    if (const auto response = right_response(*parsed, headers.front(), algorithm)) {
      with_response = bytes;
      replace_all(with_response, "@response@", *response);
      parsed = sip::parse_message(with_response);
      if (!parsed || !parsed->is_request() || parsed->semantic_error() != nullptr) return;
    }
  }

  sip::DigestAuthenticator authenticator = make_authenticator();
  const sip::DigestVerification first = authenticator.verify_request(*parsed, role, kRealm, kNow);
  check_verification(*parsed, role, first);
  const sip::DigestVerification second = authenticator.verify_request(*parsed, role, kRealm, kNow);
  check_verification(*parsed, role, second);
  if (second.result == sip::AuthResult::kAuthenticated) {
    fail("the same credentials authenticated twice", sip::to_string(first.result));
  }
}

void check_answers(const sip::Message& message, std::span<const sip::AuthHeader> challenges) {
  const sip::AuthHeader* chosen = sip::choose_digest_challenge(challenges);
  if (chosen != nullptr && (!chosen->is_digest || chosen->nonce.empty())) {
    fail("chose a challenge without a Digest nonce");
  }
  const sip::DigestCredentials client{std::string(kUser), std::string(kPassword)};
  for (const sip::AuthHeader& challenge : challenges) {
    const auto answer = sip::answer_digest_challenge(challenge, client, "MESSAGE", "sip:bob@pay.test",
                                                     message.body(), 1, "fuzzcnonce");
    if (!answer) continue;
    const auto credentials = sip::parse_auth_header(answer->header_value, 0, false);
    if (!credentials) {
      fail("the answer to a challenge does not parse: " + credentials.error().to_string(),
           answer->header_value);
    }
    if (!credentials->is_digest) fail("the answer to a challenge is not Digest", answer->header_value);
    if (sip::unquote(credentials->realm) != sip::unquote(challenge.realm) ||
        sip::unquote(credentials->nonce) != sip::unquote(challenge.nonce)) {
      fail("the answer changes the challenge's realm or nonce", answer->header_value);
    }
  }
}

void check_client(std::string_view bytes) {
  const auto parsed = sip::parse_message(bytes);
  if (!parsed) return;
  check_answers(*parsed, parsed->www_authenticate());
  check_answers(*parsed, parsed->proxy_authenticate());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const sip::AuthRole role = (data[0] & 1) != 0 ? sip::AuthRole::kProxy : sip::AuthRole::kUserAgentServer;
  constexpr sip::DigestAlgorithm kAlgorithms[] = {sip::DigestAlgorithm::kMd5, sip::DigestAlgorithm::kSha256,
                                                  sip::DigestAlgorithm::kSha512_256,
                                                  sip::DigestAlgorithm::kSha256};
  const sip::DigestAlgorithmSpec algorithm{kAlgorithms[(data[0] >> 1) & 3], (data[0] & 8) != 0};

  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const sip::DigestAuthenticator issuer = make_authenticator();
  replace_all(bytes, "@nonce@", issuer.nonces().issue(kRealm, algorithm, kNow));
  replace_all(bytes, "@old-nonce@", issuer.nonces().issue(kRealm, algorithm, kNow - std::chrono::hours(1)));

  check_server(bytes, role, algorithm);
  check_client(bytes);
  return 0;
}
