#include "ledger/amount.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "ledger/ledger_error.hpp"

namespace sippay::ledger {
namespace {

const Currency kEur = *find_currency("EUR");
const Currency kJpy = *find_currency("JPY");
const Currency kKwd = *find_currency("KWD");

LedgerErrorCode parse_error(std::string_view text, const Currency& currency) {
  try {
    parse_decimal_amount(text, currency);
  } catch (const LedgerError& error) {
    return error.code();
  }
  ADD_FAILURE() << "\"" << text << "\" parsed";
  return LedgerErrorCode::kStorage;
}

TEST(Currency, KnownCodesHaveTheirExponent) {
  EXPECT_EQ(kEur.exponent, 2);
  EXPECT_EQ(kJpy.exponent, 0);
  EXPECT_EQ(kKwd.exponent, 3);
}

TEST(Currency, RejectsMalformedAndUnknownCodes) {
  EXPECT_FALSE(find_currency("eur"));
  EXPECT_FALSE(find_currency("EURO"));
  EXPECT_FALSE(find_currency("E1R"));
  EXPECT_FALSE(find_currency("XXX"));
  EXPECT_FALSE(find_currency(""));
  try {
    require_currency("XYZ");
    FAIL() << "XYZ accepted";
  } catch (const LedgerError& error) {
    EXPECT_EQ(error.code(), LedgerErrorCode::kInvalidCurrency);
    EXPECT_NE(std::string(error.what()).find("XYZ"), std::string::npos);
  }
}

TEST(Currency, TableIsSortedAndValid) {
  const auto currencies = supported_currencies();
  for (std::size_t i = 1; i < currencies.size(); ++i) EXPECT_LT(currencies[i - 1].code, currencies[i].code);
  for (const Currency& currency : currencies) EXPECT_EQ(find_currency(currency.code)->code, currency.code);
}

TEST(ParseDecimalAmount, ParsesExactMinorUnits) {
  EXPECT_EQ(parse_decimal_amount("12.34", kEur), 1234);
  EXPECT_EQ(parse_decimal_amount("12.3", kEur), 1230);
  EXPECT_EQ(parse_decimal_amount("12", kEur), 1200);
  EXPECT_EQ(parse_decimal_amount("0.01", kEur), 1);
  EXPECT_EQ(parse_decimal_amount("500", kJpy), 500);
  EXPECT_EQ(parse_decimal_amount("1.005", kKwd), 1005);
  EXPECT_EQ(parse_decimal_amount("92233720368547758.07", kEur), std::numeric_limits<std::int64_t>::max());
}

TEST(ParseDecimalAmount, RejectsBadText) {
  for (std::string_view text : {"", "-1", "+1", "1e3", "12.", ".5", "1,5", " 1", "1 ", "abc", "1.2.3"}) {
    EXPECT_EQ(parse_error(text, kEur), LedgerErrorCode::kInvalidAmount) << text;
  }
}

TEST(ParseDecimalAmount, RejectsTooManyDecimals) {
  EXPECT_EQ(parse_error("12.345", kEur), LedgerErrorCode::kInvalidAmount);
  EXPECT_EQ(parse_error("1.5", kJpy), LedgerErrorCode::kInvalidAmount);
  EXPECT_EQ(parse_error("1.0001", kKwd), LedgerErrorCode::kInvalidAmount);
}

TEST(ParseDecimalAmount, RejectsZero) {
  EXPECT_EQ(parse_error("0", kEur), LedgerErrorCode::kInvalidAmount);
  EXPECT_EQ(parse_error("0.00", kEur), LedgerErrorCode::kInvalidAmount);
}

TEST(ParseDecimalAmount, RejectsOverflowNamingValue) {
  EXPECT_EQ(parse_error("92233720368547758.08", kEur), LedgerErrorCode::kOverflow);
  EXPECT_EQ(parse_error("99999999999999999999999", kJpy), LedgerErrorCode::kOverflow);
  try {
    parse_decimal_amount("92233720368547758.08", kEur);
  } catch (const LedgerError& error) {
    EXPECT_NE(std::string(error.what()).find("92233720368547758.08"), std::string::npos);
  }
}

TEST(FormatAmount, UsesTheExponent) {
  EXPECT_EQ(format_amount(1234, kEur), "12.34");
  EXPECT_EQ(format_amount(5, kEur), "0.05");
  EXPECT_EQ(format_amount(-5, kEur), "-0.05");
  EXPECT_EQ(format_amount(0, kEur), "0.00");
  EXPECT_EQ(format_amount(7, kJpy), "7");
  EXPECT_EQ(format_amount(1005, kKwd), "1.005");
  EXPECT_EQ(format_amount(std::numeric_limits<std::int64_t>::min(), kEur), "-92233720368547758.08");
}

TEST(CheckedAdd, DetectsOverflow) {
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(checked_add(1, 2), 3);
  EXPECT_FALSE(checked_add(kMax, 1));
  EXPECT_FALSE(checked_subtract(std::numeric_limits<std::int64_t>::min(), 1));
  EXPECT_EQ(checked_subtract(0, kMax), -kMax);
}

}  // namespace
}  // namespace sippay::ledger
