#include "sip/ua/challenge_cache.hpp"

#include <algorithm>
#include <limits>

namespace sippay::sip {

StoredChallenge StoredChallenge::from(const AuthHeader& challenge) {
  return StoredChallenge{std::string(challenge.realm), std::string(challenge.nonce), std::string(challenge.opaque),
                         std::string(challenge.algorithm), std::string(challenge.qop)};
}

AuthHeader StoredChallenge::header() const {
  AuthHeader header;
  header.scheme = "Digest";
  header.is_digest = true;
  header.realm = realm;
  header.nonce = nonce;
  header.opaque = opaque;
  header.algorithm = algorithm;
  header.qop = qop;
  return header;
}

void ChallengeCache::store(const ProtectionSpace& space, const AuthHeader& challenge, std::uint32_t nonce_count) {
  if (digest_challenge_qop(challenge).empty()) return;  // without qop a nonce count means nothing
  StoredChallenge stored = StoredChallenge::from(challenge);
  auto found = entries_.find(space);
  if (found != entries_.end() && found->second.challenge.nonce == stored.nonce) {
    found->second.nonce_count = std::max(found->second.nonce_count, nonce_count);
    found->second.last_used = ++clock_;
    return;
  }
  if (found == entries_.end() && entries_.size() >= kMaxEntries) evict_least_recently_used();
  entries_[space] = Entry{std::move(stored), nonce_count, ++clock_};
}

std::optional<PreemptiveCredentials> ChallengeCache::answer(const ProtectionSpace& space,
                                                            const DigestCredentials& credentials,
                                                            std::string_view method, std::string_view digest_uri,
                                                            std::string_view body, std::string_view cnonce) {
  auto found = entries_.find(space);
  if (found == entries_.end()) return std::nullopt;
  Entry& entry = found->second;
  if (entry.nonce_count == std::numeric_limits<std::uint32_t>::max()) {
    entries_.erase(found);  // nc is 8 hex digits, so this nonce is used up
    return std::nullopt;
  }
  const auto answer = answer_digest_challenge(entry.challenge.header(), credentials, method, digest_uri, body,
                                              entry.nonce_count + 1, cnonce);
  if (!answer) return std::nullopt;
  ++entry.nonce_count;
  entry.last_used = ++clock_;
  const std::string_view name = space.proxy ? "Proxy-Authorization: " : "Authorization: ";
  return PreemptiveCredentials{space, entry.challenge.nonce, std::string(name) + answer->header_value + "\r\n"};
}

void ChallengeCache::forget(const ProtectionSpace& space, std::string_view nonce) {
  auto found = entries_.find(space);
  if (found != entries_.end() && found->second.challenge.nonce == nonce) entries_.erase(found);
}

void ChallengeCache::evict_least_recently_used() {
  auto oldest = entries_.begin();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->second.last_used < oldest->second.last_used) oldest = it;
  }
  if (oldest != entries_.end()) entries_.erase(oldest);
}

}  // namespace sippay::sip
