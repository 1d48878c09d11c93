#include "security/reloadable_trust_store.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "security/file_io.hpp"
#include "security/pki_crl.hpp"
#include "security/security_test_support.hpp"

namespace sippay::security {
namespace {

using std::chrono::hours;
using testing::take;

class ReloadableTrustStoreTest : public ::testing::Test {
 protected:
  ReloadableTrustStoreTest() {
    write_crl({}, 1, hours(-72));
    trust = take(ReloadableTrustStore::load(ca_file(), crl_file()));
  }

  std::filesystem::path ca_file() const { return folder.path() / "ca.pem"; }
  std::filesystem::path crl_file() const { return folder.path() / "crl.pem"; }

  // Publishes a CRL of `ca` listing `revoked` as crl.pem, as `sippay pki
  // revoke` does (a new file renamed over the old one).
  void write_crl(const std::vector<Certificate>& revoked, std::uint64_t number,
                 hours this_update_offset = hours(-1), hours validity = hours(24 * 7)) {
    std::vector<RevokedCertificate> entries;
    for (const Certificate& certificate : revoked) {
      entries.push_back({certificate.serial_hex(), testing::now_seconds() - hours(1)});
    }
    CrlRequest request;
    request.crl_number = number;
    request.this_update = testing::now_seconds() + this_update_offset;
    request.next_update = request.this_update + validity;
    write(crl_file(), take(make_crl_pem(ca.certificate, ca.key, entries, request)));
  }

  static void write(const std::filesystem::path& path, std::string_view text) {
    const Status written = write_file_atomic(path, text, 0644);
    if (!written) throw std::runtime_error(written.error().detail);
  }

  // Returns the error code of verifying `leaf` for signing with the store
  // in use, or nothing when it is accepted.
  std::optional<ErrorCode> verify_code(const Certificate& leaf) const {
    const auto result = trust->current()->verify(leaf, {}, KeyPurpose::signing);
    if (result.ok()) return std::nullopt;
    return result.error().code;
  }

  // Writes the CA before anything loads it.
  struct CaFile {
    CaFile(const testing::TempDir& folder, const testing::TestCa& ca) {
      write(folder.path() / "ca.pem", ca.certificate.to_pem());
    }
  };

  testing::TempDir folder;
  testing::TestCa ca = testing::make_test_ca("sippay operator CA");
  CaFile ca_written{folder, ca};
  PrivateKey key = take(PrivateKey::generate(PrivateKey::Algorithm::ec_p256));
  Certificate alice = ca.issue(key, testing::leaf_profile("sip:alice@pay.test"));
  std::shared_ptr<ReloadableTrustStore> trust;
};

TEST_F(ReloadableTrustStoreTest, NewCrlRevokesAcceptedCertificate) {
  EXPECT_EQ(verify_code(alice), std::nullopt);

  write_crl({alice}, 2);
  const Result<CrlInfo> reloaded = trust->reload_crl();

  ASSERT_TRUE(reloaded.ok()) << reloaded.error().detail;
  EXPECT_EQ(reloaded.value().number, "2");
  EXPECT_EQ(reloaded.value().revoked_count, 1U);
  EXPECT_TRUE(reloaded.value().next_update.has_value());
  EXPECT_EQ(verify_code(alice), ErrorCode::revoked);
}

TEST_F(ReloadableTrustStoreTest, SnapshotKeepsItsCrl) {
  const std::shared_ptr<const TrustStore> before = trust->current();

  write_crl({alice}, 2);
  ASSERT_TRUE(trust->reload_crl().ok());

  EXPECT_TRUE(before->verify(alice, {}, KeyPurpose::signing).ok());
  EXPECT_EQ(before->crl_info()->number, "1");
  EXPECT_EQ(verify_code(alice), ErrorCode::revoked);
}

TEST_F(ReloadableTrustStoreTest, GarbledCrlKeepsOldOne) {
  write_crl({alice}, 2);
  ASSERT_TRUE(trust->reload_crl().ok());

  write(crl_file(), "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
  const Result<CrlInfo> reloaded = trust->reload_crl();

  ASSERT_FALSE(reloaded.ok());
  EXPECT_EQ(reloaded.error().code, ErrorCode::crl_invalid);
  EXPECT_NE(reloaded.error().detail.find(crl_file().string()), std::string::npos) << reloaded.error().detail;
  EXPECT_EQ(trust->current()->crl_info()->number, "2");
  EXPECT_EQ(verify_code(alice), ErrorCode::revoked);
}

TEST_F(ReloadableTrustStoreTest, CrlOfOtherCaKeepsOldOne) {
  const testing::TestCa other = testing::make_test_ca("sippay operator CA");
  CrlRequest request;
  request.crl_number = 5;
  request.this_update = testing::now_seconds() - hours(1);
  request.next_update = testing::now_seconds() + hours(24);
  write(crl_file(), take(make_crl_pem(other.certificate, other.key, {}, request)));

  const Result<CrlInfo> reloaded = trust->reload_crl();

  ASSERT_FALSE(reloaded.ok());
  EXPECT_EQ(reloaded.error().code, ErrorCode::crl_invalid);
  EXPECT_NE(reloaded.error().detail.find("does not verify with the CA key"), std::string::npos)
      << reloaded.error().detail;
  EXPECT_EQ(trust->current()->crl_info()->number, "1");
}

TEST_F(ReloadableTrustStoreTest, MissingFileKeepsOldOne) {
  std::filesystem::remove(crl_file());

  const Result<CrlInfo> reloaded = trust->reload_crl();

  ASSERT_FALSE(reloaded.ok());
  EXPECT_EQ(reloaded.error().code, ErrorCode::io);
  EXPECT_NE(reloaded.error().detail.find(crl_file().string()), std::string::npos) << reloaded.error().detail;
  EXPECT_TRUE(trust->current()->has_crl());
}

TEST_F(ReloadableTrustStoreTest, TooLargeFileKeepsOldOne) {
  write(crl_file(), std::string(kMaxCrlBytes + 1, 'A'));

  const Result<CrlInfo> reloaded = trust->reload_crl();

  ASSERT_FALSE(reloaded.ok());
  EXPECT_EQ(reloaded.error().code, ErrorCode::too_large);
  EXPECT_EQ(trust->current()->crl_info()->number, "1");
}

TEST_F(ReloadableTrustStoreTest, ExpiredCrlKeepsOldOne) {
  write_crl({alice}, 2, hours(-48), hours(24));

  const Result<CrlInfo> reloaded = trust->reload_crl();

  ASSERT_FALSE(reloaded.ok());
  EXPECT_EQ(reloaded.error().code, ErrorCode::crl_invalid);
  EXPECT_NE(reloaded.error().detail.find("expired"), std::string::npos) << reloaded.error().detail;
  EXPECT_EQ(verify_code(alice), std::nullopt);
}

TEST_F(ReloadableTrustStoreTest, FutureCrlKeepsOldOne) {
  write_crl({alice}, 2, hours(2));

  const Result<CrlInfo> reloaded = trust->reload_crl();

  ASSERT_FALSE(reloaded.ok());
  EXPECT_NE(reloaded.error().detail.find("in the future"), std::string::npos) << reloaded.error().detail;
  EXPECT_EQ(verify_code(alice), std::nullopt);
}

TEST_F(ReloadableTrustStoreTest, LowerCrlNumberKeepsOldOne) {
  write_crl({}, 7);
  ASSERT_TRUE(trust->reload_crl().ok());

  write_crl({alice}, 3);
  const Result<CrlInfo> reloaded = trust->reload_crl();

  ASSERT_FALSE(reloaded.ok());
  EXPECT_NE(reloaded.error().detail.find("CRL number 3 is lower than 7"), std::string::npos)
      << reloaded.error().detail;
  EXPECT_EQ(verify_code(alice), std::nullopt);
}

TEST_F(ReloadableTrustStoreTest, ReloadWithoutCrlFileFails) {
  ReloadableTrustStore without(TrustStore(ca.certificate), std::nullopt);

  const Result<CrlInfo> reloaded = without.reload_crl();

  ASSERT_FALSE(reloaded.ok());
  EXPECT_FALSE(without.current()->has_crl());
}

}  // namespace
}  // namespace sippay::security
