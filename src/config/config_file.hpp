// A parsed TOML configuration file read strictly: the top-level keys are
// sections from a known list, each read through a ConfigSection.
#pragma once

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include "config/config_section.hpp"

namespace sippay::config {

class ConfigFile {
 public:
  // `root` must outlive this object and the sections taken from it.
  ConfigFile(const toml::table& root, ConfigOrigin origin);

  const toml::table& root() const { return *root_; }
  const ConfigOrigin& origin() const { return origin_; }

  // Throws ConfigError "SOURCE: PROBLEM".
  [[noreturn]] void fail(std::string_view problem) const;

  // Rejects the first top-level key outside `known`, listing the known ones.
  void check_sections(std::span<const std::string_view> known) const;
  void check_sections(std::initializer_list<std::string_view> known) const {
    check_sections(std::span<const std::string_view>(known.begin(), known.size()));
  }

  // The table `name`, absent (ConfigSection::present() false) when the file
  // has none. Throws when `name` is not a table.
  ConfigSection section(std::string_view name) const;
  // Like section(), but an absent table is an error.
  ConfigSection required_section(std::string_view name) const;
  // The array of tables `name`, written [[name]], each shown as "[name N]"
  // counting from 1; empty when absent.
  std::vector<ConfigSection> table_array(std::string_view name) const;

 private:
  const toml::table* root_;
  ConfigOrigin origin_;
};

}  // namespace sippay::config
