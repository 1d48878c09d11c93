#include "config/toml_file.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "config/config_error.hpp"

namespace sippay::config {

toml::table parse_toml(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    throw ConfigError(
        fmt::format("{}:{}:{}: invalid TOML: {}", source, where.line, where.column, error.description()));
  }
}

toml::table read_toml_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::error_code error;
  if (!file || std::filesystem::is_directory(path, error)) {
    throw ConfigError(fmt::format("{}: cannot open the configuration file; check the path and its permissions",
                                  path.string()));
  }
  std::ostringstream text;
  text << file.rdbuf();
  return parse_toml(text.str(), path.string());
}

}  // namespace sippay::config
