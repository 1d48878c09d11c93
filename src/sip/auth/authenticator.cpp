#include "sip/auth/authenticator.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <span>
#include <stdexcept>

#include "sip/scanner.hpp"

namespace sippay::sip {
namespace {

// Strength order for challenges: SHA-512-256, then SHA-256, then MD5.
int preference(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kSha512_256:
      return 3;
    case DigestAlgorithm::kSha256:
      return 2;
    case DigestAlgorithm::kMd5:
      return 1;
  }
  return 0;
}

std::vector<DigestAlgorithm> sorted_algorithms(std::vector<DigestAlgorithm> algorithms) {
  if (algorithms.empty()) {
    throw std::invalid_argument("DigestServerConfig::algorithms must name at least one algorithm");
  }
  std::sort(algorithms.begin(), algorithms.end(),
            [](DigestAlgorithm a, DigestAlgorithm b) { return preference(a) > preference(b); });
  if (std::adjacent_find(algorithms.begin(), algorithms.end()) != algorithms.end()) {
    throw std::invalid_argument("DigestServerConfig::algorithms names an algorithm twice");
  }
  return algorithms;
}

// nc-value = 8LHEX; the header parser checked the form.
std::uint32_t parse_nonce_count(std::string_view hex) {
  std::uint32_t value = 0;
  for (char c : hex) {
    const std::uint32_t digit = (c >= '0' && c <= '9') ? static_cast<std::uint32_t>(c - '0')
                                                       : static_cast<std::uint32_t>(c - 'a' + 10);
    value = (value << 4) | digit;
  }
  return value;
}

// Checks the parameters every Digest credentials header needs (RFC 3261
// §22.4, RFC 7616). A qop of "auth" or "auth-int" needs nc and cnonce, and
// without qop (RFC 2069 compatibility) neither may appear. The qop must be
// lower case, because digest_response() recognizes only a lower-case
// "auth-int".
bool is_well_formed(const AuthHeader& credentials) {
  if (credentials.username.empty() || credentials.realm.empty() || credentials.nonce.empty() ||
      credentials.uri.empty() || credentials.response.empty()) {
    return false;
  }
  if (credentials.qop.empty()) return credentials.nonce_count.empty() && credentials.cnonce.empty();
  if (credentials.qop != "auth" && credentials.qop != "auth-int") return false;
  if (credentials.nonce_count.empty() || credentials.cnonce.empty()) return false;
  return parse_nonce_count(credentials.nonce_count) != 0;  // counting starts at 1
}

bool same_algorithm(DigestAlgorithmSpec a, DigestAlgorithmSpec b) {
  return a.algorithm == b.algorithm && a.session == b.session;
}

DigestVerification finish(DigestVerification verification, AuthResult result) {
  verification.result = result;
  return verification;
}

}  // namespace

std::string_view challenge_header_name(AuthRole role) {
  return role == AuthRole::kProxy ? "Proxy-Authenticate" : "WWW-Authenticate";
}

std::string_view credentials_header_name(AuthRole role) {
  return role == AuthRole::kProxy ? "Proxy-Authorization" : "Authorization";
}

std::string_view to_string(AuthResult result) {
  switch (result) {
    case AuthResult::kMissingCredentials:
      return "missing credentials";
    case AuthResult::kMalformedCredentials:
      return "malformed credentials";
    case AuthResult::kWrongRealm:
      return "wrong realm";
    case AuthResult::kUnknownNonce:
      return "unknown nonce";
    case AuthResult::kAlgorithmMismatch:
      return "algorithm mismatch";
    case AuthResult::kUriMismatch:
      return "uri mismatch";
    case AuthResult::kUnknownUser:
      return "unknown user";
    case AuthResult::kWrongResponse:
      return "wrong response";
    case AuthResult::kStaleNonce:
      return "stale nonce";
    case AuthResult::kReplayedNonceCount:
      return "replayed nonce-count";
    case AuthResult::kAuthenticated:
      return "authenticated";
  }
  return "unknown result";
}

std::optional<AuthRejection> rejection_for(AuthResult result, AuthRole role) {
  const int challenge_code = role == AuthRole::kProxy ? 407 : 401;
  switch (result) {
    case AuthResult::kMissingCredentials:
    case AuthResult::kWrongRealm:
    case AuthResult::kUnknownNonce:
      return AuthRejection{challenge_code, true, false};
    case AuthResult::kStaleNonce:
    case AuthResult::kReplayedNonceCount:
      return AuthRejection{challenge_code, true, true};
    case AuthResult::kMalformedCredentials:
    case AuthResult::kUriMismatch:
      return AuthRejection{400, false, false};
    case AuthResult::kAlgorithmMismatch:
    case AuthResult::kUnknownUser:
    case AuthResult::kWrongResponse:
      return AuthRejection{403, false, false};
    case AuthResult::kAuthenticated:
      return std::nullopt;
  }
  return AuthRejection{403, false, false};
}

bool digest_responses_equal(std::string_view expected, std::string_view received) {
  if (expected.size() != received.size()) return false;
  return CRYPTO_memcmp(expected.data(), received.data(), expected.size()) == 0;
}

bool digest_uri_matches(std::string_view digest_uri, const Uri& request_uri) {
  if (digest_uri == request_uri.text) return true;
  const Result<Uri> parsed = parse_uri(digest_uri);
  return parsed.ok() && uri_equivalent(parsed.value(), request_uri);
}

DigestAuthenticator::DigestAuthenticator(std::shared_ptr<const CredentialStore> credentials,
                                         std::vector<unsigned char> secret,
                                         AuthClock::time_point now, DigestServerConfig config)
    : credentials_(std::move(credentials)),
      nonces_(std::move(secret), now, config.nonce),
      algorithms_(sorted_algorithms(std::move(config.algorithms))) {
  if (!credentials_) throw std::invalid_argument("DigestAuthenticator needs a credential store");
}

void DigestAuthenticator::replace_credentials(std::shared_ptr<const CredentialStore> credentials) {
  if (!credentials) throw std::invalid_argument("DigestAuthenticator needs a credential store");
  credentials_ = std::move(credentials);
}

std::vector<std::string> DigestAuthenticator::challenge_headers(std::string_view realm, bool stale,
                                                                AuthClock::time_point now) const {
  std::vector<std::string> values;
  values.reserve(algorithms_.size());
  for (DigestAlgorithm algorithm : algorithms_) {
    const DigestAlgorithmSpec spec{algorithm, false};
    std::string value =
        fmt::format("Digest realm={}, nonce=\"{}\", algorithm={}, qop=\"auth\"", quote(realm),
                    nonces_.issue(realm, spec, now), digest_algorithm_name(spec));
    if (stale) value += ", stale=true";
    values.push_back(std::move(value));
  }
  return values;
}

DigestVerification DigestAuthenticator::verify_request(const Message& request, AuthRole role,
                                                       std::string_view realm,
                                                       AuthClock::time_point now) {
  const std::span<const AuthHeader> headers =
      role == AuthRole::kProxy ? request.proxy_authorization() : request.authorization();
  std::optional<std::size_t> first_digest;
  std::optional<std::size_t> for_realm;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (!headers[i].is_digest) continue;
    if (!first_digest) first_digest = i;
    if (headers[i].realm.empty() || unquote(headers[i].realm) != realm) continue;
    if (for_realm) {
      // Another element could read the other header of the two, so neither
      // is used.
      DigestVerification verification;
      verification.result = AuthResult::kMalformedCredentials;
      verification.credentials_index = i;
      return verification;
    }
    for_realm = i;
  }
  if (!first_digest) return DigestVerification{};

  const std::size_t index = for_realm.value_or(*first_digest);
  DigestVerification verification = verify(request, headers[index], realm, now);
  verification.credentials_index = index;
  return verification;
}

DigestVerification DigestAuthenticator::verify(const Message& request,
                                               const AuthHeader& credentials,
                                               std::string_view realm, AuthClock::time_point now) {
  DigestVerification verification;
  if (!credentials.is_digest)
    return finish(std::move(verification), AuthResult::kMissingCredentials);
  if (!is_well_formed(credentials)) {
    return finish(std::move(verification), AuthResult::kMalformedCredentials);
  }
  verification.username = unquote(credentials.username);
  if (verification.username.empty()) {
    return finish(std::move(verification), AuthResult::kMalformedCredentials);
  }

  if (unquote(credentials.realm) != realm) {
    return finish(std::move(verification), AuthResult::kWrongRealm);
  }

  const std::string nonce = unquote(credentials.nonce);
  const NonceCheck nonce_check = nonces_.check(nonce, realm, now);
  if (nonce_check.status == NonceStatus::kInvalid) {
    return finish(std::move(verification), AuthResult::kUnknownNonce);
  }

  // An absent algorithm means MD5, so credentials without one for a SHA-256
  // nonce are a downgrade too.
  const auto algorithm = parse_digest_algorithm(credentials.algorithm);
  verification.algorithm = nonce_check.algorithm;
  if (!algorithm || !same_algorithm(*algorithm, nonce_check.algorithm)) {
    return finish(std::move(verification), AuthResult::kAlgorithmMismatch);
  }

  const std::string digest_uri = unquote(credentials.uri);
  if (!digest_uri_matches(digest_uri, request.request_line().request_uri)) {
    return finish(std::move(verification), AuthResult::kUriMismatch);
  }

  // An unknown user costs the same hashing and comparison as a known one, so
  // the time taken does not tell which usernames exist.
  const std::string* ha1 =
      credentials_->find_ha1(verification.username, realm, nonce_check.algorithm.algorithm);
  const std::string placeholder_ha1 = digest_hash(nonce_check.algorithm.algorithm, nonce);
  const std::string cnonce = unquote(credentials.cnonce);
  DigestInputs inputs;
  inputs.algorithm = nonce_check.algorithm;
  inputs.username = verification.username;
  inputs.realm = realm;
  inputs.ha1 = ha1 != nullptr ? std::string_view(*ha1) : std::string_view(placeholder_ha1);
  inputs.nonce = nonce;
  inputs.cnonce = cnonce;
  inputs.nonce_count = credentials.nonce_count;
  inputs.qop = credentials.qop;
  inputs.method = request.method();
  inputs.digest_uri = digest_uri;
  inputs.body = request.body();
  const bool response_matches =
      digest_responses_equal(digest_response(inputs), unquote(credentials.response));
  if (ha1 == nullptr) return finish(std::move(verification), AuthResult::kUnknownUser);
  if (!response_matches) return finish(std::move(verification), AuthResult::kWrongResponse);

  if (nonce_check.status == NonceStatus::kExpired) {
    return finish(std::move(verification), AuthResult::kStaleNonce);
  }
  std::optional<std::uint32_t> nonce_count;
  if (!credentials.nonce_count.empty()) nonce_count = parse_nonce_count(credentials.nonce_count);
  switch (nonces_.record_use(nonce_check, nonce_count, now)) {
    case NonceUse::kReplayed:
      return finish(std::move(verification), AuthResult::kReplayedNonceCount);
    case NonceUse::kForgotten:
      return finish(std::move(verification), AuthResult::kStaleNonce);
    case NonceUse::kAccepted:
      break;
  }
  return finish(std::move(verification), AuthResult::kAuthenticated);
}

}  // namespace sippay::sip
