// HTTP Digest authentication as SIP uses it (RFC 3261 §22.4, RFC 2617, RFC
// 7616, RFC 8760): hashing of the response for the client, and the pieces
// a server needs to check one.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sip/headers.hpp"

namespace sippay::sip {

enum class DigestAlgorithm : unsigned char { kMd5, kSha256, kSha512_256 };

struct DigestAlgorithmSpec {
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
  bool session = false;  // the "-sess" variants
};

// Reads an `algorithm` token; an absent algorithm means MD5 (RFC 2617 §3.2.1).
std::optional<DigestAlgorithmSpec> parse_digest_algorithm(std::string_view token);
std::string_view digest_algorithm_name(DigestAlgorithmSpec spec);  // "SHA-256-sess"

// Lower-case hex of the algorithm's hash of `data`.
std::string digest_hash(DigestAlgorithm algorithm, std::string_view data);

struct DigestInputs {
  DigestAlgorithmSpec algorithm;
  std::string_view username;
  std::string_view realm;
  std::string_view password;  // or empty when ha1 is given
  std::string_view ha1;       // precomputed H(username:realm:password)
  std::string_view nonce;
  std::string_view cnonce;
  std::string_view nonce_count;  // "00000001"
  std::string_view qop;          // "auth", "auth-int" or empty (RFC 2069 compatibility)
  std::string_view method;
  std::string_view digest_uri;
  std::string_view body;  // for auth-int
};

// The request-digest of RFC 2617 §3.2.2.1 / RFC 7616 §3.4.1, lower-case hex.
std::string digest_response(const DigestInputs& inputs);

struct DigestCredentials {
  std::string username;
  std::string password;
};

// The credentials a client sends in reply to a challenge.
struct DigestAnswer {
  std::string header_value;  // for Authorization or Proxy-Authorization
};

// Builds credentials answering `challenge` for a request of `method` to
// `digest_uri`. Chooses qop=auth when offered, else auth-int, else none.
// `nonce_count` counts uses of this nonce, from 1. Returns nullopt when the
// challenge is not Digest, lacks realm or nonce, or names an algorithm not
// supported here.
std::optional<DigestAnswer> answer_digest_challenge(const AuthHeader& challenge,
                                                    const DigestCredentials& credentials,
                                                    std::string_view method,
                                                    std::string_view digest_uri,
                                                    std::string_view body,
                                                    unsigned nonce_count,
                                                    std::string_view cnonce);

// The qop answer_digest_challenge responds to `challenge` with: "auth",
// "auth-int", or empty when the challenge offers neither.
std::string_view digest_challenge_qop(const AuthHeader& challenge);

// Picks the strongest supported Digest challenge of a 401 or 407 (RFC 8760
// §2.4 lets a server offer several algorithms). Null when none is usable.
const AuthHeader* choose_digest_challenge(std::span<const AuthHeader> challenges);

// Quotes `text` as a quoted-string, escaping `"` and `\`.
std::string quote(std::string_view text);

}  // namespace sippay::sip
