// ISO 4217 currencies this ledger accepts, with their minor-unit exponent
// (the number of decimals of the minor unit: 2 for EUR cents, 0 for JPY).
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace sippay::ledger {

struct Currency {
  std::string_view code;  // three upper-case letters, e.g. "EUR"
  int exponent = 2;       // minor units per major unit = 10^exponent
};

// The supported currencies, sorted by code.
std::span<const Currency> supported_currencies();

// The currency with this code, or nullopt when the code is not three
// upper-case letters or not in the supported table.
std::optional<Currency> find_currency(std::string_view code);

// Like find_currency, but throws LedgerError kInvalidCurrency with a message
// naming the code and listing what is supported.
Currency require_currency(std::string_view code);

}  // namespace sippay::ledger
