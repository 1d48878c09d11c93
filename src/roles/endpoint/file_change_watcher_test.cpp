#include "roles/endpoint/file_change_watcher.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "roles/endpoint/endpoint_test_support.hpp"

namespace sippay::roles {
namespace {

using namespace std::chrono_literals;

class FileChangeWatcherTest : public ::testing::Test {
 protected:
  FileChangeWatcherTest() {
    write(file_, "first");
    watcher_.start();
  }
  ~FileChangeWatcherTest() override { watcher_.stop(); }

  static void write(const std::filesystem::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }

  asio::io_context io_;
  testing::Deployment folder_;
  std::filesystem::path file_ = folder_.root() / "watched.pem";
  int changes_ = 0;
  FileChangeWatcher watcher_{io_, file_, 10ms, [this] { ++changes_; }};
};

TEST_F(FileChangeWatcherTest, UnchangedFileIsNoChange) {
  EXPECT_FALSE(watcher_.check());
  EXPECT_FALSE(watcher_.check());
}

TEST_F(FileChangeWatcherTest, RenamedOverFileIsChange) {
  // Same size, so only the inode distinguishes the files.
  write(folder_.root() / "next.pem", "other");
  std::filesystem::rename(folder_.root() / "next.pem", file_);

  EXPECT_TRUE(watcher_.check());
  EXPECT_FALSE(watcher_.check());
}

TEST_F(FileChangeWatcherTest, SizeChangeIsChange) {
  write(file_, "first and longer");

  EXPECT_TRUE(watcher_.check());
}

TEST_F(FileChangeWatcherTest, RemovedAndRestoredFileIsChange) {
  std::filesystem::remove(file_);
  EXPECT_TRUE(watcher_.check());
  EXPECT_FALSE(watcher_.check());

  write(file_, "first");
  EXPECT_TRUE(watcher_.check());
}

TEST_F(FileChangeWatcherTest, TimerCallsOnChange) {
  write(file_, "changed by the test");

  EXPECT_TRUE(testing::run_until(io_, [this] { return changes_ > 0; }, 20s));
  EXPECT_EQ(changes_, 1);
}

}  // namespace
}  // namespace sippay::roles
