#include "config/config_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <unistd.h>

#include "config/toml_file.hpp"

namespace sippay::config {
namespace {

// The message of the ConfigError that `read` throws, or "no error".
template <typename Read>
std::string error_of(Read read) {
  try {
    read();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "no error";
}

class ConfigFileTest : public ::testing::Test {
 protected:
  ConfigFile parse(const std::string& text) {
    root_ = parse_toml(text, "app.toml");
    return ConfigFile(root_, {"app.toml", "/etc/app", "docs/app.md"});
  }

  toml::table root_;
};

TEST_F(ConfigFileTest, SectionsAreFoundByName) {
  const ConfigFile file = parse("[server]\nport = 1\n[client]\n");
  file.check_sections({"server", "client", "log"});
  const ConfigSection server = file.section("server");
  EXPECT_TRUE(server.present());
  EXPECT_EQ(server.name(), "server");
  EXPECT_EQ(server.integer("port", 1, 2), 1);
  EXPECT_TRUE(file.required_section("client").present());
  EXPECT_FALSE(file.section("log").present());
}

TEST_F(ConfigFileTest, MissingRequiredSectionIsAnError) {
  const ConfigFile file = parse("[server]\n");
  EXPECT_EQ(error_of([&] { file.required_section("client"); }), "app.toml: [client] is required");
}

TEST_F(ConfigFileTest, SectionThatIsNotATableIsAnError) {
  const ConfigFile file = parse("server = 1\n");
  EXPECT_EQ(error_of([&] { file.section("server"); }),
            "app.toml: [server] must be a table; write [server] on a line of its own, then its keys");
}

TEST_F(ConfigFileTest, UnknownSectionListsTheKnownOnes) {
  const ConfigFile file = parse("[server]\n[ledger]\n");
  EXPECT_EQ(error_of([&] { file.check_sections({"server", "client", "log"}); }),
            "app.toml: [ledger]: unknown section; the sections are [server], [client] and [log] (docs/app.md)");
}

TEST_F(ConfigFileTest, UnknownSectionSuggestsATypoFix) {
  const ConfigFile file = parse("[sevrer]\n");
  EXPECT_EQ(error_of([&] { file.check_sections({"server", "client"}); }),
            "app.toml: [sevrer]: unknown section; did you mean [server]? The sections are [server] and [client] "
            "(docs/app.md)");
}

TEST_F(ConfigFileTest, TableArrayIsNumberedFromOne) {
  const ConfigFile file = parse("[[route]]\nuri = \"a\"\n[[route]]\nuri = \"b\"\n");
  const std::vector<ConfigSection> routes = file.table_array("route");
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].name(), "route 1");
  EXPECT_EQ(routes[1].string("uri"), "b");
  EXPECT_EQ(error_of([&] { routes[1].fail("uri", "is wrong"); }), "app.toml: [route 2] uri: is wrong");
  EXPECT_TRUE(file.table_array("other").empty());
}

TEST_F(ConfigFileTest, TableArrayOfOtherValuesIsAnError) {
  EXPECT_EQ(error_of([&] { parse("route = 1\n").table_array("route"); }),
            "app.toml: route must be an array of tables, written [[route]]");
  EXPECT_EQ(error_of([&] { parse("route = [1]\n").table_array("route"); }),
            "app.toml: route 1 must be a table, written [[route]]");
}

TEST(TomlFileTest, InvalidTomlNamesLineAndColumn) {
  EXPECT_EQ(error_of([] { parse_toml("[a]\nkey = \n", "app.toml"); }).rfind("app.toml:2:", 0), 0u);
  EXPECT_NE(error_of([] { parse_toml("[a]\n[a]\n", "app.toml"); }).find(": invalid TOML: "), std::string::npos);
}

TEST(TomlFileTest, ReadsAFile) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("sippay_config_test_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << "[server]\nport = 7\n";
  const toml::table root = read_toml_file(path);
  std::filesystem::remove(path);
  EXPECT_EQ(root["server"]["port"].value<int>(), 7);
}

TEST(TomlFileTest, MissingFileIsAnError) {
  EXPECT_EQ(error_of([] { read_toml_file("/nonexistent/app.toml"); }),
            "/nonexistent/app.toml: cannot open the configuration file; check the path and its permissions");
  EXPECT_NE(error_of([] { read_toml_file(std::filesystem::temp_directory_path()); }).find("cannot open"),
            std::string::npos);
}

}  // namespace
}  // namespace sippay::config
