#include "roles/merchant/merchant_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "ledger/amount.hpp"
#include "ledger/currency.hpp"
#include "ledger/ledger_error.hpp"
#include "payment/field_rules.hpp"

namespace sippay::roles::merchant {
namespace {

constexpr std::array<std::string_view, 5> kItemKeys = {"id", "name", "price", "currency", "stock"};

// Reads the keys of one [[item]] table; every error names the item.
class ItemReader {
 public:
  ItemReader(std::string_view source, std::size_t index, const toml::table& table)
      : source_(source), label_(fmt::format("item {}", index + 1)), table_(table) {}

  [[noreturn]] void fail(std::string_view key, std::string_view problem) const {
    throw ConfigError(fmt::format("{}: {}: {}: {}", source_, label_, key, problem));
  }

  void check_keys() const {
    for (const auto& [key, value] : table_) {
      if (std::find(kItemKeys.begin(), kItemKeys.end(), key.str()) == kItemKeys.end()) {
        fail(key.str(), "unknown key; an item has the keys id, name, price, currency and stock");
      }
    }
  }

  std::string string(std::string_view key) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) fail(key, "missing");
    if (!node->is_string()) fail(key, "must be a string");
    return std::string(*node->value<std::string_view>());
  }

  std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max) const {
    const toml::node* node = table_.get(key);
    if (node == nullptr) fail(key, "missing");
    if (!node->is_integer()) fail(key, fmt::format("must be an integer from {} to {}", min, max));
    const std::int64_t value = *node->value<std::int64_t>();
    if (value < min || value > max) {
      fail(key, fmt::format("{} is out of range; use an integer from {} to {}", value, min, max));
    }
    return value;
  }

  // Once the id is known, errors name it instead of the position.
  void name_item(std::string_view id) { label_ = fmt::format("item \"{}\"", id); }

 private:
  std::string_view source_;
  std::string label_;
  const toml::table& table_;
};

CatalogEntry read_item(std::string_view source, std::size_t index, const toml::table& table) {
  ItemReader reader(source, index, table);
  CatalogEntry entry;

  entry.id = reader.string("id");
  if (const auto problem = payment::text_rule_error(entry.id, payment::kItemIdRule)) {
    reader.fail("id", *problem);
  }
  reader.name_item(entry.id);
  reader.check_keys();

  entry.name = reader.string("name");
  if (const auto problem = payment::text_rule_error(
          entry.name, payment::TextRule{1, kMaxItemNameBytes, payment::Charset::kText})) {
    reader.fail("name", *problem);
  }

  entry.currency = reader.string("currency");
  const auto currency = ledger::find_currency(entry.currency);
  if (!currency) {
    reader.fail("currency", fmt::format("\"{}\" is not an ISO 4217 code the ledger supports",
                                        entry.currency));
  }

  const std::string price = reader.string("price");
  try {
    entry.unit_price = ledger::parse_decimal_amount(price, *currency);
  } catch (const ledger::LedgerError& error) {
    reader.fail("price", error.what());
  }
  if (entry.unit_price > payment::kMaxAmount) {
    reader.fail("price", fmt::format("\"{}\" is more than {} minor units, the protocol's maximum",
                                     price, payment::kMaxAmount));
  }

  entry.stock = reader.integer("stock", 0, kMaxItemStock);
  return entry;
}

}  // namespace

std::vector<CatalogEntry> parse_catalog(std::string_view text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    throw ConfigError(fmt::format("{}: line {}: {}", source_name, error.source().begin.line,
                                  error.description()));
  }
  for (const auto& [key, value] : root) {
    if (key.str() != "item") {
      throw ConfigError(fmt::format("{}: {}: unknown key; a catalog holds only [[item]] tables",
                                    source_name, key.str()));
    }
  }
  const toml::node* items = root.get("item");
  const toml::array* array = items == nullptr ? nullptr : items->as_array();
  if (array == nullptr || array->empty()) {
    throw ConfigError(fmt::format("{}: no [[item]] tables; add at least one item", source_name));
  }
  if (array->size() > kMaxCatalogItems) {
    throw ConfigError(fmt::format("{}: {} items, more than the limit of {}", source_name,
                                  array->size(), kMaxCatalogItems));
  }

  std::vector<CatalogEntry> entries;
  std::set<std::string, std::less<>> ids;
  for (std::size_t index = 0; index < array->size(); ++index) {
    const toml::table* table = array->get(index)->as_table();
    if (table == nullptr) {
      throw ConfigError(fmt::format("{}: item {}: must be a table", source_name, index + 1));
    }
    CatalogEntry entry = read_item(source_name, index, *table);
    if (!ids.insert(entry.id).second) {
      throw ConfigError(fmt::format("{}: item \"{}\": id: duplicate; each item id appears once",
                                    source_name, entry.id));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<CatalogEntry> load_catalog(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw ConfigError(fmt::format("{}: cannot be read; check the [catalog] file path", path.string()));
  }
  std::ostringstream text;
  text << file.rdbuf();
  return parse_catalog(text.str(), path.string());
}

}  // namespace sippay::roles::merchant
