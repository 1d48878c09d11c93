// The merchant's catalog: items with a name, a unit price and a starting
// stock, read from a TOML file of [[item]] tables (docs/merchant.md):
//
//   [[item]]
//   id = "coffee-beans"
//   name = "Coffee beans, 1 kg"
//   price = "12.50"      # decimal text, parsed exactly into minor units
//   currency = "EUR"
//   stock = 10
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "roles/endpoint/endpoint_config.hpp"

namespace sippay::roles::merchant {

// Limits of the catalog file.
inline constexpr std::size_t kMaxCatalogItems = 10'000;
inline constexpr std::size_t kMaxItemNameBytes = 128;
inline constexpr std::int64_t kMaxItemStock = 1'000'000'000;

// Catalog errors are roles::ConfigError; the message names the file, the
// item, the key and what to do.
using roles::ConfigError;

struct CatalogEntry {
  std::string id;           // payment item id rule: 1 to 64 of A-Z a-z 0-9 - _
  std::string name;         // 1 to kMaxItemNameBytes of UTF-8 without control characters
  std::int64_t unit_price;  // minor units of `currency`, 1 to the protocol's maximum amount
  std::string currency;     // an ISO 4217 code the ledger supports
  std::int64_t stock;       // 0 to kMaxItemStock

  bool operator==(const CatalogEntry&) const = default;
};

// Parses catalog text. `source_name` starts every error message. Throws
// ConfigError.
std::vector<CatalogEntry> parse_catalog(std::string_view text, std::string_view source_name);

// Reads and parses the file. Throws ConfigError.
std::vector<CatalogEntry> load_catalog(const std::filesystem::path& path);

}  // namespace sippay::roles::merchant
