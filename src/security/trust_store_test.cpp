#include "security/trust_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "security/file_io.hpp"
#include "security/pki_crl.hpp"
#include "security/security_test_support.hpp"

namespace sippay::security {
namespace {

using std::chrono::hours;
using testing::take;

constexpr std::string_view kMerchant = "sip:merchant@shop.example.com";

class TrustStoreTest : public ::testing::Test {
 protected:
  Certificate issue(const CertificateProfile& profile) const { return ca.issue(key, profile); }

  std::string crl_pem(std::span<const RevokedCertificate> revoked, std::uint64_t number = 1) const {
    CrlRequest request;
    request.crl_number = number;
    request.this_update = testing::now_seconds() - hours(1);
    request.next_update = testing::now_seconds() + hours(24 * 7);
    return take(make_crl_pem(ca.certificate, ca.key, revoked, request));
  }

  // Returns the error code of verify, or nothing when it succeeds.
  std::optional<ErrorCode> verify_code(const Certificate& leaf, KeyPurpose purpose,
                                       const TrustStore& trust) const {
    const auto result = trust.verify(leaf, {}, purpose);
    if (result.ok()) return std::nullopt;
    return result.error().code;
  }

  testing::TestCa ca = testing::make_test_ca("sippay operator CA");
  PrivateKey key = take(PrivateKey::generate(PrivateKey::Algorithm::ec_p256));
  TrustStore store{ca.certificate};
};

TEST_F(TrustStoreTest, AcceptsGoodCertificate) {
  const Certificate leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  const auto verified = store.verify(leaf, {}, KeyPurpose::signing);
  ASSERT_TRUE(verified.ok()) << verified.error().detail;
  EXPECT_EQ(verified.value().sip_uris, std::vector<std::string>{std::string(kMerchant)});
  EXPECT_EQ(verified.value().certificate.native(), leaf.native());
  EXPECT_TRUE(store.verify(leaf, {}, KeyPurpose::encryption).ok());
  EXPECT_TRUE(store.verify(leaf, {}, KeyPurpose::tls_client).ok());
}

TEST_F(TrustStoreTest, RejectsWrongCa) {
  const testing::TestCa other = testing::make_test_ca("sippay operator CA");  // same name, other key
  const Certificate leaf = other.issue(key, testing::leaf_profile(std::string(kMerchant)));
  const auto result = store.verify(leaf, {}, KeyPurpose::signing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::untrusted_chain);
}

TEST_F(TrustStoreTest, RejectsSelfSignedLeaf) {
  const testing::TestCa self_signed = testing::make_test_ca("merchant");
  const auto result = store.verify(self_signed.certificate, {}, KeyPurpose::signing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::untrusted_chain);
}

TEST_F(TrustStoreTest, RejectsExpired) {
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  profile.not_before = testing::now_seconds() - hours(48);
  profile.not_after = testing::now_seconds() - hours(24);
  const auto result = store.verify(issue(profile), {}, KeyPurpose::signing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::expired);
  EXPECT_NE(result.error().detail.find("expired"), std::string::npos);
}

TEST_F(TrustStoreTest, RejectsNotYetValid) {
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  profile.not_before = testing::now_seconds() + hours(24);
  profile.not_after = testing::now_seconds() + hours(48);
  const auto result = store.verify(issue(profile), {}, KeyPurpose::signing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::not_yet_valid);
}

TEST_F(TrustStoreTest, UsesVerificationTime) {
  const Certificate leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  const auto later = store.verify(leaf, {}, KeyPurpose::signing, testing::now_seconds() + hours(48));
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().code, ErrorCode::expired);
  const auto earlier = store.verify(leaf, {}, KeyPurpose::signing, testing::now_seconds() - hours(2));
  ASSERT_FALSE(earlier.ok());
  EXPECT_EQ(earlier.error().code, ErrorCode::not_yet_valid);
}

TEST_F(TrustStoreTest, RejectsRevoked) {
  const Certificate leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  const Certificate other = issue(testing::leaf_profile("sip:customer@example.com"));
  const RevokedCertificate revoked[] = {{leaf.serial_hex(), testing::now_seconds() - hours(1)}};
  ASSERT_TRUE(store.add_crl_pem(crl_pem(revoked)).ok());
  EXPECT_TRUE(store.has_crl());

  const auto result = store.verify(leaf, {}, KeyPurpose::signing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::revoked);
  EXPECT_NE(result.error().detail.find(leaf.serial_hex()), std::string::npos);
  EXPECT_TRUE(store.verify(other, {}, KeyPurpose::signing).ok());
}

TEST_F(TrustStoreTest, RevokedAndExpiredReportsRevoked) {
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  profile.not_before = testing::now_seconds() - hours(48);
  profile.not_after = testing::now_seconds() - hours(24);
  const Certificate leaf = issue(profile);
  const RevokedCertificate revoked[] = {{leaf.serial_hex(), testing::now_seconds() - hours(30)}};
  ASSERT_TRUE(store.add_crl_pem(crl_pem(revoked)).ok());
  EXPECT_EQ(verify_code(leaf, KeyPurpose::signing, store), ErrorCode::revoked);
}

TEST_F(TrustStoreTest, CopyKeepsItsOwnCrl) {
  const Certificate leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  const TrustStore before_crl = store;
  const RevokedCertificate revoked[] = {{leaf.serial_hex(), testing::now_seconds()}};
  ASSERT_TRUE(store.add_crl_pem(crl_pem(revoked)).ok());
  EXPECT_EQ(verify_code(leaf, KeyPurpose::signing, store), ErrorCode::revoked);
  EXPECT_EQ(verify_code(leaf, KeyPurpose::signing, before_crl), std::nullopt);
  EXPECT_FALSE(before_crl.has_crl());
}

TEST_F(TrustStoreTest, VerifiesOnSeveralThreads) {
  const Certificate good = issue(testing::leaf_profile(std::string(kMerchant)));
  const Certificate revoked_leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  const RevokedCertificate revoked[] = {{revoked_leaf.serial_hex(), testing::now_seconds()}};
  ASSERT_TRUE(store.add_crl_pem(crl_pem(revoked)).ok());
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (verify_code(good, KeyPurpose::signing, store) != std::nullopt) ++wrong;
        if (verify_code(revoked_leaf, KeyPurpose::signing, store) != ErrorCode::revoked) ++wrong;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(TrustStoreTest, RejectsCrlFromOtherCa) {
  const testing::TestCa other = testing::make_test_ca("sippay operator CA");
  CrlRequest request;
  request.this_update = testing::now_seconds() - hours(1);
  request.next_update = testing::now_seconds() + hours(24);
  const std::string pem = take(make_crl_pem(other.certificate, other.key, {}, request));
  const Status added = store.add_crl_pem(pem);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, ErrorCode::crl_invalid);
  EXPECT_NE(added.error().detail.find("signature"), std::string::npos);
  EXPECT_FALSE(store.has_crl());
}

TEST_F(TrustStoreTest, RejectsGarbageCrl) {
  const Status added = store.add_crl_pem("-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, ErrorCode::crl_invalid);
}

TEST_F(TrustStoreTest, RejectsOlderCrl) {
  ASSERT_TRUE(store.add_crl_pem(crl_pem({}, 2)).ok());
  CrlRequest request;
  request.crl_number = 1;
  request.this_update = testing::now_seconds() - hours(5);
  request.next_update = testing::now_seconds() + hours(24);
  const Status added = store.add_crl_pem(take(make_crl_pem(ca.certificate, ca.key, {}, request)));
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, ErrorCode::crl_invalid);
}

TEST_F(TrustStoreTest, ExpiredCrlFailsVerification) {
  CrlRequest request;
  request.this_update = testing::now_seconds() - hours(48);
  request.next_update = testing::now_seconds() - hours(24);
  ASSERT_TRUE(store.add_crl_pem(take(make_crl_pem(ca.certificate, ca.key, {}, request))).ok());
  const auto result = store.verify(issue(testing::leaf_profile(std::string(kMerchant))), {}, KeyPurpose::signing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::crl_invalid);
}

TEST_F(TrustStoreTest, RejectsSigningWithoutDigitalSignature) {
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  profile.key_usage = "keyAgreement";
  const auto result = store.verify(issue(profile), {}, KeyPurpose::signing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::bad_key_usage);
  EXPECT_NE(result.error().detail.find("digitalSignature"), std::string::npos);
}

TEST_F(TrustStoreTest, RejectsSigningWithoutEmailProtection) {
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  profile.extended_key_usage = "serverAuth";
  EXPECT_EQ(verify_code(issue(profile), KeyPurpose::signing, store), ErrorCode::bad_key_usage);
}

TEST_F(TrustStoreTest, RejectsEncryptionWithoutKeyAgreement) {
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  profile.key_usage = "digitalSignature";
  EXPECT_EQ(verify_code(issue(profile), KeyPurpose::encryption, store), ErrorCode::bad_key_usage);
}

TEST_F(TrustStoreTest, RsaEncryptionNeedsKeyEncipherment) {
  const PrivateKey rsa_key = take(PrivateKey::generate(PrivateKey::Algorithm::rsa, 2048));
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  const Certificate agreement_only = ca.issue(rsa_key, profile);
  EXPECT_EQ(verify_code(agreement_only, KeyPurpose::encryption, store), ErrorCode::bad_key_usage);
  profile.key_usage = "digitalSignature,keyEncipherment";
  const Certificate encipherment = ca.issue(rsa_key, profile);
  EXPECT_EQ(verify_code(encipherment, KeyPurpose::encryption, store), std::nullopt);
}

TEST_F(TrustStoreTest, TlsPurposesNeedExtendedKeyUsage) {
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  profile.extended_key_usage = "emailProtection,clientAuth";
  EXPECT_EQ(verify_code(issue(profile), KeyPurpose::tls_server, store), ErrorCode::bad_key_usage);
  profile.extended_key_usage.clear();
  const Certificate without_eku = issue(profile);
  EXPECT_EQ(verify_code(without_eku, KeyPurpose::tls_client, store), ErrorCode::bad_key_usage);
  // No extendedKeyUsage means any usage for S/MIME (RFC 5280 §4.2.1.12).
  EXPECT_EQ(verify_code(without_eku, KeyPurpose::signing, store), std::nullopt);
  profile.extended_key_usage = "serverAuth,clientAuth,emailProtection";
  EXPECT_EQ(verify_code(issue(profile), KeyPurpose::tls_server, store), std::nullopt);
}

TEST_F(TrustStoreTest, RejectsMissingKeyUsage) {
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  profile.key_usage.clear();
  EXPECT_EQ(verify_code(issue(profile), KeyPurpose::signing, store), ErrorCode::bad_key_usage);
}

TEST_F(TrustStoreTest, RejectsCaCertificateAsLeaf) {
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  profile.is_ca = true;
  profile.key_usage = "digitalSignature,keyCertSign";
  EXPECT_EQ(verify_code(issue(profile), KeyPurpose::signing, store), ErrorCode::bad_key_usage);
}

TEST_F(TrustStoreTest, IdentityMatchesUserAndHost) {
  CertificateProfile profile = testing::leaf_profile("sip:merchant@Shop.Example.com;transport=tls");
  const Certificate leaf = issue(profile);
  for (const std::string_view claimed :
       {"sip:merchant@shop.example.com", "sips:merchant@SHOP.example.com:5061", "sip:%6Derchant@shop.example.com"}) {
    const auto result = store.verify_identity(leaf, {}, claimed, KeyPurpose::signing);
    EXPECT_TRUE(result.ok()) << claimed << ": " << result.error().detail;
  }
}

TEST_F(TrustStoreTest, RejectsIdentityMismatch) {
  const Certificate leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  for (const std::string_view claimed : {"sip:Merchant@shop.example.com", "sip:merchant@evil.example.com",
                                         "sip:shop.example.com", "sip:merchant@shop.example.com.evil"}) {
    const auto result = store.verify_identity(leaf, {}, claimed, KeyPurpose::signing);
    ASSERT_FALSE(result.ok()) << claimed;
    EXPECT_EQ(result.error().code, ErrorCode::identity_mismatch) << claimed;
  }
}

TEST_F(TrustStoreTest, IgnoresCommonNameForIdentity) {
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  profile.common_name = std::string(kMerchant);
  profile.sip_uris.clear();
  const Certificate leaf = issue(profile);
  ASSERT_TRUE(store.verify(leaf, {}, KeyPurpose::signing).ok());
  const auto result = store.verify_identity(leaf, {}, kMerchant, KeyPurpose::signing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::identity_mismatch);
  EXPECT_NE(result.error().detail.find("no sip or sips URI"), std::string::npos);
}

TEST_F(TrustStoreTest, RejectsMalformedClaimedUri) {
  const Certificate leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  for (const std::string_view claimed : {"merchant@shop.example.com", "tel:+15551234", "sip:"}) {
    const auto result = store.verify_identity(leaf, {}, claimed, KeyPurpose::signing);
    ASSERT_FALSE(result.ok()) << claimed;
    EXPECT_EQ(result.error().code, ErrorCode::malformed) << claimed;
  }
}

TEST_F(TrustStoreTest, IdentityCheckedAfterChain) {
  const testing::TestCa other = testing::make_test_ca("other CA");
  const Certificate leaf = other.issue(key, testing::leaf_profile("sip:mallory@example.com"));
  const auto result = store.verify_identity(leaf, {}, kMerchant, KeyPurpose::signing);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::untrusted_chain);
}

TEST_F(TrustStoreTest, VerifiesThroughIntermediate) {
  CertificateProfile intermediate_profile = testing::leaf_profile("sip:unused@example.com");
  intermediate_profile.common_name = "intermediate";
  intermediate_profile.sip_uris.clear();
  intermediate_profile.is_ca = true;
  intermediate_profile.key_usage = "keyCertSign,cRLSign";
  intermediate_profile.extended_key_usage.clear();
  const PrivateKey intermediate_key = take(PrivateKey::generate(PrivateKey::Algorithm::ec_p256));
  const Certificate intermediate = ca.issue(intermediate_key, intermediate_profile);
  const testing::TestCa sub_ca{intermediate_key, intermediate};
  const Certificate leaf = sub_ca.issue(key, testing::leaf_profile(std::string(kMerchant)));

  const Certificate chain[] = {intermediate};
  EXPECT_TRUE(store.verify(leaf, chain, KeyPurpose::signing).ok());
  const auto without = store.verify(leaf, {}, KeyPurpose::signing);
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.error().code, ErrorCode::untrusted_chain);
}

TEST_F(TrustStoreTest, LoadsFromFiles) {
  testing::TempDir dir;
  ASSERT_TRUE(write_file_atomic(dir.path() / "ca.pem", ca.certificate.to_pem(), 0644).ok());
  const Certificate leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  const RevokedCertificate revoked[] = {{leaf.serial_hex(), testing::now_seconds()}};
  ASSERT_TRUE(write_file_atomic(dir.path() / "crl.pem", crl_pem(revoked), 0644).ok());

  const TrustStore loaded = take(TrustStore::load(dir.path() / "ca.pem", dir.path() / "crl.pem"));
  EXPECT_EQ(verify_code(leaf, KeyPurpose::signing, loaded), ErrorCode::revoked);
  const TrustStore without_crl = take(TrustStore::load(dir.path() / "ca.pem", std::nullopt));
  EXPECT_EQ(verify_code(leaf, KeyPurpose::signing, without_crl), std::nullopt);

  const auto not_ca = TrustStore::load(dir.path() / "crl.pem", std::nullopt);
  ASSERT_FALSE(not_ca.ok());
  EXPECT_EQ(not_ca.error().code, ErrorCode::malformed);
}

TEST_F(TrustStoreTest, LoadRejectsLeafAsCa) {
  testing::TempDir dir;
  const Certificate leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  ASSERT_TRUE(write_file_atomic(dir.path() / "leaf.pem", leaf.to_pem(), 0644).ok());
  const auto loaded = TrustStore::load(dir.path() / "leaf.pem", std::nullopt);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::untrusted_chain);
}

// Each rejection reports its own code, so callers can tell them apart.
TEST_F(TrustStoreTest, RejectionCodesAreDistinct) {
  const testing::TestCa other = testing::make_test_ca("other CA");
  CertificateProfile expired = testing::leaf_profile(std::string(kMerchant));
  expired.not_before = testing::now_seconds() - hours(48);
  expired.not_after = testing::now_seconds() - hours(24);
  CertificateProfile future = testing::leaf_profile(std::string(kMerchant));
  future.not_before = testing::now_seconds() + hours(24);
  future.not_after = testing::now_seconds() + hours(48);
  CertificateProfile no_signing = testing::leaf_profile(std::string(kMerchant));
  no_signing.key_usage = "keyAgreement";
  const Certificate revoked_leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  const RevokedCertificate revoked[] = {{revoked_leaf.serial_hex(), testing::now_seconds()}};
  ASSERT_TRUE(store.add_crl_pem(crl_pem(revoked)).ok());

  const std::vector<std::pair<Certificate, ErrorCode>> cases = {
      {other.issue(key, testing::leaf_profile(std::string(kMerchant))), ErrorCode::untrusted_chain},
      {issue(expired), ErrorCode::expired},
      {issue(future), ErrorCode::not_yet_valid},
      {revoked_leaf, ErrorCode::revoked},
      {issue(no_signing), ErrorCode::bad_key_usage},
      {issue(testing::leaf_profile("sip:customer@example.com")), ErrorCode::identity_mismatch},
  };
  std::set<ErrorCode> seen;
  for (const auto& [leaf, expected] : cases) {
    const auto result = store.verify_identity(leaf, {}, kMerchant, KeyPurpose::signing);
    ASSERT_FALSE(result.ok()) << to_string(expected);
    EXPECT_EQ(result.error().code, expected) << result.error().detail;
    seen.insert(result.error().code);
  }
  EXPECT_EQ(seen.size(), cases.size());
}

TEST_F(TrustStoreTest, KeepsVerifiedChain) {
  const Certificate leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  ASSERT_TRUE(store.verify(leaf, {}, KeyPurpose::signing).ok());
  EXPECT_EQ(store.verified_chains(), 1u);

  const auto again = store.verify(leaf, {}, KeyPurpose::signing);
  ASSERT_TRUE(again.ok()) << again.error().detail;
  EXPECT_EQ(store.verified_chains(), 1u);
  EXPECT_EQ(again.value().sip_uris, std::vector<std::string>{std::string(kMerchant)});
  EXPECT_EQ(again.value().certificate.native(), leaf.native());
}

TEST_F(TrustStoreTest, KeptChainStillChecksTime) {
  const Certificate leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  ASSERT_TRUE(store.verify(leaf, {}, KeyPurpose::signing).ok());
  ASSERT_EQ(store.verified_chains(), 1u);

  const auto later = store.verify(leaf, {}, KeyPurpose::signing, testing::now_seconds() + hours(48));
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error().code, ErrorCode::expired);
  const auto earlier = store.verify(leaf, {}, KeyPurpose::signing, testing::now_seconds() - hours(2));
  ASSERT_FALSE(earlier.ok());
  EXPECT_EQ(earlier.error().code, ErrorCode::not_yet_valid);
}

TEST_F(TrustStoreTest, NewCrlEmptiesKeptChains) {
  const Certificate leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  ASSERT_TRUE(store.verify(leaf, {}, KeyPurpose::signing).ok());
  ASSERT_EQ(store.verified_chains(), 1u);

  const RevokedCertificate revoked[] = {{leaf.serial_hex(), testing::now_seconds() - hours(1)}};
  ASSERT_TRUE(store.add_crl_pem(crl_pem(revoked)).ok());
  EXPECT_EQ(store.verified_chains(), 0u);
  EXPECT_EQ(verify_code(leaf, KeyPurpose::signing, store), ErrorCode::revoked);
}

TEST_F(TrustStoreTest, KeptChainEndsWithCrlNextUpdate) {
  CrlRequest request;
  request.this_update = testing::now_seconds() - hours(1);
  request.next_update = testing::now_seconds() + hours(1);
  ASSERT_TRUE(store.add_crl_pem(take(make_crl_pem(ca.certificate, ca.key, {}, request))).ok());
  const Certificate leaf = issue(testing::leaf_profile(std::string(kMerchant)));
  ASSERT_TRUE(store.verify(leaf, {}, KeyPurpose::signing).ok());
  ASSERT_EQ(store.verified_chains(), 1u);

  const auto after_next_update = store.verify(leaf, {}, KeyPurpose::signing, testing::now_seconds() + hours(2));
  ASSERT_FALSE(after_next_update.ok());
  EXPECT_EQ(after_next_update.error().code, ErrorCode::crl_invalid);
}

TEST_F(TrustStoreTest, FailedChainIsNotKept) {
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  profile.not_before = testing::now_seconds() - hours(48);
  profile.not_after = testing::now_seconds() - hours(24);
  const Certificate expired = issue(profile);
  EXPECT_EQ(verify_code(expired, KeyPurpose::signing, store), ErrorCode::expired);
  EXPECT_EQ(store.verified_chains(), 0u);
  EXPECT_EQ(verify_code(expired, KeyPurpose::signing, store), ErrorCode::expired);
}

TEST_F(TrustStoreTest, KeptChainIsPerPurpose) {
  CertificateProfile profile = testing::leaf_profile(std::string(kMerchant));
  profile.key_usage = "digitalSignature";
  const Certificate signing_only = issue(profile);
  EXPECT_EQ(verify_code(signing_only, KeyPurpose::signing, store), std::nullopt);
  EXPECT_EQ(store.verified_chains(), 1u);
  EXPECT_EQ(verify_code(signing_only, KeyPurpose::encryption, store), ErrorCode::bad_key_usage);
  EXPECT_EQ(store.verified_chains(), 1u);
}

TEST(VerifiedChainCacheTest, FindsOnlyInsideTheWindow) {
  VerifiedChainCache cache;
  const auto now = std::chrono::system_clock::now();
  cache.insert("chain", {"sip:a@example.com"}, now - hours(1), now + hours(1));
  const auto found = cache.find("chain", now);
  ASSERT_TRUE(found);
  EXPECT_EQ(*found, std::vector<std::string>{"sip:a@example.com"});
  EXPECT_FALSE(cache.find("chain", now + hours(2)));
  EXPECT_FALSE(cache.find("chain", now - hours(2)));
  EXPECT_FALSE(cache.find("other", now));
}

TEST(VerifiedChainCacheTest, StaysWithinCapacity) {
  VerifiedChainCache cache(2);
  const auto now = std::chrono::system_clock::now();
  cache.insert("first", {}, now - hours(1), now + hours(1));
  cache.insert("second", {}, now - hours(1), now + hours(1));
  EXPECT_EQ(cache.size(), 2u);
  cache.insert("second", {"sip:b@example.com"}, now - hours(1), now + hours(1));
  EXPECT_EQ(cache.size(), 2u);
  cache.insert("third", {}, now - hours(1), now + hours(1));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.find("third", now));
  EXPECT_FALSE(cache.find("first", now));
}

TEST(VerifiedChainCacheTest, IgnoresEmptyWindow) {
  VerifiedChainCache cache;
  const auto now = std::chrono::system_clock::now();
  cache.insert("chain", {}, now + hours(1), now - hours(1));
  EXPECT_EQ(cache.size(), 0u);
}

}  // namespace
}  // namespace sippay::security
