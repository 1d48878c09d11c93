// One table of a TOML configuration file, read strictly: keys outside a
// known list are rejected, and each typed getter rejects a value of the
// wrong type or range. Every error reads
// "gateway.toml: [ledger] database: is required".
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <toml++/toml.h>
#include <vector>

#include "config/config_error.hpp"

namespace sippay::config {

// The file a table comes from, for messages and relative paths.
struct ConfigOrigin {
  std::string source;              // starts every message, usually the file's path
  std::filesystem::path base_dir;  // relative paths in the file start here
  std::string reference;           // the document listing the keys, as in "docs/proxy.md"
};

class ConfigSection {
 public:
  // `name` is how messages show the table, inside brackets. A null `table`
  // is an absent section: every key is then absent.
  ConfigSection(ConfigOrigin origin, std::string name, const toml::table* table);

  bool present() const { return table_ != nullptr; }
  const std::string& name() const { return name_; }

  // Throws ConfigError "SOURCE: [NAME] KEY: PROBLEM".
  [[noreturn]] void fail(std::string_view key, std::string_view problem) const;

  // Rejects the first key outside `known`, suggesting a known key that is
  // only a typo away.
  void check_keys(std::span<const std::string_view> known) const;
  void check_keys(std::initializer_list<std::string_view> known) const {
    check_keys(std::span<const std::string_view>(known.begin(), known.size()));
  }

  // A non-empty string, or nullopt when the key is absent.
  std::optional<std::string> string(std::string_view key) const;
  // Returns a non-empty string. When the key is missing, the error message
  // reads "is required" followed by `hint`, which should name what to write.
  std::string required(std::string_view key, std::string_view hint = {}) const;
  std::optional<bool> boolean(std::string_view key) const;
  // An integer from `min` to `max` inclusive.
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const;
  // An integer or floating-point number from `min` to `max` inclusive.
  std::optional<double> number(std::string_view key, double min, double max) const;
  // An array of strings; empty when the key is absent.
  std::vector<std::string> strings(std::string_view key) const;
  // A non-empty string taken as a path, relative ones resolved against the
  // file's folder.
  std::optional<std::filesystem::path> path(std::string_view key) const;
  std::filesystem::path required_path(std::string_view key, std::string_view hint = {}) const;

 private:
  const toml::node* find(std::string_view key) const;

  ConfigOrigin origin_;
  std::string name_;
  const toml::table* table_;
};

// The known key closest to `key` by edit distance, when a typo or two
// explains the difference; nullopt otherwise.
std::optional<std::string_view> closest_key(std::string_view key, std::span<const std::string_view> known);

}  // namespace sippay::config
