#include "roles/merchant/merchant_catalog.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "roles/merchant/merchant_test_support.hpp"

namespace sippay::roles::merchant {
namespace {

constexpr std::string_view kCatalog = R"(
[[item]]
id = "coffee-beans"
name = "Coffee beans, 1 kg"
price = "12.50"
currency = "EUR"
stock = 10

[[item]]
id = "sushi"
name = "Sushi box"
price = "1200"
currency = "JPY"
stock = 0
)";

// The ConfigError message of parsing `text`, or "" when it parses.
std::string error_of(std::string_view text) {
  try {
    parse_catalog(text, "catalog.toml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

std::string item_with(std::string_view key, std::string_view value) {
  std::string text = "[[item]]\n";
  const std::pair<std::string_view, std::string_view> defaults[] = {
      {"id", "\"coffee-beans\""}, {"name", "\"Coffee\""}, {"price", "\"12.50\""},
      {"currency", "\"EUR\""},    {"stock", "3"}};
  for (const auto& [name, standard] : defaults) {
    if (name == key && value.empty()) continue;
    text += std::string(name) + " = " + std::string(name == key ? value : standard) + "\n";
  }
  return text;
}

TEST(MerchantCatalog, ParsesPricesExactly) {
  const auto entries = parse_catalog(kCatalog, "catalog.toml");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0], (CatalogEntry{"coffee-beans", "Coffee beans, 1 kg", 1250, "EUR", 10}));
  EXPECT_EQ(entries[1], (CatalogEntry{"sushi", "Sushi box", 1200, "JPY", 0}));
}

TEST(MerchantCatalog, ShortDecimalsAreMinorUnits) {
  const auto entries = parse_catalog(item_with("price", "\"0.5\""), "catalog.toml");
  EXPECT_EQ(entries.at(0).unit_price, 50);
}

TEST(MerchantCatalog, MissingKeyNamesItemAndKey) {
  EXPECT_EQ(error_of(item_with("price", "")),
            "catalog.toml: item \"coffee-beans\": price: missing");
  EXPECT_EQ(error_of(item_with("id", "")), "catalog.toml: item 1: id: missing");
}

TEST(MerchantCatalog, RejectsTooManyDecimals) {
  const std::string message = error_of(item_with("price", "\"12.505\""));
  EXPECT_NE(message.find("item \"coffee-beans\": price: "), std::string::npos) << message;
}

TEST(MerchantCatalog, RejectsFloatPrice) {
  EXPECT_EQ(error_of(item_with("price", "12.5")),
            "catalog.toml: item \"coffee-beans\": price: must be a string");
}

TEST(MerchantCatalog, RejectsZeroAndNegativePrice) {
  EXPECT_NE(error_of(item_with("price", "\"0\"")).find("price: "), std::string::npos);
  EXPECT_NE(error_of(item_with("price", "\"-1.00\"")).find("price: "), std::string::npos);
}

TEST(MerchantCatalog, RejectsPriceAboveProtocolMaximum) {
  const std::string message = error_of(item_with("price", "\"10000000000.00\""));
  EXPECT_NE(message.find("protocol's maximum"), std::string::npos) << message;
}

TEST(MerchantCatalog, RejectsUnknownCurrency) {
  EXPECT_EQ(error_of(item_with("currency", "\"XYZ\"")),
            "catalog.toml: item \"coffee-beans\": currency: \"XYZ\" is not an ISO 4217 code the "
            "ledger supports");
}

TEST(MerchantCatalog, RejectsNegativeStock) {
  EXPECT_EQ(error_of(item_with("stock", "-1")),
            "catalog.toml: item \"coffee-beans\": stock: -1 is out of range; use an integer from "
            "0 to 1000000000");
}

TEST(MerchantCatalog, RejectsBadItemId) {
  const std::string message = error_of(item_with("id", "\"coffee beans\""));
  EXPECT_NE(message.find("item 1: id: "), std::string::npos) << message;
}

TEST(MerchantCatalog, RejectsControlCharacterInName) {
  const std::string message = error_of(item_with("name", "\"Coffee\\u0007\""));
  EXPECT_NE(message.find("item \"coffee-beans\": name: "), std::string::npos) << message;
}

TEST(MerchantCatalog, RejectsUnknownKey) {
  const std::string message = error_of(item_with("id", "\"coffee-beans\"") + "colour = \"red\"\n");
  EXPECT_NE(message.find("item \"coffee-beans\": colour: unknown key"), std::string::npos)
      << message;
}

TEST(MerchantCatalog, RejectsDuplicateId) {
  const std::string text = item_with("id", "\"coffee-beans\"") + item_with("id", "\"coffee-beans\"");
  EXPECT_EQ(error_of(text),
            "catalog.toml: item \"coffee-beans\": id: duplicate; each item id appears once");
}

TEST(MerchantCatalog, RejectsEmptyCatalog) {
  EXPECT_EQ(error_of(""), "catalog.toml: no [[item]] tables; add at least one item");
}

TEST(MerchantCatalog, RejectsTomlSyntaxErrorWithLine) {
  const std::string message = error_of("[[item]]\nid = \n");
  EXPECT_NE(message.find("catalog.toml: line 2: "), std::string::npos) << message;
}

TEST(MerchantCatalog, LoadsFile) {
  testing::TempFolder folder;
  const auto path = folder.path() / "catalog.toml";
  std::ofstream(path) << kCatalog;
  EXPECT_EQ(load_catalog(path).size(), 2u);
}

TEST(MerchantCatalog, MissingFileIsNamed) {
  testing::TempFolder folder;
  const auto path = folder.path() / "absent.toml";
  try {
    load_catalog(path);
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos);
  }
}

}  // namespace
}  // namespace sippay::roles::merchant
