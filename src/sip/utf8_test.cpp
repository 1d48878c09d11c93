// UTF-8 validation of quoted strings (RFC 3261 §25.1 qdtext, RFC 3629 §4):
// Scanner::take_quoted_string and the headers that read quoted strings.
#include "sip/utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sip/headers.hpp"
#include "sip/scanner.hpp"

namespace sippay::sip {
namespace {

struct QuotedScan {
  std::string_view value;
  const char* error = nullptr;
  std::size_t pos = 0;
};

QuotedScan take_quoted(std::string_view text) {
  Scanner s(text);
  QuotedScan scan;
  scan.value = s.take_quoted_string(scan.error);
  scan.pos = s.pos();
  return scan;
}

TEST(Utf8, SequenceLengthOfEachForm) {
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9", 0), 2U);          // U+00E9
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC", 0), 3U);      // U+20AC
  EXPECT_EQ(utf8_sequence_length("\xF0\x9F\x98\x80", 0), 4U);  // U+1F600
  EXPECT_EQ(utf8_sequence_length("\xF4\x8F\xBF\xBF", 0), 4U);  // U+10FFFF
  EXPECT_EQ(utf8_sequence_length("a\xC3\xA9", 1), 2U);
}

TEST(Utf8, SequenceLengthRejectsRfc3629Exclusions) {
  const std::vector<std::string_view> values = {
      "\x80",              // continuation byte without a lead byte
      "\xC0\xAF",          // overlong "/"
      "\xC1\xBF",          // overlong
      "\xE0\x80\xAF",      // overlong
      "\xF0\x80\x80\xAF",  // overlong
      "\xED\xA0\x80",      // UTF-16 surrogate U+D800
      "\xF4\x90\x80\x80",  // U+110000, beyond Unicode
      "\xF5\x80\x80\x80",  // lead byte never used
      "\xF8\x88\x80\x80\x80",
      "\xFE",
      "\xFF",
      "\xC3",          // cut after the lead byte
      "\xE2\x82",      // cut before the last byte
      "\xC3\x28",      // ASCII where a continuation byte belongs
      "\xE2\x28\xA1",  // ASCII as the second byte of three
  };
  for (std::string_view value : values) {
    EXPECT_EQ(utf8_sequence_length(value, 0), 0U) << testing::PrintToString(std::string(value));
  }
}

TEST(Utf8, QuotedStringAcceptsWellFormedText) {
  const std::vector<std::string_view> values = {
      "\"caf\xC3\xA9\"",
      "\"\xE2\x82\xAC 10\"",
      "\"\xF0\x9F\x98\x80\"",
      "\"\xF4\x8F\xBF\xBF\"",
      // Long enough for the 16-byte path, with the sequence across a block edge.
      "\"0123456789abcd\xC3\xA9-0123456789abcdef\"",
      "\"0123456789abcdefghijklmnopqrstuvwxyz\xE6\x97\xA5\xE6\x9C\xAC\"",
  };
  for (std::string_view value : values) {
    const QuotedScan scan = take_quoted(value);
    EXPECT_EQ(scan.error, nullptr)
        << testing::PrintToString(std::string(value)) << ": " << scan.error;
    EXPECT_EQ(scan.value, value);
  }
}

TEST(Utf8, QuotedStringRejectsMalformedText) {
  struct Case {
    std::string_view text;
    std::size_t error_pos;
  };
  const std::vector<Case> cases = {
      {"\"\xC3\"", 1},                    // the closing quote is no continuation byte
      {"\"ab\x80\"", 3},                  // lone continuation byte
      {"\"ab\xC0\xAF\"", 3},              // overlong "/"
      {"\"ab\xE0\x80\xAF\"", 3},          // overlong
      {"\"ab\xED\xA0\x80\"", 3},          // surrogate
      {"\"ab\xF4\x90\x80\x80\"", 3},      // beyond U+10FFFF
      {"\"ab\xFF\"", 3},                  // never valid
      {"\"ab\xE2\x82", 3},                // cut by the end of the text
      {"\"0123456789abcdef\xC3(\"", 17},  // found after a 16-byte block
      {"\"0123456789abcd\xED\xBF\xBF\"", 15},
  };
  for (const Case& c : cases) {
    const QuotedScan scan = take_quoted(c.text);
    ASSERT_NE(scan.error, nullptr) << testing::PrintToString(std::string(c.text));
    EXPECT_STREQ(scan.error, "invalid UTF-8 in quoted string")
        << testing::PrintToString(std::string(c.text));
    EXPECT_TRUE(scan.value.empty());
    EXPECT_EQ(scan.pos, c.error_pos) << testing::PrintToString(std::string(c.text));
  }
}

TEST(Utf8, QuotedStringKeepsOtherChecks) {
  struct Case {
    std::string_view text;
    const char* error;
  };
  const std::vector<Case> cases = {
      {"\"ab", "unterminated quoted string"},
      {"\"ab\\", "unterminated quoted string"},
      {"\"0123456789abcdefghij", "unterminated quoted string"},
      {"\"a\\\xC3\xA9\"", "invalid escaped character in quoted string"},
      {"\"a\x01\"", "control character inside quoted string"},
      {"\"0123456789abcdef\x1F\"", "control character inside quoted string"},
      {"\"a\x7F\"", "DEL character inside quoted string"},
      {"\"0123456789abcdef\x7F\"", "DEL character inside quoted string"},
      {"\"a\r\nb\"", "line break inside quoted string"},
      {"\"a\nb\"", "control character inside quoted string"},
  };
  for (const Case& c : cases) {
    const QuotedScan scan = take_quoted(c.text);
    ASSERT_NE(scan.error, nullptr) << testing::PrintToString(std::string(c.text));
    EXPECT_STREQ(scan.error, c.error) << testing::PrintToString(std::string(c.text));
  }
}

TEST(Utf8, QuotedStringAcceptsTabsEscapesAndFolds) {
  const std::vector<std::string_view> values = {
      "\"a\tb\"",
      "\"0123456789abcdef\tghij\"",
      "\"a\\\"b\\\\c\"",
      "\"a\r\n b\"",
      "\"0123456789abcdef\r\n\t0123456789abcdef\"",
  };
  for (std::string_view value : values) {
    const QuotedScan scan = take_quoted(value);
    EXPECT_EQ(scan.error, nullptr) << testing::PrintToString(std::string(value));
    EXPECT_EQ(scan.value, value);
  }
}

TEST(Utf8, DisplayNameMustBeUtf8) {
  EXPECT_TRUE(parse_from_to("\"Jos\xC3\xA9\" <sip:jose@pay.test>", 0));
  const auto result = parse_from_to("\"Jos\xE9\" <sip:jose@pay.test>", 0);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().reason.find("invalid UTF-8"), std::string::npos)
      << result.error().reason;
}

TEST(Utf8, AuthParameterMustBeUtf8) {
  EXPECT_TRUE(parse_auth_header("Digest realm=\"caf\xC3\xA9\", nonce=\"n\"", 0, true));
  const auto result = parse_auth_header("Digest realm=\"caf\xC0\xA9\", nonce=\"n\"", 0, true);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().reason.find("invalid UTF-8"), std::string::npos)
      << result.error().reason;
}

}  // namespace
}  // namespace sippay::sip
