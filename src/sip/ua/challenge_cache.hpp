// Digest challenges for which a UA's credentials succeeded, kept so that
// later requests to the same next hop carry credentials at once instead of
// waiting for a 401 or 407. RFC 3261 §22.3 lets a UA cache credentials for
// the realm of its outbound proxy across dialogs, and §22.2 lets it send
// Authorization before any 401.
// Each reuse sends the next nonce count (RFC 7616 §3.4.5, RFC 2617
// §3.2.2), so only challenges answered with a qop are kept.
//
// Not thread safe: it belongs to one UserAgent.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "sip/auth/digest.hpp"
#include "sip/headers.hpp"

namespace sippay::sip {

// The scope of a kept challenge. A Proxy-Authenticate (407) challenge belongs to
// the next hop. A WWW-Authenticate (401) challenge comes from the UAS or
// registrar the Request-URI names, so it applies only to requests with the
// same next hop and the same Request-URI.
struct ProtectionSpace {
  bool proxy = false;       // 407 and Proxy-Authorization, else 401 and Authorization
  std::string next_hop;     // the transport address the request is sent to
  std::string request_uri;  // for 401 only; empty for 407

  auto operator<=>(const ProtectionSpace&) const = default;
};

// The owned parts of a challenge that are needed to compute new credentials for it.
struct StoredChallenge {
  std::string realm;  // quoted, as received
  std::string nonce;  // quoted, as received
  std::string opaque;
  std::string algorithm;
  std::string qop;

  static StoredChallenge from(const AuthHeader& challenge);
  // An AuthHeader whose views point into this object.
  AuthHeader header() const;
};

// A header line computed from a cached challenge, and what to forget if the
// server rejects it.
struct PreemptiveCredentials {
  ProtectionSpace space;
  std::string nonce;
  std::string header_line;  // "Proxy-Authorization: Digest ...\r\n"
};

class ChallengeCache {
 public:
  // Maximum number of protection spaces kept. A UA talks to one proxy or
  // registrar in the usual deployment, so a few entries suffice. Beyond this
  // the least recently used entry is dropped, which costs its next request
  // one challenge.
  static constexpr std::size_t kMaxEntries = 16;

  // Keeps `challenge`, answered successfully with `nonce_count`, for `space`.
  // Replaces the challenge kept there before. Ignores challenges that offer
  // no qop the UA answers with. When the nonce is the one already kept, the
  // higher nonce count stays, so a count is never sent twice.
  void store(const ProtectionSpace& space, const AuthHeader& challenge, std::uint32_t nonce_count);

  // Computes credentials for a request to `space` from the challenge kept
  // there, with that nonce's next nonce count. Returns nullopt when nothing
  // is kept for `space`.
  std::optional<PreemptiveCredentials> answer(const ProtectionSpace& space, const DigestCredentials& credentials,
                                              std::string_view method, std::string_view digest_uri,
                                              std::string_view body, std::string_view cnonce);

  // Drops the entry for `space` when it still contains `nonce`, after the server
  // rejected credentials for that nonce. A newer challenge stored meanwhile
  // by another request stays.
  void forget(const ProtectionSpace& space, std::string_view nonce);

  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    StoredChallenge challenge;
    std::uint32_t nonce_count = 0;  // the last one sent
    std::uint64_t last_used = 0;
  };

  void evict_least_recently_used();

  std::map<ProtectionSpace, Entry> entries_;
  std::uint64_t clock_ = 0;
};

}  // namespace sippay::sip
