#include "config/config_section.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace sippay::config {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions
// and swaps of two adjacent characters each count 1.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::filesystem::path resolve(const std::filesystem::path& base_dir, const std::string& text) {
  const std::filesystem::path path(text);
  return path.is_absolute() ? path : base_dir / path;
}

}  // namespace

std::optional<std::string_view> closest_key(std::string_view key, std::span<const std::string_view> known) {
  // A quarter of the key's length, at least 1: "min_expire" may mean
  // "min_expires", but "port" is not a typo of "host".
  const std::size_t max_distance = std::max<std::size_t>(1, key.size() / 4);
  std::optional<std::string_view> best;
  std::size_t best_distance = max_distance + 1;
  for (std::string_view candidate : known) {
    const std::size_t distance = edit_distance(key, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

ConfigSection::ConfigSection(ConfigOrigin origin, std::string name, const toml::table* table)
    : origin_(std::move(origin)), name_(std::move(name)), table_(table) {}

void ConfigSection::fail(std::string_view key, std::string_view problem) const {
  throw ConfigError(fmt::format("{}: [{}] {}: {}", origin_.source, name_, key, problem));
}

void ConfigSection::check_keys(std::span<const std::string_view> known) const {
  if (table_ == nullptr) return;
  for (const auto& [key, value] : *table_) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
    std::string problem = fmt::format("unknown key; check its spelling against {}", origin_.reference);
    if (const auto suggestion = closest_key(key.str(), known)) {
      problem += fmt::format(" (did you mean {}?)", *suggestion);
    }
    fail(key.str(), problem);
  }
}

std::optional<std::string> ConfigSection::string(std::string_view key) const {
  const toml::node* node = find(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_string()) fail(key, "must be a string in double quotes");
  std::string value(*node->value<std::string_view>());
  if (value.empty()) fail(key, "must not be empty");
  return value;
}

std::string ConfigSection::required(std::string_view key, std::string_view hint) const {
  auto value = string(key);
  if (!value) fail(key, hint.empty() ? std::string("is required") : fmt::format("is required; {}", hint));
  return *value;
}

std::optional<bool> ConfigSection::boolean(std::string_view key) const {
  const toml::node* node = find(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_boolean()) fail(key, "must be true or false");
  return *node->value<bool>();
}

std::optional<std::int64_t> ConfigSection::integer(std::string_view key, std::int64_t min, std::int64_t max) const {
  const toml::node* node = find(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_integer()) fail(key, fmt::format("must be an integer from {} to {}", min, max));
  const std::int64_t value = *node->value<std::int64_t>();
  if (value < min || value > max) {
    fail(key, fmt::format("{} is out of range; use an integer from {} to {}", value, min, max));
  }
  return value;
}

std::optional<double> ConfigSection::number(std::string_view key, double min, double max) const {
  const toml::node* node = find(key);
  if (node == nullptr) return std::nullopt;
  if (!node->is_number()) fail(key, fmt::format("must be a number from {} to {}", min, max));
  const double value = *node->value<double>();
  // Written so that NaN fails too.
  if (!(value >= min && value <= max)) {
    fail(key, fmt::format("{} is out of range; use a number from {} to {}", value, min, max));
  }
  return value;
}

std::vector<std::string> ConfigSection::strings(std::string_view key) const {
  std::vector<std::string> values;
  const toml::node* node = find(key);
  if (node == nullptr) return values;
  const toml::array* array = node->as_array();
  if (array == nullptr) fail(key, "must be an array of strings, as in [\"a\", \"b\"]");
  for (const toml::node& element : *array) {
    if (!element.is_string()) fail(key, "must be an array of strings, as in [\"a\", \"b\"]");
    values.emplace_back(*element.value<std::string_view>());
  }
  return values;
}

std::optional<std::filesystem::path> ConfigSection::path(std::string_view key) const {
  const auto text = string(key);
  if (!text) return std::nullopt;
  return resolve(origin_.base_dir, *text);
}

std::filesystem::path ConfigSection::required_path(std::string_view key, std::string_view hint) const {
  return resolve(origin_.base_dir, required(key, hint));
}

const toml::node* ConfigSection::find(std::string_view key) const {
  return table_ == nullptr ? nullptr : table_->get(key);
}

}  // namespace sippay::config
