// The server side of Digest authentication for the registrar (401,
// WWW-Authenticate, Authorization) and the proxy (407, Proxy-Authenticate,
// Proxy-Authorization): challenges, and the check of the credentials that
// respond to them (RFC 3261 §22, RFC 7616, RFC 8760).
//
// Sans-I/O: the caller passes the current time, reads the result and sends
// the response. docs/digest-server.md lists the checks and their order.
//
// Thread safety: none. A DigestAuthenticator belongs to one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/auth/credential_store.hpp"
#include "sip/auth/digest.hpp"
#include "sip/auth/nonce.hpp"
#include "sip/message.hpp"

namespace sippay::sip {

// The authenticating element, which fixes the status code and header names.
enum class AuthRole : unsigned char {
  kUserAgentServer,  // registrar or UAS: 401, WWW-Authenticate, Authorization
  kProxy,            // 407, Proxy-Authenticate, Proxy-Authorization
};

std::string_view challenge_header_name(AuthRole role);    // "WWW-Authenticate"
std::string_view credentials_header_name(AuthRole role);  // "Authorization"

// The outcome of checking credentials. verify() runs the checks in the order
// of this list and returns the first that fails, so each value also means
// that every check above it passed.
enum class AuthResult : unsigned char {
  kMissingCredentials,    // no Digest credentials header
  kMalformedCredentials,  // a required parameter is missing or invalid
  kWrongRealm,            // the realm is not the one challenged for
  kUnknownNonce,          // not a nonce of this server, realm and secret
  kAlgorithmMismatch,     // the algorithm differs from the one bound in the nonce
  kUriMismatch,           // the digest uri is not the Request-URI
  kUnknownUser,           // no HA1 for this username, realm and algorithm
  kWrongResponse,         // the response does not match
  kStaleNonce,            // right response, but the nonce expired or was forgotten
  kReplayedNonceCount,    // right response, but the nonce-count was used already
  kAuthenticated,
};

std::string_view to_string(AuthResult result);  // "wrong response"

// The response a registrar or proxy sends for a failed check.
struct AuthRejection {
  int status_code = 0;     // 400, 401, 403 or 407
  bool challenge = false;  // add fresh challenges (challenge_headers())
  bool stale = false;      // with stale=true
};

// Maps a result to the response for `role`, or nullopt for kAuthenticated.
//
//   missing, wrong realm, unknown nonce         401/407 with a new challenge
//   stale, replayed nonce-count                 401/407 with a new challenge, stale=true
//   malformed, uri mismatch                     400 (for the uri, RFC 2617 §3.2.2.5)
//   algorithm mismatch, unknown user,
//   wrong response                              403
//
// Unknown user and wrong response share 403 so that a client cannot tell
// which usernames exist. stale=true is sent only after a right response,
// because it informs the client that its password is right (RFC 2617 §3.2.1).
std::optional<AuthRejection> rejection_for(AuthResult result, AuthRole role);

struct DigestServerConfig {
  // Algorithms to challenge with. challenge_headers() lists them strongest
  // first whatever the order here (SHA-512-256, SHA-256, MD5).
  std::vector<DigestAlgorithm> algorithms = {DigestAlgorithm::kSha256, DigestAlgorithm::kMd5};
  NonceConfig nonce;
};

struct DigestVerification {
  AuthResult result = AuthResult::kMissingCredentials;
  // The unquoted username once the credentials were well formed, for logs
  // and policy. Only kAuthenticated proves it.
  std::string username;
  DigestAlgorithmSpec algorithm;
  // Set by verify_request(): the position of the checked header in
  // message.authorization() or proxy_authorization(), so that a proxy can
  // remove the credentials it consumed before forwarding. Null when the
  // request has no Digest credentials.
  std::optional<std::size_t> credentials_index;
};

class DigestAuthenticator {
 public:
  // Throws std::invalid_argument when `config.algorithms` is empty or
  // repeats an algorithm, and as NonceManager does for the secret.
  DigestAuthenticator(std::shared_ptr<const CredentialStore> credentials,
                      std::vector<unsigned char> secret, AuthClock::time_point now,
                      DigestServerConfig config = {});

  // Swaps in a reloaded credential file. Nonces stay valid.
  void replace_credentials(std::shared_ptr<const CredentialStore> credentials);

  // Creates the values of the WWW-Authenticate or Proxy-Authenticate headers
  // of a challenge: one per configured algorithm, strongest first, each with
  // its own nonce and qop="auth". A client that takes the first challenge it
  // supports then takes the strongest.
  std::vector<std::string> challenge_headers(std::string_view realm, bool stale,
                                             AuthClock::time_point now) const;

  // Checks the Authorization (kUserAgentServer) or Proxy-Authorization
  // (kProxy) credentials of `request` for `realm`. Among several headers it
  // checks the Digest one whose realm is `realm`. When none has it, it checks
  // the first Digest header, which gives kMalformedCredentials or
  // kWrongRealm. Two Digest headers for `realm` give kMalformedCredentials.
  // REQUIRES: request.is_request().
  DigestVerification verify_request(const Message& request, AuthRole role, std::string_view realm,
                                    AuthClock::time_point now);

  // Checks one credentials header of `request` for `realm`. A successful
  // check records the nonce-count, so the same credentials fail next time.
  // REQUIRES: request.is_request().
  DigestVerification verify(const Message& request, const AuthHeader& credentials,
                            std::string_view realm, AuthClock::time_point now);

  const NonceManager& nonces() const { return nonces_; }

 private:
  std::shared_ptr<const CredentialStore> credentials_;
  NonceManager nonces_;
  std::vector<DigestAlgorithm> algorithms_;  // strongest first
};

// Compares a received response with the expected one: lengths first, which
// depend only on the algorithm, then the bytes in constant time.
bool digest_responses_equal(std::string_view expected, std::string_view received);

// Whether the digest uri of credentials names the Request-URI: equal bytes,
// or equivalent URIs by RFC 3261 §19.1.4 (RFC 3966 for tel).
bool digest_uri_matches(std::string_view digest_uri, const Uri& request_uri);

}  // namespace sippay::sip
