#include "security/pki_index.hpp"

#include <gtest/gtest.h>

namespace sippay::security {
namespace {

using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

TEST(PkiIndex, UtcTimeRoundTrip) {
  const TimePoint time = TimePoint(seconds(1'800'000'000));
  EXPECT_EQ(format_utc(time), "2027-01-15T08:00:00Z");
  EXPECT_EQ(parse_utc("2027-01-15T08:00:00Z"), time);
}

TEST(PkiIndex, RejectsInvalidUtcTimes) {
  for (const std::string_view text : {"2027-13-01T00:00:00Z", "2027-02-30T00:00:00Z", "2027-01-15T25:00:00Z",
                                      "2027-01-15T08:00:00+", "2027-01-15 08:00:00Z", "2027-01-15T08:00:00",
                                      "2027-01-15T08:00:00Zx", ""}) {
    EXPECT_FALSE(parse_utc(text).has_value()) << text;
  }
}

TEST(PkiIndex, FormatAndParseRoundTrip) {
  const std::vector<PkiIndexEntry> entries = {
      {"4A0B", false, TimePoint(seconds(1'800'000'000)), std::nullopt, "merchant", "sip:merchant@shop.example.com"},
      {"7F", true, TimePoint(seconds(1'800'000'000)), TimePoint(seconds(1'700'000'000)), "proxy", "sip:proxy.example.com"},
  };
  const std::string text = format_pki_index(entries);
  EXPECT_EQ(text,
            "# serial\tstatus\tnot_after\trevoked_at\trole\turi\n"
            "4A0B\tvalid\t2027-01-15T08:00:00Z\t-\tmerchant\tsip:merchant@shop.example.com\n"
            "7F\trevoked\t2027-01-15T08:00:00Z\t2023-11-14T22:13:20Z\tproxy\tsip:proxy.example.com\n");
  const auto parsed = parse_pki_index(text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
  ASSERT_EQ(parsed.value().size(), 2u);
  EXPECT_EQ(parsed.value()[1].serial_hex, "7F");
  EXPECT_TRUE(parsed.value()[1].revoked);
  EXPECT_EQ(parsed.value()[1].revoked_at, entries[1].revoked_at);
  EXPECT_EQ(parsed.value()[0].uri, "sip:merchant@shop.example.com");
  EXPECT_FALSE(parsed.value()[0].revoked_at.has_value());
}

TEST(PkiIndex, RejectsBrokenLines) {
  const std::string good = "7F\tvalid\t2027-01-15T08:00:00Z\t-\tmerchant\tsip:a@example.com";
  const struct {
    std::string line;
    std::string message;
  } cases[] = {
      {"7F\tvalid\t2027-01-15T08:00:00Z\t-\tmerchant", "5 fields"},
      {"7f\tvalid\t2027-01-15T08:00:00Z\t-\tmerchant\tsip:a@example.com", "upper-case hex"},
      {"7F\tgone\t2027-01-15T08:00:00Z\t-\tmerchant\tsip:a@example.com", "neither valid nor revoked"},
      {"7F\tvalid\tsoon\t-\tmerchant\tsip:a@example.com", "not_after"},
      {"7F\trevoked\t2027-01-15T08:00:00Z\t-\tmerchant\tsip:a@example.com", "revoked_at"},
      {"7F\tvalid\t2027-01-15T08:00:00Z\t2027-01-15T08:00:00Z\tmerchant\tsip:a@example.com", "must be -"},
      {"7F\tvalid\t2027-01-15T08:00:00Z\t-\t\tsip:a@example.com", "empty role"},
  };
  for (const auto& test_case : cases) {
    const auto parsed = parse_pki_index(good + "\n" + test_case.line + "\n");
    ASSERT_FALSE(parsed.ok()) << test_case.line;
    EXPECT_EQ(parsed.error().code, ErrorCode::malformed);
    EXPECT_NE(parsed.error().detail.find("line 2"), std::string::npos) << parsed.error().detail;
    EXPECT_NE(parsed.error().detail.find(test_case.message), std::string::npos) << parsed.error().detail;
  }
}

}  // namespace
}  // namespace sippay::security
