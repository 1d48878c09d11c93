// Amounts in integer minor units (cents for EUR), and their exact decimal
// text form. No floating point anywhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ledger/currency.hpp"

namespace sippay::ledger {

// The sum, or nullopt when it leaves the int64 range.
std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b);
std::optional<std::int64_t> checked_subtract(std::int64_t a, std::int64_t b);

// Parses a positive decimal such as "12.34", "12.3" or "12" into minor units
// of `currency` (1234, 1230, 1200 for EUR). Rejects signs, exponents, empty
// parts ("12.", ".5"), more decimals than the currency's exponent, zero and
// values above INT64_MAX minor units, with LedgerError kInvalidAmount or
// kOverflow naming the text.
std::int64_t parse_decimal_amount(std::string_view text, const Currency& currency);

// Formats minor units as a decimal with exactly `currency.exponent`
// decimals: 1234 EUR -> "12.34", -5 EUR -> "-0.05", 7 JPY -> "7".
std::string format_amount(std::int64_t minor_units, const Currency& currency);

}  // namespace sippay::ledger
