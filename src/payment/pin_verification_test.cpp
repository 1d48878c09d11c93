#include "payment/pin_verification.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

namespace sippay::payment {
namespace {

PinKey fixed_key(unsigned char fill) {
  std::array<unsigned char, kPinKeyBytes> bytes{};
  bytes.fill(fill);
  return PinKey(bytes);
}

// A fresh directory under the test temporary directory, removed afterwards.
class PinKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("sippay-pin-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write_file(const std::filesystem::path& path, const std::string& bytes, mode_t mode) {
    {
      std::ofstream out(path, std::ios::binary);
      out << bytes;
    }
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
  }

  std::filesystem::path dir_;
};

TEST(PinFormat, AcceptsFourToTwelveDigits) {
  EXPECT_FALSE(pin_format_error("0000"));
  EXPECT_FALSE(pin_format_error("123456"));
  EXPECT_FALSE(pin_format_error("123456789012"));
}

TEST(PinFormat, RejectsWrongLengths) {
  EXPECT_TRUE(pin_format_error(""));
  EXPECT_TRUE(pin_format_error("123"));
  EXPECT_TRUE(pin_format_error("1234567890123"));
}

TEST(PinFormat, RejectsNonDigits) {
  for (const std::string_view pin : {"12a4", "12 34", "-1234", "1234\n", "１２３４"}) {
    const auto error = pin_format_error(pin);
    ASSERT_TRUE(error) << pin;
    EXPECT_EQ(error->find(pin), std::string::npos) << "the message must not echo the PIN";
  }
  EXPECT_TRUE(pin_format_error(std::string_view("12\0" "4", 4)));
}

TEST(PinAccountId, RejectsEmptyAndOverLong) {
  EXPECT_TRUE(pin_account_id_error(""));
  EXPECT_TRUE(pin_account_id_error(std::string(kMaxPinAccountIdBytes + 1, 'a')));
  EXPECT_FALSE(pin_account_id_error(std::string(kMaxPinAccountIdBytes, 'a')));
}

TEST(PinValue, MatchesTheDocumentedHmacInput) {
  const PinKey key = fixed_key(0x42);
  const PinVerificationValue value = compute_pin_verification_value(key, "alice", "1234");

  const std::string input = std::string("sippay-pvv-v1") + std::string("\0\0\0\5", 4) + "alice" +
                            std::string("\0\0\0\4", 4) + "1234";
  unsigned char expected[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  ASSERT_NE(HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()),
                 reinterpret_cast<const unsigned char*>(input.data()), input.size(), expected,
                 &size),
            nullptr);
  ASSERT_EQ(size, kPinVerificationValueBytes);
  EXPECT_EQ(0, std::memcmp(value.data(), expected, size));
}

TEST(PinValue, DependsOnKeyAccountAndPin) {
  const PinKey key = fixed_key(1);
  const auto base = compute_pin_verification_value(key, "alice", "1234");
  EXPECT_EQ(base, compute_pin_verification_value(key, "alice", "1234"));
  EXPECT_NE(base, compute_pin_verification_value(fixed_key(2), "alice", "1234"));
  EXPECT_NE(base, compute_pin_verification_value(key, "bob", "1234"));
  EXPECT_NE(base, compute_pin_verification_value(key, "alice", "1235"));
}

TEST(PinValue, FramingSeparatesAccountFromPin) {
  const PinKey key = fixed_key(7);
  // Without length framing both inputs would read "acct123456".
  EXPECT_NE(compute_pin_verification_value(key, "acct1", "23456"),
            compute_pin_verification_value(key, "acct12", "3456"));
}

TEST(PinValue, ThrowsOnInvalidInput) {
  const PinKey key = fixed_key(1);
  EXPECT_THROW(compute_pin_verification_value(key, "alice", "12"), std::invalid_argument);
  EXPECT_THROW(compute_pin_verification_value(key, "", "1234"), std::invalid_argument);
}

TEST(VerifyPin, AcceptsOnlyTheRightPin) {
  const PinKey key = fixed_key(9);
  const auto stored = compute_pin_verification_value(key, "alice", "246810");
  EXPECT_TRUE(verify_pin(key, "alice", "246810", stored));
  EXPECT_FALSE(verify_pin(key, "alice", "246811", stored));
  EXPECT_FALSE(verify_pin(key, "bob", "246810", stored));
  EXPECT_FALSE(verify_pin(fixed_key(10), "alice", "246810", stored));
  EXPECT_FALSE(verify_pin(key, "alice", "24681x", stored));
  EXPECT_FALSE(verify_pin(key, "", "246810", stored));
}

TEST(PinValueHex, RoundTrips) {
  const auto value = compute_pin_verification_value(fixed_key(3), "alice", "1234");
  const std::string hex = pin_verification_value_to_hex(value);
  ASSERT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(pin_verification_value_from_hex(hex), value);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(pin_verification_value_from_hex(upper), value);
}

TEST(PinValueHex, RejectsBadInput) {
  EXPECT_FALSE(pin_verification_value_from_hex(""));
  EXPECT_FALSE(pin_verification_value_from_hex(std::string(63, 'a')));
  EXPECT_FALSE(pin_verification_value_from_hex(std::string(65, 'a')));
  EXPECT_FALSE(pin_verification_value_from_hex(std::string(63, 'a') + "g"));
}

TEST_F(PinKeyFileTest, CreateWritesMode0600AndLoadsBack) {
  const auto path = dir_ / "pin.key";
  const PinKey created = create_pin_key_file(path);
  struct stat status {};
  ASSERT_EQ(::stat(path.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600u);
  EXPECT_EQ(std::filesystem::file_size(path), kPinKeyBytes);
  const PinKey loaded = load_pin_key_file(path);
  EXPECT_EQ(loaded.bytes(), created.bytes());
}

TEST_F(PinKeyFileTest, CreateKeepsMode0600UnderPermissiveUmask) {
  const mode_t old = ::umask(0);
  const auto path = dir_ / "pin.key";
  create_pin_key_file(path);
  ::umask(old);
  struct stat status {};
  ASSERT_EQ(::stat(path.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600u);
}

TEST_F(PinKeyFileTest, TwoKeysDiffer) {
  EXPECT_NE(create_pin_key_file(dir_ / "a.key").bytes(),
            create_pin_key_file(dir_ / "b.key").bytes());
}

TEST_F(PinKeyFileTest, CreateNeverOverwrites) {
  const auto path = dir_ / "pin.key";
  const PinKey first = create_pin_key_file(path);
  EXPECT_THROW(create_pin_key_file(path), std::runtime_error);
  EXPECT_EQ(load_pin_key_file(path).bytes(), first.bytes());
}

TEST_F(PinKeyFileTest, LoadRejectsGroupOrOtherAccess) {
  const std::string bytes(kPinKeyBytes, 'k');
  for (const mode_t mode : {0640, 0604, 0620, 0602, 0610, 0601}) {
    const auto path = dir_ / ("key-" + std::to_string(mode));
    write_file(path, bytes, mode);
    try {
      load_pin_key_file(path);
      ADD_FAILURE() << "mode " << std::oct << mode << " was accepted";
    } catch (const std::runtime_error& error) {
      EXPECT_NE(std::string(error.what()).find("chmod 600"), std::string::npos) << error.what();
    }
  }
}

TEST_F(PinKeyFileTest, LoadRejectsWrongSize) {
  for (const std::size_t size : {std::size_t{0}, kPinKeyBytes - 1, kPinKeyBytes + 1}) {
    const auto path = dir_ / ("key-" + std::to_string(size));
    write_file(path, std::string(size, 'k'), 0600);
    EXPECT_THROW(load_pin_key_file(path), std::runtime_error) << size;
  }
}

TEST_F(PinKeyFileTest, LoadRejectsMissingFileSymlinkAndDirectory) {
  EXPECT_THROW(load_pin_key_file(dir_ / "missing.key"), std::runtime_error);

  const auto target = dir_ / "real.key";
  create_pin_key_file(target);
  const auto link = dir_ / "link.key";
  std::filesystem::create_symlink(target, link);
  EXPECT_THROW(load_pin_key_file(link), std::runtime_error);

  const auto subdir = dir_ / "subdir";
  std::filesystem::create_directory(subdir);
  ::chmod(subdir.c_str(), 0700);
  EXPECT_THROW(load_pin_key_file(subdir), std::runtime_error);
}

TEST_F(PinKeyFileTest, ErrorNeverContainsKeyBytes) {
  const auto path = dir_ / "pin.key";
  write_file(path, std::string(kPinKeyBytes, 'Z'), 0644);
  try {
    load_pin_key_file(path);
    FAIL() << "a world-readable key was accepted";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()).find("ZZZZ"), std::string::npos);
  }
}

}  // namespace
}  // namespace sippay::payment
