#include "ledger/amount.hpp"

#include <fmt/format.h>

#include <limits>

#include "ledger/ledger_error.hpp"

namespace sippay::ledger {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

[[noreturn]] void reject(std::string_view text, const Currency& currency, std::string_view reason) {
  throw LedgerError(LedgerErrorCode::kInvalidAmount,
                    fmt::format("invalid amount \"{}\" for {}: {}", text, currency.code, reason));
}

}  // namespace

std::optional<std::int64_t> checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

std::optional<std::int64_t> checked_subtract(std::int64_t a, std::int64_t b) {
  std::int64_t difference = 0;
  if (__builtin_sub_overflow(a, b, &difference)) return std::nullopt;
  return difference;
}

std::int64_t parse_decimal_amount(std::string_view text, const Currency& currency) {
  const std::string_view expected =
      currency.exponent == 0 ? "expected a positive whole number such as 12"
                             : "expected a positive decimal such as 12.34";
  if (text.empty()) reject(text, currency, expected);
  if (text.front() == '-') reject(text, currency, "the amount must be positive");

  const std::size_t point = text.find('.');
  const std::string_view whole = text.substr(0, point);
  const std::string_view fraction = point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
  const bool has_point = point != std::string_view::npos;

  if (whole.empty() || (has_point && fraction.empty())) reject(text, currency, expected);
  for (char c : whole) {
    if (!is_digit(c)) reject(text, currency, expected);
  }
  for (char c : fraction) {
    if (!is_digit(c)) reject(text, currency, expected);
  }
  if (fraction.size() > static_cast<std::size_t>(currency.exponent)) {
    reject(text, currency,
           fmt::format("{} has {} decimal places, so at most {} are allowed", currency.code, currency.exponent,
                       currency.exponent));
  }

  // Accumulate whole digits, then the fraction padded to the exponent.
  std::int64_t value = 0;
  auto append_digit = [&](int digit) {
    std::int64_t shifted = 0;
    if (__builtin_mul_overflow(value, std::int64_t{10}, &shifted) ||
        __builtin_add_overflow(shifted, std::int64_t{digit}, &value)) {
      throw LedgerError(LedgerErrorCode::kOverflow,
                        fmt::format("amount \"{}\" {} is too large: the maximum is {} {}", text, currency.code,
                                    format_amount(std::numeric_limits<std::int64_t>::max(), currency),
                                    currency.code));
    }
  };
  for (char c : whole) append_digit(c - '0');
  for (char c : fraction) append_digit(c - '0');
  for (std::size_t i = fraction.size(); i < static_cast<std::size_t>(currency.exponent); ++i) append_digit(0);

  if (value == 0) reject(text, currency, "the amount must be positive");
  return value;
}

std::string format_amount(std::int64_t minor_units, const Currency& currency) {
  // Work on the magnitude as unsigned so that INT64_MIN formats too.
  const bool negative = minor_units < 0;
  const std::uint64_t magnitude =
      negative ? std::uint64_t{0} - static_cast<std::uint64_t>(minor_units) : static_cast<std::uint64_t>(minor_units);
  if (currency.exponent == 0) return fmt::format("{}{}", negative ? "-" : "", magnitude);

  std::uint64_t scale = 1;
  for (int i = 0; i < currency.exponent; ++i) scale *= 10;
  return fmt::format("{}{}.{:0{}}", negative ? "-" : "", magnitude / scale, magnitude % scale, currency.exponent);
}

}  // namespace sippay::ledger
