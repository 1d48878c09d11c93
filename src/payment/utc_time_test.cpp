#include "payment/utc_time.hpp"

#include <gtest/gtest.h>

namespace sippay::payment {
namespace {

using namespace std::chrono;

TEST(UtcTime, FormatsAndParses) {
  const UtcTime time = sys_days(year(2026) / 12 / 5) + hours(1) + minutes(6) + seconds(34);
  EXPECT_EQ(format_utc_time(time), "2026-12-05T01:06:34Z");
  EXPECT_EQ(parse_utc_time("2026-12-05T01:06:34Z"), time);
}

TEST(UtcTime, AcceptsRangeEndsAndLeapDay) {
  EXPECT_TRUE(parse_utc_time("2000-01-01T00:00:00Z"));
  EXPECT_TRUE(parse_utc_time("9999-12-31T23:59:59Z"));
  EXPECT_TRUE(parse_utc_time("2028-02-29T12:00:00Z"));
  const auto leap = parse_utc_time("2028-02-29T12:00:00Z");
  ASSERT_TRUE(leap);
  EXPECT_EQ(format_utc_time(*leap), "2028-02-29T12:00:00Z");
}

TEST(UtcTime, RejectsOtherForms) {
  for (const std::string text :
       {"", "2026-12-05", "2026-12-05T01:06:34", "2026-12-05T01:06:34.000Z",
        "2026-12-05T01:06:34+00:00", "2026-12-05 01:06:34Z", "2026-12-05t01:06:34Z",
        "2026-12-05T01:06:34z", "2026-13-05T01:06:34Z", "2026-00-05T01:06:34Z",
        "2026-02-29T01:06:34Z", "2026-12-32T01:06:34Z", "2026-12-05T24:00:00Z",
        "2026-12-05T23:60:00Z", "2026-12-31T23:59:60Z", "1999-12-31T23:59:59Z",
        "+026-12-05T01:06:34Z", "2026-1a-05T01:06:34Z", " 2026-12-05T01:06:34Z"}) {
    EXPECT_FALSE(parse_utc_time(text)) << text;
  }
}

TEST(UtcTime, FormatRejectsOutOfRange) {
  EXPECT_THROW(format_utc_time(UtcTime{}), std::out_of_range);
  EXPECT_THROW(format_utc_time(sys_days(year(10000) / 1 / 1)), std::out_of_range);
}

}  // namespace
}  // namespace sippay::payment
