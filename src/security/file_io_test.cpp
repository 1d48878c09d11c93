#include "security/file_io.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "security/security_test_support.hpp"

namespace sippay::security {
namespace {

using testing::TempDir;

TEST(FileIo, WritesAtomicallyWithMode) {
  TempDir dir;
  const auto path = dir.path() / "file";
  ASSERT_TRUE(write_file_atomic(path, "first", 0644).ok());
  ASSERT_TRUE(write_file_atomic(path, "second", 0600).ok());
  struct stat status {};
  ASSERT_EQ(::stat(path.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 07777, 0600u);
  const auto text = read_file(path, 100);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text.value(), "second");
}

TEST(FileIo, ReadRejectsFileOverLimit) {
  TempDir dir;
  const auto path = dir.path() / "file";
  ASSERT_TRUE(write_file_atomic(path, "12345", 0644).ok());
  EXPECT_TRUE(read_file(path, 5).ok());
  const auto text = read_file(path, 4);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::too_large);
  EXPECT_NE(text.error().detail.find("limit of 4"), std::string::npos);
}

TEST(FileIo, ReadRejectsDirectory) {
  TempDir dir;
  const auto text = read_file(dir.path(), 100);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::io);
  EXPECT_NE(text.error().detail.find("not a regular file"), std::string::npos);
}

TEST(FileIo, OwnerOnlyRejectsGroupBits) {
  TempDir dir;
  const auto path = dir.path() / "file";
  ASSERT_TRUE(write_file_atomic(path, "key", 0620).ok());
  const auto text = read_file(path, 100, FileAccess::owner_only);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::io);
  EXPECT_NE(text.error().detail.find("0620"), std::string::npos);
  EXPECT_TRUE(read_file(path, 100, FileAccess::any).ok());
}

TEST(FileIo, WriteFailsInMissingDirectory) {
  TempDir dir;
  const Status written = write_file_atomic(dir.path() / "absent" / "file", "x", 0644);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().code, ErrorCode::io);
}

}  // namespace
}  // namespace sippay::security
