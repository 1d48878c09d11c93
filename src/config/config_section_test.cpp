#include "config/config_section.hpp"

#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <string>

#include "config/toml_file.hpp"

namespace sippay::config {
namespace {

const ConfigOrigin kOrigin{"app.toml", "/etc/app", "docs/app.md"};

class ConfigSectionTest : public ::testing::Test {
 protected:
  // Parses `text` as the body of the table [server].
  ConfigSection server(const std::string& text) {
    root_ = parse_toml(text, "app.toml");
    return ConfigSection(kOrigin, "server", &root_);
  }

  // The message of the ConfigError that `read` throws, or "no error".
  template <typename Read>
  static std::string error_of(Read read) {
    try {
      read();
    } catch (const ConfigError& error) {
      return error.what();
    }
    return "no error";
  }

  toml::table root_;
};

TEST_F(ConfigSectionTest, ReadsEveryType) {
  const ConfigSection section = server(
      "name = \"front\"\nenabled = false\nport = 5060\nrate = 2.5\nburst = 3\n"
      "hosts = [\"a\", \"b\"]\nfile = \"data/x.db\"\nabsolute = \"/var/x.db\"\n");
  EXPECT_EQ(section.string("name"), "front");
  EXPECT_EQ(section.required("name"), "front");
  EXPECT_EQ(section.boolean("enabled"), false);
  EXPECT_EQ(section.integer("port", 1, 65535), 5060);
  EXPECT_EQ(section.number("rate", 0, 10), 2.5);
  EXPECT_EQ(section.number("burst", 0, 10), 3.0);
  EXPECT_EQ(section.strings("hosts"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(section.path("file"), std::filesystem::path("/etc/app/data/x.db"));
  EXPECT_EQ(section.required_path("absolute"), std::filesystem::path("/var/x.db"));
}

TEST_F(ConfigSectionTest, AbsentKeysGiveNothing) {
  const ConfigSection section = server("");
  EXPECT_TRUE(section.present());
  EXPECT_FALSE(section.string("name"));
  EXPECT_FALSE(section.boolean("enabled"));
  EXPECT_FALSE(section.integer("port", 1, 2));
  EXPECT_FALSE(section.number("rate", 1, 2));
  EXPECT_TRUE(section.strings("hosts").empty());
  EXPECT_FALSE(section.path("file"));
}

TEST_F(ConfigSectionTest, AbsentSectionHasNoKeys) {
  const ConfigSection section(kOrigin, "server", nullptr);
  EXPECT_FALSE(section.present());
  EXPECT_FALSE(section.string("name"));
  section.check_keys({"name"});
  EXPECT_EQ(error_of([&] { section.required("name"); }), "app.toml: [server] name: is required");
}

TEST_F(ConfigSectionTest, WrongTypesNameTheKey) {
  const ConfigSection section = server("name = 1\nenabled = \"yes\"\nport = 1.5\nrate = \"x\"\nhosts = \"a\"\n"
                                       "list = [\"a\", 2]\n");
  EXPECT_EQ(error_of([&] { section.string("name"); }), "app.toml: [server] name: must be a string in double quotes");
  EXPECT_EQ(error_of([&] { section.boolean("enabled"); }), "app.toml: [server] enabled: must be true or false");
  EXPECT_EQ(error_of([&] { section.integer("port", 1, 9); }),
            "app.toml: [server] port: must be an integer from 1 to 9");
  EXPECT_EQ(error_of([&] { section.number("rate", 1, 9); }), "app.toml: [server] rate: must be a number from 1 to 9");
  EXPECT_EQ(error_of([&] { section.strings("hosts"); }),
            "app.toml: [server] hosts: must be an array of strings, as in [\"a\", \"b\"]");
  EXPECT_EQ(error_of([&] { section.strings("list"); }),
            "app.toml: [server] list: must be an array of strings, as in [\"a\", \"b\"]");
}

TEST_F(ConfigSectionTest, RangesAreInclusive) {
  const ConfigSection section = server("low = 1\nhigh = 9\nbelow = 0\nabove = 10\nnan = nan\nsmall = 0.5\n");
  EXPECT_EQ(section.integer("low", 1, 9), 1);
  EXPECT_EQ(section.integer("high", 1, 9), 9);
  EXPECT_EQ(error_of([&] { section.integer("below", 1, 9); }),
            "app.toml: [server] below: 0 is out of range; use an integer from 1 to 9");
  EXPECT_EQ(error_of([&] { section.integer("above", 1, 9); }),
            "app.toml: [server] above: 10 is out of range; use an integer from 1 to 9");
  EXPECT_EQ(error_of([&] { section.number("nan", 0, 1); }),
            "app.toml: [server] nan: nan is out of range; use a number from 0 to 1");
  EXPECT_EQ(error_of([&] { section.number("small", 1, 2); }),
            "app.toml: [server] small: 0.5 is out of range; use a number from 1 to 2");
}

TEST_F(ConfigSectionTest, EmptyStringIsRejected) {
  const ConfigSection section = server("name = \"\"\n");
  EXPECT_EQ(error_of([&] { section.string("name"); }), "app.toml: [server] name: must not be empty");
  EXPECT_EQ(error_of([&] { section.path("name"); }), "app.toml: [server] name: must not be empty");
}

TEST_F(ConfigSectionTest, RequiredKeyAddsTheHint) {
  const ConfigSection section = server("");
  EXPECT_EQ(error_of([&] { section.required("name"); }), "app.toml: [server] name: is required");
  EXPECT_EQ(error_of([&] { section.required_path("file", "name the database file"); }),
            "app.toml: [server] file: is required; name the database file");
}

TEST_F(ConfigSectionTest, UnknownKeyIsRejected) {
  const ConfigSection section = server("port = 1\nlisten_on = \"x\"\n");
  EXPECT_EQ(error_of([&] { section.check_keys({"port", "listen"}); }),
            "app.toml: [server] listen_on: unknown key; check its spelling against docs/app.md");
}

TEST_F(ConfigSectionTest, UnknownKeySuggestsATypoFix) {
  const ConfigSection section = server("min_expire = 1\n");
  static constexpr std::array<std::string_view, 2> kKnown = {"min_expires", "max_expires"};
  EXPECT_EQ(error_of([&] { section.check_keys(kKnown); }),
            "app.toml: [server] min_expire: unknown key; check its spelling against docs/app.md "
            "(did you mean min_expires?)");
}

TEST_F(ConfigSectionTest, KnownKeysPass) {
  const ConfigSection section = server("port = 1\nname = \"a\"\n");
  EXPECT_EQ(error_of([&] { section.check_keys({"name", "port", "other"}); }), "no error");
}

TEST(ClosestKeyTest, AllowsAQuarterOfTheLength) {
  static constexpr std::array<std::string_view, 3> kKnown = {"host", "database", "register_expires"};
  EXPECT_EQ(closest_key("databse", kKnown), "database");
  EXPECT_EQ(closest_key("register_expire", kKnown), "register_expires");
  EXPECT_EQ(closest_key("regster_expirs", kKnown), "register_expires");
  EXPECT_EQ(closest_key("hots", kKnown), "host");  // a swap of two letters is one edit
  EXPECT_EQ(closest_key("port", kKnown), std::nullopt);  // two edits in four letters
  EXPECT_EQ(closest_key("", kKnown), std::nullopt);
}

}  // namespace
}  // namespace sippay::config
