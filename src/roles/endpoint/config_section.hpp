// Reading one section of a role's TOML file with errors that name the
// file, the section and the key: "gateway.toml: [ledger] database: is required".
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <toml++/toml.h>

#include "roles/endpoint/endpoint_config.hpp"

namespace sippay::roles {

class ConfigSection {
 public:
  // `table` may be null (an absent section): every key is then absent.
  ConfigSection(std::string_view source, std::string name, const toml::table* table)
      : source_(source), name_(std::move(name)), table_(table) {}

  // The section `name` of `root`; null when absent. Throws when it is not a table.
  static const toml::table* find(const toml::table& root, std::string_view source, std::string_view name) {
    const toml::node* node = root.get(name);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) throw ConfigError(fmt::format("{}: [{}] must be a table", source, name));
    return node->as_table();
  }

  bool present() const { return table_ != nullptr; }

  [[noreturn]] void fail(std::string_view key, std::string_view problem) const {
    throw ConfigError(fmt::format("{}: [{}] {}: {}", source_, name_, key, problem));
  }

  // Rejects keys outside `known`, which are usually misspellings.
  void check_keys(std::initializer_list<std::string_view> known) const {
    if (table_ == nullptr) return;
    for (const auto& [key, value] : *table_) {
      if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
        fail(key.str(), "unknown key; check its spelling against docs/roles.md");
      }
    }
  }

  // A non-empty string, or nullopt when the key is absent.
  std::optional<std::string> string(std::string_view key) const {
    const toml::node* node = get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_string()) fail(key, "must be a string");
    std::string value(*node->value<std::string_view>());
    if (value.empty()) fail(key, "must not be empty");
    return value;
  }

  std::string required(std::string_view key) const {
    auto value = string(key);
    if (!value) fail(key, "is required");
    return *value;
  }

  std::optional<bool> boolean(std::string_view key) const {
    const toml::node* node = get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_boolean()) fail(key, "must be true or false");
    return *node->value<bool>();
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const {
    const toml::node* node = get(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_integer()) fail(key, fmt::format("must be an integer from {} to {}", min, max));
    const std::int64_t value = *node->value<std::int64_t>();
    if (value < min || value > max) {
      fail(key, fmt::format("{} is out of range; use an integer from {} to {}", value, min, max));
    }
    return value;
  }

 private:
  const toml::node* get(std::string_view key) const { return table_ == nullptr ? nullptr : table_->get(key); }

  std::string_view source_;
  std::string name_;
  const toml::table* table_;
};

}  // namespace sippay::roles
