#include "sip/auth/nonce.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sippay::sip {
namespace {

using std::chrono::seconds;

const AuthClock::time_point kStart{seconds(1'700'000'000)};
constexpr DigestAlgorithmSpec kSha256{DigestAlgorithm::kSha256, false};
constexpr DigestAlgorithmSpec kMd5{DigestAlgorithm::kMd5, false};

std::vector<unsigned char> test_secret(unsigned char fill = 0x42) {
  return std::vector<unsigned char>(kMinServerSecretBytes, fill);
}

TEST(Nonce, IssuedNonceChecksValid) {
  const NonceManager nonces(test_secret(), kStart);
  const std::string nonce = nonces.issue("pay.test", kSha256, kStart);
  EXPECT_EQ(nonce.size(), 44u);
  EXPECT_EQ(
      nonce.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);

  const NonceCheck check = nonces.check(nonce, "pay.test", kStart + seconds(10));
  EXPECT_EQ(check.status, NonceStatus::kValid);
  EXPECT_EQ(check.algorithm.algorithm, DigestAlgorithm::kSha256);
  EXPECT_FALSE(check.algorithm.session);
  EXPECT_EQ(check.issued_at, 1'700'000'000u);
}

TEST(Nonce, EachIssueDiffers) {
  const NonceManager nonces(test_secret(), kStart);
  EXPECT_NE(nonces.issue("pay.test", kMd5, kStart), nonces.issue("pay.test", kMd5, kStart));
}

TEST(Nonce, AlgorithmBoundAtIssue) {
  const NonceManager nonces(test_secret(), kStart);
  const DigestAlgorithmSpec session{DigestAlgorithm::kSha512_256, true};
  const NonceCheck check =
      nonces.check(nonces.issue("pay.test", session, kStart), "pay.test", kStart);
  ASSERT_EQ(check.status, NonceStatus::kValid);
  EXPECT_EQ(check.algorithm.algorithm, DigestAlgorithm::kSha512_256);
  EXPECT_TRUE(check.algorithm.session);
}

TEST(Nonce, OtherRealmInvalid) {
  const NonceManager nonces(test_secret(), kStart);
  const std::string nonce = nonces.issue("pay.test", kMd5, kStart);
  EXPECT_EQ(nonces.check(nonce, "other.test", kStart).status, NonceStatus::kInvalid);
  EXPECT_EQ(nonces.check(nonce, "pay.tes", kStart).status, NonceStatus::kInvalid);
}

TEST(Nonce, OtherSecretInvalid) {
  const NonceManager issuer(test_secret(0x01), kStart);
  const NonceManager checker(test_secret(0x02), kStart);
  const std::string nonce = issuer.issue("pay.test", kMd5, kStart);
  EXPECT_EQ(checker.check(nonce, "pay.test", kStart).status, NonceStatus::kInvalid);
}

// 33 bytes fill the 44 characters exactly, so changing any character
// changes a signed byte or the MAC.
TEST(Nonce, AnyChangedCharacterInvalid) {
  const NonceManager nonces(test_secret(), kStart);
  const std::string nonce = nonces.issue("pay.test", kSha256, kStart);
  for (std::size_t i = 0; i < nonce.size(); ++i) {
    std::string tampered = nonce;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_EQ(nonces.check(tampered, "pay.test", kStart).status, NonceStatus::kInvalid)
        << "character " << i;
  }
}

TEST(Nonce, MalformedTextInvalid) {
  const NonceManager nonces(test_secret(), kStart);
  const std::string nonce = nonces.issue("pay.test", kSha256, kStart);
  EXPECT_EQ(nonces.check("", "pay.test", kStart).status, NonceStatus::kInvalid);
  EXPECT_EQ(nonces.check(nonce.substr(1), "pay.test", kStart).status, NonceStatus::kInvalid);
  EXPECT_EQ(nonces.check(nonce + "A", "pay.test", kStart).status, NonceStatus::kInvalid);
  std::string with_plus = nonce;
  with_plus[5] = '+';
  EXPECT_EQ(nonces.check(with_plus, "pay.test", kStart).status, NonceStatus::kInvalid);
}

TEST(Nonce, ExpiresAfterLifetime) {
  const NonceManager nonces(test_secret(), kStart, NonceConfig{seconds(300), 100});
  const std::string nonce = nonces.issue("pay.test", kMd5, kStart);
  EXPECT_EQ(nonces.check(nonce, "pay.test", kStart + seconds(300)).status, NonceStatus::kValid);
  const NonceCheck late = nonces.check(nonce, "pay.test", kStart + seconds(301));
  EXPECT_EQ(late.status, NonceStatus::kExpired);
  EXPECT_EQ(late.algorithm.algorithm, DigestAlgorithm::kMd5);
}

TEST(Nonce, IssuedInFutureExpired) {
  const NonceManager nonces(test_secret(), kStart);
  const std::string nonce = nonces.issue("pay.test", kMd5, kStart + seconds(60));
  EXPECT_EQ(nonces.check(nonce, "pay.test", kStart).status, NonceStatus::kExpired);
}

TEST(NonceUseTable, CountMustIncrease) {
  NonceManager nonces(test_secret(), kStart);
  const NonceCheck check = nonces.check(nonces.issue("pay.test", kMd5, kStart), "pay.test", kStart);
  ASSERT_EQ(check.status, NonceStatus::kValid);
  EXPECT_EQ(nonces.record_use(check, 1, kStart), NonceUse::kAccepted);
  EXPECT_EQ(nonces.record_use(check, 1, kStart), NonceUse::kReplayed);
  EXPECT_EQ(nonces.record_use(check, 3, kStart), NonceUse::kAccepted);
  EXPECT_EQ(nonces.record_use(check, 2, kStart), NonceUse::kReplayed);
  EXPECT_EQ(nonces.record_use(check, 4, kStart), NonceUse::kAccepted);
  EXPECT_EQ(nonces.tracked_nonces(), 1u);
}

TEST(NonceUseTable, FirstCountNeedNotBeOne) {
  NonceManager nonces(test_secret(), kStart);
  const NonceCheck check = nonces.check(nonces.issue("pay.test", kMd5, kStart), "pay.test", kStart);
  EXPECT_EQ(nonces.record_use(check, 7, kStart), NonceUse::kAccepted);
  EXPECT_EQ(nonces.record_use(check, 7, kStart), NonceUse::kReplayed);
}

TEST(NonceUseTable, WithoutQopSingleUse) {
  NonceManager nonces(test_secret(), kStart);
  const NonceCheck check = nonces.check(nonces.issue("pay.test", kMd5, kStart), "pay.test", kStart);
  EXPECT_EQ(nonces.record_use(check, std::nullopt, kStart), NonceUse::kAccepted);
  EXPECT_EQ(nonces.record_use(check, std::nullopt, kStart), NonceUse::kReplayed);
  EXPECT_EQ(nonces.record_use(check, 1, kStart), NonceUse::kReplayed);
}

TEST(NonceUseTable, WithoutQopAfterCountedUseReplayed) {
  NonceManager nonces(test_secret(), kStart);
  const NonceCheck check = nonces.check(nonces.issue("pay.test", kMd5, kStart), "pay.test", kStart);
  EXPECT_EQ(nonces.record_use(check, 1, kStart), NonceUse::kAccepted);
  EXPECT_EQ(nonces.record_use(check, std::nullopt, kStart), NonceUse::kReplayed);
}

TEST(NonceUseTable, FullTableForgetsOldest) {
  NonceManager nonces(test_secret(), kStart, NonceConfig{seconds(300), 2});
  const NonceCheck first =
      nonces.check(nonces.issue("pay.test", kMd5, kStart), "pay.test", kStart + seconds(2));
  const NonceCheck second = nonces.check(nonces.issue("pay.test", kMd5, kStart + seconds(1)),
                                         "pay.test", kStart + seconds(2));
  const NonceCheck third = nonces.check(nonces.issue("pay.test", kMd5, kStart + seconds(2)),
                                        "pay.test", kStart + seconds(2));
  const auto now = kStart + seconds(2);
  EXPECT_EQ(nonces.record_use(first, 1, now), NonceUse::kAccepted);
  EXPECT_EQ(nonces.record_use(second, 1, now), NonceUse::kAccepted);
  EXPECT_EQ(nonces.record_use(third, 1, now), NonceUse::kAccepted);
  EXPECT_EQ(nonces.tracked_nonces(), 2u);

  // The first nonce was forgotten: a replay of it must not pass as new.
  EXPECT_EQ(nonces.record_use(first, 1, now), NonceUse::kForgotten);
  EXPECT_EQ(nonces.record_use(first, 2, now), NonceUse::kForgotten);
  EXPECT_EQ(nonces.record_use(second, 2, now), NonceUse::kAccepted);
  EXPECT_EQ(nonces.record_use(third, 2, now), NonceUse::kAccepted);
}

TEST(NonceUseTable, OldestNewNonceForgottenWhenFull) {
  NonceManager nonces(test_secret(), kStart, NonceConfig{seconds(300), 1});
  const auto now = kStart + seconds(5);
  const NonceCheck older =
      nonces.check(nonces.issue("pay.test", kMd5, kStart + seconds(1)), "pay.test", now);
  const NonceCheck newer =
      nonces.check(nonces.issue("pay.test", kMd5, kStart + seconds(2)), "pay.test", now);
  EXPECT_EQ(nonces.record_use(newer, 1, now), NonceUse::kAccepted);
  EXPECT_EQ(nonces.record_use(older, 1, now), NonceUse::kForgotten);
  EXPECT_EQ(nonces.record_use(newer, 2, now), NonceUse::kAccepted);
}

TEST(NonceUseTable, ExpiredEntriesDropped) {
  NonceManager nonces(test_secret(), kStart, NonceConfig{seconds(300), 100});
  const NonceCheck check = nonces.check(nonces.issue("pay.test", kMd5, kStart), "pay.test", kStart);
  EXPECT_EQ(nonces.record_use(check, 1, kStart), NonceUse::kAccepted);
  EXPECT_EQ(nonces.tracked_nonces(), 1u);

  const auto later = kStart + seconds(400);
  const NonceCheck fresh = nonces.check(nonces.issue("pay.test", kMd5, later), "pay.test", later);
  EXPECT_EQ(nonces.record_use(fresh, 1, later), NonceUse::kAccepted);
  EXPECT_EQ(nonces.tracked_nonces(), 1u);
  // Were the clock to step back into the old nonce's lifetime, it stays rejected.
  EXPECT_EQ(nonces.record_use(check, 1, kStart), NonceUse::kForgotten);
}

TEST(NonceUseTable, NonceOfEarlierRunForgotten) {
  NonceManager earlier_run(test_secret(), kStart);
  const std::string nonce = earlier_run.issue("pay.test", kMd5, kStart);
  NonceManager restarted(test_secret(), kStart + seconds(30));
  const NonceCheck check = restarted.check(nonce, "pay.test", kStart + seconds(30));
  ASSERT_EQ(check.status, NonceStatus::kValid);
  EXPECT_EQ(restarted.record_use(check, 1, kStart + seconds(30)), NonceUse::kForgotten);

  const NonceCheck own = restarted.check(restarted.issue("pay.test", kMd5, kStart + seconds(30)),
                                         "pay.test", kStart + seconds(30));
  EXPECT_EQ(restarted.record_use(own, 1, kStart + seconds(30)), NonceUse::kAccepted);
}

TEST(NonceUseTable, InvalidCheckRejected) {
  NonceManager nonces(test_secret(), kStart);
  const NonceCheck invalid = nonces.check("garbage", "pay.test", kStart);
  EXPECT_THROW(nonces.record_use(invalid, 1, kStart), std::logic_error);
}

TEST(NonceManagerConfig, ShortSecretRejected) {
  EXPECT_THROW(NonceManager(std::vector<unsigned char>(kMinServerSecretBytes - 1, 1), kStart),
               std::invalid_argument);
}

TEST(NonceManagerConfig, ZeroLimitsRejected) {
  EXPECT_THROW(NonceManager(test_secret(), kStart, NonceConfig{seconds(0), 10}),
               std::invalid_argument);
  EXPECT_THROW(NonceManager(test_secret(), kStart, NonceConfig{seconds(300), 0}),
               std::invalid_argument);
}

TEST(ServerSecret, GeneratedSecretsDiffer) {
  const auto a = generate_server_secret();
  const auto b = generate_server_secret();
  EXPECT_EQ(a.size(), kMinServerSecretBytes);
  EXPECT_NE(a, b);
}

std::filesystem::path write_temp_file(const std::string& name, const std::string& content) {
  const std::filesystem::path path = std::filesystem::path(testing::TempDir()) / name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(ServerSecret, LoadStripsTrailingLineBreak) {
  const std::string hex(64, 'a');
  const auto path = write_temp_file("sippay_nonce_secret_crlf", hex + "\r\n");
  const auto secret = load_server_secret(path);
  EXPECT_EQ(std::string(secret.begin(), secret.end()), hex);
  std::filesystem::remove(path);
}

TEST(ServerSecret, LoadRejectsShortFile) {
  const auto path = write_temp_file("sippay_nonce_secret_short", "tooshort-secret-value\n");
  try {
    load_server_secret(path);
    FAIL() << "a short secret was accepted";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_EQ(message.find("tooshort"), std::string::npos) << message;
  }
  std::filesystem::remove(path);
}

TEST(ServerSecret, LoadRejectsMissingFile) {
  EXPECT_THROW(load_server_secret("/nonexistent/sippay-secret"), std::runtime_error);
}

}  // namespace
}  // namespace sippay::sip
