#include "ledger/currency.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string>

#include "ledger/ledger_error.hpp"

namespace sippay::ledger {
namespace {

// Exponents from the ISO 4217 list of currency codes (the "minor unit"
// column). Keep sorted by code.
constexpr std::array<Currency, 24> kCurrencies = {{
    {"AUD", 2}, {"BHD", 3}, {"BRL", 2}, {"CAD", 2}, {"CHF", 2}, {"CNY", 2},
    {"CZK", 2}, {"DKK", 2}, {"EUR", 2}, {"GBP", 2}, {"HUF", 2}, {"INR", 2},
    {"JOD", 3}, {"JPY", 0}, {"KRW", 0}, {"KWD", 3}, {"MXN", 2}, {"NOK", 2},
    {"NZD", 2}, {"PLN", 2}, {"SEK", 2}, {"TND", 3}, {"USD", 2}, {"ZAR", 2},
}};

bool is_well_formed(std::string_view code) {
  return code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

std::span<const Currency> supported_currencies() { return kCurrencies; }

std::optional<Currency> find_currency(std::string_view code) {
  if (!is_well_formed(code)) return std::nullopt;
  const auto found = std::lower_bound(kCurrencies.begin(), kCurrencies.end(), code,
                                      [](const Currency& c, std::string_view value) { return c.code < value; });
  if (found == kCurrencies.end() || found->code != code) return std::nullopt;
  return *found;
}

Currency require_currency(std::string_view code) {
  if (auto currency = find_currency(code)) return *currency;
  std::string supported;
  for (const Currency& currency : kCurrencies) {
    if (!supported.empty()) supported += ' ';
    supported += currency.code;
  }
  if (!is_well_formed(code)) {
    throw LedgerError(LedgerErrorCode::kInvalidCurrency,
                      fmt::format("invalid currency \"{}\": expected an ISO 4217 code of three upper-case "
                                  "letters, one of {}",
                                  code, supported));
  }
  throw LedgerError(LedgerErrorCode::kInvalidCurrency,
                    fmt::format("unsupported currency \"{}\": supported are {}", code, supported));
}

}  // namespace sippay::ledger
