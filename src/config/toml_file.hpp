// Parsing TOML text and files, with errors that name the file, the line and
// the column.
#pragma once

#include <filesystem>
#include <string_view>
#include <toml++/toml.h>

namespace sippay::config {

// Parses `text`; `source` starts each error message. Throws ConfigError.
toml::table parse_toml(std::string_view text, std::string_view source);

// Reads and parses the file at `path`. Throws ConfigError when the file
// cannot be read or is not valid TOML.
toml::table read_toml_file(const std::filesystem::path& path);

}  // namespace sippay::config
