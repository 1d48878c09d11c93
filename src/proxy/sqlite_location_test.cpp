#include "proxy/sqlite_location.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "proxy/location_schema.hpp"
#include "proxy/proxy_test_support.hpp"

namespace sippay::proxy {
namespace {

using namespace std::chrono_literals;
using testing::kStart;
using testing::TemporaryFolder;

Binding binding_of(std::string uri, TimePoint expires_at) {
  Binding binding;
  binding.aor = "sip:alice@pay.test";
  binding.contact_uri = std::move(uri);
  binding.q_thousandths = 700;
  binding.expires_at = expires_at;
  binding.call_id = "call-1@client.test";
  binding.cseq = 42;
  binding.registered_at = kStart - 250ms;
  binding.updated_at = kStart;
  binding.source = "tcp:[2001:db8::7]:5060";
  return binding;
}

// Reads a PRAGMA through a separate connection, after SqliteLocation has
// closed the file.
std::string read_pragma(const std::filesystem::path& path, const std::string& pragma) {
  sqlite3* handle = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(handle, ("PRAGMA " + pragma).c_str(), -1, &statement, nullptr), SQLITE_OK);
  std::string value;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return value;
}

// The message of the LocationError that opening `path` throws, or "" when
// it opens.
std::string open_error(const std::filesystem::path& path) {
  try {
    SqliteLocation location(path, kStart);
  } catch (const LocationError& error) {
    return error.what();
  }
  return "";
}

class SqliteLocationTest : public ::testing::Test {
 protected:
  TemporaryFolder folder_;
  std::filesystem::path path_ = folder_.path() / "location.db";
};

TEST_F(SqliteLocationTest, NewFileGetsSchemaAndWal) {
  { SqliteLocation location(path_, kStart); }

  EXPECT_TRUE(std::filesystem::exists(path_));
  EXPECT_EQ(read_pragma(path_, "user_version"), std::to_string(kLocationSchemaVersion));
  EXPECT_EQ(read_pragma(path_, "journal_mode"), "wal");
}

TEST_F(SqliteLocationTest, ReopenKeepsEveryField) {
  const std::vector<Binding> stored = {binding_of("sip:a@192.0.2.7", kStart + 600s),
                                       binding_of("sip:b@192.0.2.8;transport=tcp", kStart + 900s)};
  {
    SqliteLocation location(path_, kStart);
    location.replace("sip:alice@pay.test", stored);
    EXPECT_EQ(location.size(), 2U);
  }

  SqliteLocation reopened(path_, kStart + 1s);

  EXPECT_EQ(reopened.size(), 2U);
  const std::vector<Binding> loaded = reopened.lookup("sip:alice@pay.test", kStart + 1s);
  ASSERT_EQ(loaded.size(), 2U);
  // Equal q and update time: ordered by contact URI.
  EXPECT_EQ(loaded[0], stored[0]);
  EXPECT_EQ(loaded[1], stored[1]);
}

TEST_F(SqliteLocationTest, ReopenDropsExpired) {
  {
    SqliteLocation location(path_, kStart);
    location.replace("sip:alice@pay.test",
                     {binding_of("sip:a@192.0.2.7", kStart + 60s), binding_of("sip:b@192.0.2.7", kStart + 600s)});
  }

  { SqliteLocation reopened(path_, kStart + 60s); }
  // The expired row is gone from the file, not only from memory.
  SqliteLocation again(path_, kStart);

  EXPECT_EQ(again.size(), 1U);
  ASSERT_EQ(again.lookup("sip:alice@pay.test", kStart).size(), 1U);
  EXPECT_EQ(again.lookup("sip:alice@pay.test", kStart)[0].contact_uri, "sip:b@192.0.2.7");
}

TEST_F(SqliteLocationTest, ReplaceWithNothingDeletesAor) {
  {
    SqliteLocation location(path_, kStart);
    location.replace("sip:alice@pay.test", {binding_of("sip:a@192.0.2.7", kStart + 60s)});
    location.replace("sip:alice@pay.test", {});
    EXPECT_EQ(location.size(), 0U);
  }

  SqliteLocation reopened(path_, kStart);
  EXPECT_EQ(reopened.size(), 0U);
}

TEST_F(SqliteLocationTest, SweepDeletesFromFile) {
  {
    SqliteLocation location(path_, kStart);
    location.replace("sip:alice@pay.test",
                     {binding_of("sip:a@192.0.2.7", kStart + 60s), binding_of("sip:b@192.0.2.7", kStart + 600s)});

    EXPECT_EQ(location.sweep(kStart + 59s), 0U);
    EXPECT_EQ(location.sweep(kStart + 61s), 1U);
    EXPECT_EQ(location.size(), 1U);
  }

  SqliteLocation reopened(path_, kStart);
  EXPECT_EQ(reopened.size(), 1U);
}

TEST_F(SqliteLocationTest, FailedReplaceKeepsOldBindings) {
  SqliteLocation location(path_, kStart);
  location.replace("sip:alice@pay.test", {binding_of("sip:a@192.0.2.7", kStart + 60s)});

  // Two rows with one contact_uri break the primary key on the second
  // INSERT, after the DELETE of the same transaction.
  const std::vector<Binding> clashing = {binding_of("sip:b@192.0.2.7", kStart + 60s),
                                         binding_of("sip:b@192.0.2.7", kStart + 90s)};
  EXPECT_THROW(location.replace("sip:alice@pay.test", clashing), LocationError);

  ASSERT_EQ(location.lookup("sip:alice@pay.test", kStart).size(), 1U);
  EXPECT_EQ(location.lookup("sip:alice@pay.test", kStart)[0].contact_uri, "sip:a@192.0.2.7");
  // The connection still works after the rollback.
  location.replace("sip:alice@pay.test", {binding_of("sip:c@192.0.2.7", kStart + 60s)});
  EXPECT_EQ(location.lookup("sip:alice@pay.test", kStart)[0].contact_uri, "sip:c@192.0.2.7");
}

TEST_F(SqliteLocationTest, MissingFolderGivesClearError) {
  const std::filesystem::path path = folder_.path() / "no-such-folder" / "location.db";

  const std::string message = open_error(path);

  EXPECT_NE(message.find(path.string()), std::string::npos) << message;
  EXPECT_NE(message.find("failed to open"), std::string::npos) << message;
  EXPECT_NE(message.find("existing, writable folder"), std::string::npos) << message;
}

TEST_F(SqliteLocationTest, FolderAsPathGivesClearError) {
  const std::string message = open_error(folder_.path());

  EXPECT_NE(message.find(folder_.path().string()), std::string::npos) << message;
}

TEST_F(SqliteLocationTest, NonDatabaseFileGivesClearError) {
  std::ofstream(path_) << "this is a text file, not a SQLite database, and it is long enough to matter\n";

  const std::string message = open_error(path_);

  EXPECT_NE(message.find(path_.string()), std::string::npos) << message;
  EXPECT_NE(message.find("not a database"), std::string::npos) << message;
}

TEST_F(SqliteLocationTest, NewerSchemaIsRejected) {
  { SqliteLocation location(path_, kStart); }
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &handle), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(handle, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(handle);

  const std::string message = open_error(path_);

  EXPECT_NE(message.find("schema version 99 is newer"), std::string::npos) << message;
}

TEST_F(SqliteLocationTest, SecondOpenIsLockedOut) {
  SqliteLocation first(path_, kStart);

  const std::string message = open_error(path_);

  EXPECT_NE(message.find("locked by another connection"), std::string::npos) << message;
  // The first connection is unaffected.
  first.replace("sip:alice@pay.test", {binding_of("sip:a@192.0.2.7", kStart + 60s)});
  EXPECT_EQ(first.size(), 1U);
}

}  // namespace
}  // namespace sippay::proxy
