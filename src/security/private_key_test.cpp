#include "security/private_key.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <openssl/pem.h>

#include <fstream>

#include "security/file_io.hpp"
#include "security/security_test_support.hpp"

namespace sippay::security {
namespace {

using testing::TempDir;
using testing::take;

mode_t file_mode(const std::filesystem::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0);
  return status.st_mode & 07777;
}

// Writes `key` as PKCS#8 PEM with mode 0600, encrypted under the pass
// phrase "secret" when `cipher` is given.
void write_key_file(const std::filesystem::path& path, EVP_PKEY* key, const EVP_CIPHER* cipher) {
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio, key, cipher, nullptr, 0, nullptr, const_cast<char*>("secret")), 1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  ASSERT_TRUE(write_file_atomic(path, std::string_view(data, static_cast<std::size_t>(length)), 0600).ok());
  BIO_free(bio);
}

TEST(PrivateKey, SavesWithMode0600AndLoads) {
  TempDir dir;
  const auto path = dir.path() / "key.pem";
  const PrivateKey key = take(PrivateKey::generate(PrivateKey::Algorithm::ec_p256));
  ASSERT_TRUE(key.save_pem_file(path).ok());
  EXPECT_EQ(file_mode(path), 0600u);

  const PrivateKey loaded = take(PrivateKey::load_pem_file(path));
  EXPECT_EQ(loaded.algorithm(), PrivateKey::Algorithm::ec_p256);
  EXPECT_EQ(EVP_PKEY_eq(loaded.native(), key.native()), 1);
}

TEST(PrivateKey, SaveReplacesFileKeepingMode) {
  TempDir dir;
  const auto path = dir.path() / "key.pem";
  ASSERT_TRUE(write_file_atomic(path, "old", 0644).ok());
  const PrivateKey key = take(PrivateKey::generate(PrivateKey::Algorithm::ec_p256));
  ASSERT_TRUE(key.save_pem_file(path).ok());
  EXPECT_EQ(file_mode(path), 0600u);
  EXPECT_TRUE(PrivateKey::load_pem_file(path).ok());
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(PrivateKey, RsaRoundTrip) {
  TempDir dir;
  const auto path = dir.path() / "rsa.pem";
  const PrivateKey key = take(PrivateKey::generate(PrivateKey::Algorithm::rsa, 2048));
  EXPECT_EQ(EVP_PKEY_get_bits(key.native()), 2048);
  ASSERT_TRUE(key.save_pem_file(path).ok());
  const PrivateKey loaded = take(PrivateKey::load_pem_file(path));
  EXPECT_EQ(loaded.algorithm(), PrivateKey::Algorithm::rsa);
}

TEST(PrivateKey, RejectsRsaSizeOutOfRange) {
  for (const int bits : {1024, 2500, 8192}) {
    const auto key = PrivateKey::generate(PrivateKey::Algorithm::rsa, bits);
    ASSERT_FALSE(key.ok()) << bits;
    EXPECT_EQ(key.error().code, ErrorCode::unsupported_algorithm) << bits;
  }
}

TEST(PrivateKey, RejectsGroupReadableFile) {
  TempDir dir;
  const auto path = dir.path() / "key.pem";
  const PrivateKey key = take(PrivateKey::generate(PrivateKey::Algorithm::ec_p256));
  ASSERT_TRUE(key.save_pem_file(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);

  const auto loaded = PrivateKey::load_pem_file(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::io);
  EXPECT_NE(loaded.error().detail.find("0640"), std::string::npos);
  EXPECT_NE(loaded.error().detail.find("chmod 600"), std::string::npos);
  // The detail never quotes the key.
  EXPECT_EQ(loaded.error().detail.find("PRIVATE KEY"), std::string::npos);
}

TEST(PrivateKey, RejectsWorldReadableFile) {
  TempDir dir;
  const auto path = dir.path() / "key.pem";
  ASSERT_TRUE(take(PrivateKey::generate(PrivateKey::Algorithm::ec_p256)).save_pem_file(path).ok());
  ASSERT_EQ(::chmod(path.c_str(), 0604), 0);
  const auto loaded = PrivateKey::load_pem_file(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::io);
}

TEST(PrivateKey, RejectsMissingFile) {
  TempDir dir;
  const auto loaded = PrivateKey::load_pem_file(dir.path() / "absent.pem");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::io);
}

TEST(PrivateKey, RejectsGarbage) {
  TempDir dir;
  const auto path = dir.path() / "key.pem";
  ASSERT_TRUE(write_file_atomic(path, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", 0600).ok());
  const auto loaded = PrivateKey::load_pem_file(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::malformed);
}

TEST(PrivateKey, RejectsEncryptedKeyWithoutPrompt) {
  TempDir dir;
  const auto path = dir.path() / "key.pem";
  const PrivateKey key = take(PrivateKey::generate(PrivateKey::Algorithm::ec_p256));
  write_key_file(path, key.native(), EVP_aes_128_cbc());

  const auto loaded = PrivateKey::load_pem_file(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::malformed);
}

TEST(PrivateKey, RejectsOtherCurve) {
  TempDir dir;
  const auto path = dir.path() / "key.pem";
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
  ASSERT_NE(raw, nullptr);
  write_key_file(path, raw, nullptr);
  EVP_PKEY_free(raw);

  const auto loaded = PrivateKey::load_pem_file(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::unsupported_algorithm);
  EXPECT_NE(loaded.error().detail.find("secp384r1"), std::string::npos);
}

TEST(PrivateKey, MatchesItsCertificateOnly) {
  const auto ca = testing::make_test_ca("match CA");
  const PrivateKey key = take(PrivateKey::generate(PrivateKey::Algorithm::ec_p256));
  const PrivateKey other = take(PrivateKey::generate(PrivateKey::Algorithm::ec_p256));
  const Certificate certificate = ca.issue(key, testing::leaf_profile("sip:alice@example.com"));
  EXPECT_TRUE(key.matches(certificate));
  EXPECT_FALSE(other.matches(certificate));
}

}  // namespace
}  // namespace sippay::security
