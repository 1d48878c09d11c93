#include "sip/auth/credential_store.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>

namespace sippay::sip {
namespace {

const std::string kMd5Ha1 = digest_hash(DigestAlgorithm::kMd5, "alice:pay.test:alicepw");
const std::string kSha256Ha1 = digest_hash(DigestAlgorithm::kSha256, "alice:pay.test:alicepw");

// Parses `text` and returns the error, which the test expects.
CredentialFileError parse_error(const std::string& text) {
  try {
    CredentialStore::parse(text, "accounts.txt");
  } catch (const CredentialFileError& error) {
    return error;
  }
  ADD_FAILURE() << "no error for:\n" << text;
  return CredentialFileError("", 0);
}

TEST(CredentialStore, ParsesCommentsBlankLinesAndTabs) {
  const std::string text =
      "# operator accounts\n"
      "\n"
      "alice pay.test MD5 " +
      kMd5Ha1 +
      "\n"
      "   # indented comment\n"
      "alice\tpay.test\tSHA-256\t" +
      kSha256Ha1 +
      "\r\n"
      "bob other.test md5 " +
      digest_hash(DigestAlgorithm::kMd5, "bob:other.test:pw");
  const CredentialStore store = CredentialStore::parse(text, "accounts.txt");
  EXPECT_EQ(store.size(), 3u);

  const std::string* md5 = store.find_ha1("alice", "pay.test", DigestAlgorithm::kMd5);
  ASSERT_NE(md5, nullptr);
  EXPECT_EQ(*md5, kMd5Ha1);
  const std::string* sha256 = store.find_ha1("alice", "pay.test", DigestAlgorithm::kSha256);
  ASSERT_NE(sha256, nullptr);
  EXPECT_EQ(*sha256, kSha256Ha1);
  EXPECT_NE(store.find_ha1("bob", "other.test", DigestAlgorithm::kMd5), nullptr);
}

TEST(CredentialStore, LookupIsExact) {
  const CredentialStore store =
      CredentialStore::parse("alice pay.test MD5 " + kMd5Ha1 + "\n", "accounts.txt");
  EXPECT_EQ(store.find_ha1("Alice", "pay.test", DigestAlgorithm::kMd5), nullptr);
  EXPECT_EQ(store.find_ha1("alice", "PAY.TEST", DigestAlgorithm::kMd5), nullptr);
  EXPECT_EQ(store.find_ha1("alice", "pay.test", DigestAlgorithm::kSha256), nullptr);
  EXPECT_EQ(store.find_ha1(std::string("alice\0pay.test", 14), "pay.test", DigestAlgorithm::kMd5),
            nullptr);
}

TEST(CredentialStore, UpperCaseHexStoredLowerCase) {
  std::string upper = kMd5Ha1;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const CredentialStore store =
      CredentialStore::parse("alice pay.test MD5 " + upper + "\n", "accounts.txt");
  const std::string* ha1 = store.find_ha1("alice", "pay.test", DigestAlgorithm::kMd5);
  ASSERT_NE(ha1, nullptr);
  EXPECT_EQ(*ha1, kMd5Ha1);
}

TEST(CredentialStore, EmptyFileHasNoEntries) {
  EXPECT_EQ(CredentialStore::parse("", "accounts.txt").size(), 0u);
  EXPECT_EQ(CredentialStore::parse("# nobody yet\n\n", "accounts.txt").size(), 0u);
}

TEST(CredentialStoreErrors, BadHexNamesLine) {
  std::string bad = kMd5Ha1;
  bad[4] = 'g';
  const auto error = parse_error("# header\nalice pay.test MD5 " + bad + "\n");
  EXPECT_EQ(error.line(), 2u);
  const std::string message = error.what();
  EXPECT_EQ(message.rfind("accounts.txt:2: ", 0), 0u) << message;
  EXPECT_NE(message.find("not a hex digit at position 5"), std::string::npos) << message;
  EXPECT_EQ(message.find(bad), std::string::npos) << "the message quotes the HA1: " << message;
}

TEST(CredentialStoreErrors, LengthMustMatchAlgorithm) {
  const auto error = parse_error("alice pay.test SHA-256 " + kMd5Ha1 + "\n");
  EXPECT_EQ(error.line(), 1u);
  const std::string message = error.what();
  EXPECT_NE(message.find("must be 64 hex digits, found 32"), std::string::npos) << message;
  EXPECT_EQ(message.find(kMd5Ha1), std::string::npos) << "the message quotes the HA1: " << message;

  const auto md5_error = parse_error("alice pay.test MD5 " + kSha256Ha1 + "\n");
  EXPECT_NE(std::string(md5_error.what()).find("must be 32 hex digits, found 64"),
            std::string::npos)
      << md5_error.what();
}

TEST(CredentialStoreErrors, UnknownAlgorithm) {
  const auto error = parse_error("\n\nalice pay.test SHA-1 " + kMd5Ha1 + "\n");
  EXPECT_EQ(error.line(), 3u);
  EXPECT_NE(std::string(error.what()).find("unknown algorithm \"SHA-1\""), std::string::npos)
      << error.what();
}

TEST(CredentialStoreErrors, SessionAlgorithmRejected) {
  const auto error = parse_error("alice pay.test MD5-sess " + kMd5Ha1 + "\n");
  EXPECT_EQ(error.line(), 1u);
  EXPECT_NE(std::string(error.what()).find("write the line for MD5"), std::string::npos)
      << error.what();
}

TEST(CredentialStoreErrors, MissingFields) {
  const auto error = parse_error("alice pay.test " + kMd5Ha1 + "\n");
  EXPECT_EQ(error.line(), 1u);
  EXPECT_NE(
      std::string(error.what()).find("expected 4 fields (username realm algorithm HA1), found 3"),
      std::string::npos)
      << error.what();
}

TEST(CredentialStoreErrors, ExtraFieldRejected) {
  const auto error = parse_error("alice pay.test MD5 " + kMd5Ha1 + " # note\n");
  EXPECT_NE(std::string(error.what()).find("found 6"), std::string::npos) << error.what();
}

TEST(CredentialStoreErrors, ControlCharacterRejected) {
  const auto error = parse_error(std::string("al\x01ice pay.test MD5 ") + kMd5Ha1 + "\n");
  EXPECT_NE(std::string(error.what()).find("username contains a control character"),
            std::string::npos)
      << error.what();
}

TEST(CredentialStoreErrors, DuplicateNamesBothLines) {
  const auto error =
      parse_error("alice pay.test MD5 " + kMd5Ha1 + "\n" + "alice pay.test SHA-256 " + kSha256Ha1 +
                  "\n" + "alice pay.test md5 " + kMd5Ha1 + "\n");
  EXPECT_EQ(error.line(), 3u);
  EXPECT_NE(std::string(error.what()).find("already has a MD5 HA1 on line 1"), std::string::npos)
      << error.what();
}

TEST(CredentialStoreFile, LoadsFile) {
  const std::filesystem::path path =
      std::filesystem::path(testing::TempDir()) / "sippay_credentials_test.txt";
  std::ofstream(path) << "alice pay.test MD5 " << kMd5Ha1 << "\n";
  const CredentialStore store = CredentialStore::load(path);
  EXPECT_NE(store.find_ha1("alice", "pay.test", DigestAlgorithm::kMd5), nullptr);
  std::filesystem::remove(path);
}

TEST(CredentialStoreFile, MissingFileNamed) {
  try {
    CredentialStore::load("/nonexistent/sippay-accounts.txt");
    FAIL() << "a missing file loaded";
  } catch (const CredentialFileError& error) {
    EXPECT_EQ(error.line(), 0u);
    EXPECT_NE(std::string(error.what()).find("/nonexistent/sippay-accounts.txt"), std::string::npos)
        << error.what();
  }
}

TEST(CredentialLine, MatchesHash) {
  EXPECT_EQ(make_credential_line("alice", "pay.test", DigestAlgorithm::kSha256, "alicepw"),
            "alice pay.test SHA-256 " + kSha256Ha1);
  const std::string line =
      make_credential_line("alice", "pay.test", DigestAlgorithm::kMd5, "alicepw");
  const CredentialStore store = CredentialStore::parse(line, "generated");
  const std::string* ha1 = store.find_ha1("alice", "pay.test", DigestAlgorithm::kMd5);
  ASSERT_NE(ha1, nullptr);
  EXPECT_EQ(*ha1, kMd5Ha1);
}

TEST(CredentialLine, RejectsUnstorableNames) {
  EXPECT_THROW(make_credential_line("al ice", "pay.test", DigestAlgorithm::kMd5, "pw"),
               std::invalid_argument);
  EXPECT_THROW(make_credential_line("alice", "", DigestAlgorithm::kMd5, "pw"),
               std::invalid_argument);
  EXPECT_THROW(make_credential_line("alice", "pay\ttest", DigestAlgorithm::kMd5, "pw"),
               std::invalid_argument);
}

}  // namespace
}  // namespace sippay::sip
