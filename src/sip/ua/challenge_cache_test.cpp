#include "sip/ua/challenge_cache.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sippay::sip {
namespace {

StoredChallenge challenge_with(std::string nonce, std::string qop = "\"auth\"") {
  return StoredChallenge{"\"pay.test\"", "\"" + nonce + "\"", "", "SHA-256", std::move(qop)};
}

ProtectionSpace proxy_space(int port) { return {true, "udp:127.0.0.1:" + std::to_string(port), ""}; }

const DigestCredentials kAlice{"alice", "alicepw"};

std::optional<PreemptiveCredentials> answer(ChallengeCache& cache, const ProtectionSpace& space) {
  return cache.answer(space, kAlice, "MESSAGE", "sip:bob@pay.test", "", "0a4f113b");
}

TEST(ChallengeCache, AnswersWithNextNonceCount) {
  ChallengeCache cache;
  cache.store(proxy_space(5060), challenge_with("n1").header(), 1);
  const auto first = answer(cache, proxy_space(5060));
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->header_line.starts_with("Proxy-Authorization: Digest "));
  EXPECT_NE(first->header_line.find("nc=00000002"), std::string::npos);
  EXPECT_EQ(first->nonce, "\"n1\"");
  const auto second = answer(cache, proxy_space(5060));
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(second->header_line.find("nc=00000003"), std::string::npos);
}

TEST(ChallengeCache, WwwSpaceUsesAuthorization) {
  ChallengeCache cache;
  const ProtectionSpace space{false, "udp:127.0.0.1:5060", "sip:pay.test"};
  cache.store(space, challenge_with("n1").header(), 1);
  const auto credentials = answer(cache, space);
  ASSERT_TRUE(credentials.has_value());
  EXPECT_TRUE(credentials->header_line.starts_with("Authorization: Digest "));
  EXPECT_FALSE(answer(cache, {false, "udp:127.0.0.1:5060", "sip:other.test"}).has_value());
  EXPECT_FALSE(answer(cache, proxy_space(5060)).has_value());
}

TEST(ChallengeCache, WithoutQopNotStored) {
  ChallengeCache cache;
  cache.store(proxy_space(5060), challenge_with("n1", "").header(), 1);
  EXPECT_EQ(cache.size(), 0U);
  EXPECT_FALSE(answer(cache, proxy_space(5060)).has_value());
}

TEST(ChallengeCache, SameNonceKeepsHigherCount) {
  ChallengeCache cache;
  cache.store(proxy_space(5060), challenge_with("n1").header(), 1);
  ASSERT_TRUE(answer(cache, proxy_space(5060)));  // nc 2
  ASSERT_TRUE(answer(cache, proxy_space(5060)));  // nc 3
  cache.store(proxy_space(5060), challenge_with("n1").header(), 1);
  const auto next = answer(cache, proxy_space(5060));
  ASSERT_TRUE(next.has_value());
  EXPECT_NE(next->header_line.find("nc=00000004"), std::string::npos);
}

TEST(ChallengeCache, NewNonceReplacesOld) {
  ChallengeCache cache;
  cache.store(proxy_space(5060), challenge_with("n1").header(), 1);
  cache.store(proxy_space(5060), challenge_with("n2").header(), 1);
  EXPECT_EQ(cache.size(), 1U);
  const auto next = answer(cache, proxy_space(5060));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->nonce, "\"n2\"");
  EXPECT_NE(next->header_line.find("nc=00000002"), std::string::npos);
}

TEST(ChallengeCache, ForgetKeepsNewerNonce) {
  ChallengeCache cache;
  cache.store(proxy_space(5060), challenge_with("n2").header(), 1);
  cache.forget(proxy_space(5060), "\"n1\"");
  EXPECT_EQ(cache.size(), 1U);
  cache.forget(proxy_space(5060), "\"n2\"");
  EXPECT_EQ(cache.size(), 0U);
}

TEST(ChallengeCache, FullCacheDropsLeastRecentlyUsed) {
  ChallengeCache cache;
  for (std::size_t i = 0; i < ChallengeCache::kMaxEntries; ++i) {
    cache.store(proxy_space(static_cast<int>(6000 + i)), challenge_with("n").header(), 1);
  }
  ASSERT_TRUE(answer(cache, proxy_space(6000)));  // 6000 is now the most recently used
  cache.store(proxy_space(7000), challenge_with("n").header(), 1);
  EXPECT_EQ(cache.size(), ChallengeCache::kMaxEntries);
  EXPECT_TRUE(answer(cache, proxy_space(6000)));
  EXPECT_FALSE(answer(cache, proxy_space(6001)));
  EXPECT_TRUE(answer(cache, proxy_space(7000)));
}

TEST(ChallengeCache, LastNonceCountDropsEntry) {
  ChallengeCache cache;
  cache.store(proxy_space(5060), challenge_with("n1").header(), 0xFFFFFFFE);
  const auto last = answer(cache, proxy_space(5060));
  ASSERT_TRUE(last.has_value());
  EXPECT_NE(last->header_line.find("nc=ffffffff"), std::string::npos);
  EXPECT_FALSE(answer(cache, proxy_space(5060)).has_value());
  EXPECT_EQ(cache.size(), 0U);
}

}  // namespace
}  // namespace sippay::sip
