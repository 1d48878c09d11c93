#include "config/config_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "config/config_error.hpp"

namespace sippay::config {
namespace {

// "[a], [b] and [c]"
std::string list_sections(std::span<const std::string_view> names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " and " : ", ";
    text += fmt::format("[{}]", names[i]);
  }
  return text;
}

}  // namespace

ConfigFile::ConfigFile(const toml::table& root, ConfigOrigin origin) : root_(&root), origin_(std::move(origin)) {}

void ConfigFile::fail(std::string_view problem) const {
  throw ConfigError(fmt::format("{}: {}", origin_.source, problem));
}

void ConfigFile::check_sections(std::span<const std::string_view> known) const {
  for (const auto& [key, value] : *root_) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
    const std::string sections = fmt::format("{} ({})", list_sections(known), origin_.reference);
    if (const auto suggestion = closest_key(key.str(), known)) {
      fail(fmt::format("[{}]: unknown section; did you mean [{}]? The sections are {}", key.str(), *suggestion,
                       sections));
    }
    fail(fmt::format("[{}]: unknown section; the sections are {}", key.str(), sections));
  }
}

ConfigSection ConfigFile::section(std::string_view name) const {
  const toml::node* node = root_->get(name);
  if (node != nullptr && !node->is_table()) {
    fail(fmt::format("[{}] must be a table; write [{}] on a line of its own, then its keys", name, name));
  }
  return ConfigSection(origin_, std::string(name), node == nullptr ? nullptr : node->as_table());
}

ConfigSection ConfigFile::required_section(std::string_view name) const {
  ConfigSection result = section(name);
  if (!result.present()) fail(fmt::format("[{}] is required", name));
  return result;
}

std::vector<ConfigSection> ConfigFile::table_array(std::string_view name) const {
  std::vector<ConfigSection> sections;
  const toml::node* node = root_->get(name);
  if (node == nullptr) return sections;
  const toml::array* array = node->as_array();
  if (array == nullptr) fail(fmt::format("{} must be an array of tables, written [[{}]]", name, name));
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) fail(fmt::format("{} {} must be a table, written [[{}]]", name, i + 1, name));
    sections.emplace_back(origin_, fmt::format("{} {}", name, i + 1), table);
  }
  return sections;
}

}  // namespace sippay::config
