// Single-value and token-list headers (RFC 3261 §20, grammar §25.1): Call-ID,
// CSeq, the integer headers, Content-Type, Content-Disposition, option-tag
// and method lists, Date, User-Agent and Server, and the TEXT-UTF8 check for
// every other header.
#include "sip/headers.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sippay::sip {
namespace {

struct InvalidCase {
  std::string_view value;
  std::size_t offset;
  std::string_view reason_part;  // a word the reason must contain
};

// Checks each case with `parse`, which returns the error or nullopt.
template <typename Parse>
void expect_invalid(const std::vector<InvalidCase>& cases, Parse&& parse) {
  for (const InvalidCase& c : cases) {
    const std::optional<ParseError> error = parse(c.value);
    if (!error.has_value()) {
      ADD_FAILURE() << "accepted: " << testing::PrintToString(std::string(c.value));
      continue;
    }
    EXPECT_EQ(error->offset, c.offset) << "value: " << testing::PrintToString(std::string(c.value))
                                       << "\nerror: " << error->reason;
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string(c.reason_part), error->reason)
        << "value: " << testing::PrintToString(std::string(c.value));
    EXPECT_EQ(error->status_code, 400);
  }
}

template <typename T>
std::optional<ParseError> error_of(const Result<T>& result) {
  if (result.ok()) return std::nullopt;
  return result.error();
}

// ------------------------------------------------------------------ Call-ID

TEST(CallId, ValidValues) {
  const std::vector<std::string_view> values = {
      "f81d4fae-7dec-11d0-a765-00a0c91e6bf6@foo.bar.com",
      "a84b4c76e66710",
      "a@b",
      "abcXYZ019-.!%*_+`'~()<>:\\\"/[]?{}@-.!%*_+`'~()<>:\\\"/[]?{}",
  };
  for (std::string_view value : values) {
    const auto result = parse_call_id(value, 0);
    ASSERT_TRUE(result.ok()) << value << ": " << result.error().to_string();
    EXPECT_EQ(*result, value);
  }
}

TEST(CallId, InvalidValues) {
  expect_invalid(
      {
          {"", 0, "word"},
          {"a b", 1, "\" \""},
          {"a\tb", 1, "Call-ID"},
          {"a@", 2, "after '@'"},
          {"@b", 0, "word"},
          {"a@b@c", 3, "\"@\""},
          {"a;b", 1, "\";\""},
          {"a,b", 1, "\",\""},
          {"a=b", 1, "\"=\""},
          {"a\r\n b", 1, "Call-ID"},
          {"caf\xC3\xA9", 3, "Call-ID"},
          {std::string_view("a\0b", 3), 1, "Call-ID"},
      },
      [](std::string_view v) { return error_of(parse_call_id(v, 0)); });
}

// --------------------------------------------------------------------- CSeq

TEST(CSeq, ValidValues) {
  struct Case {
    std::string_view value;
    std::uint32_t number;
    std::string_view method;
  };
  const std::vector<Case> cases = {
      {"4711 INVITE", 4711, "INVITE"},         {"0 ACK", 0, "ACK"},
      {"2147483647 BYE", 2147483647U, "BYE"},  {"00001 REGISTER", 1, "REGISTER"},
      {"1 X-PAY.Confirm", 1, "X-PAY.Confirm"}, {"1 \t INVITE", 1, "INVITE"},
      {"1\r\n INVITE", 1, "INVITE"},
  };
  for (const Case& c : cases) {
    const auto result = parse_cseq(c.value, 0);
    ASSERT_TRUE(result.ok()) << c.value << ": " << result.error().to_string();
    EXPECT_EQ(result->number, c.number) << c.value;
    EXPECT_EQ(result->method, c.method) << c.value;
  }
}

TEST(CSeq, InvalidValues) {
  expect_invalid(
      {
          {"", 0, "CSeq number"},
          {"2147483648 INVITE", 0, "2147483647"},
          {"4294967296 INVITE", 0, "2147483647"},
          {"99999999999999999999999 INVITE", 0, "2147483647"},
          {"INVITE", 0, "CSeq number"},
          {"-1 INVITE", 0, "CSeq number"},
          {"1", 1, "method"},
          {"1INVITE", 1, "whitespace"},
          {"1 ", 2, "method"},
          {"1 INV ITE", 6, "unexpected"},
          {"1 INVITE,", 8, "unexpected"},
          {"1 <INVITE>", 2, "method"},
          {"1 INVITE\r", 8, "unexpected"},
          {"1\rINVITE", 1, "whitespace"},
      },
      [](std::string_view v) { return error_of(parse_cseq(v, 0)); });
}

// ------------------------------------------ Max-Forwards, Expires, and others

TEST(UnsignedHeader, Bounds) {
  EXPECT_EQ(*parse_unsigned("0", 0, 255, "Max-Forwards"), 0U);
  EXPECT_EQ(*parse_unsigned("70", 0, 255, "Max-Forwards"), 70U);
  EXPECT_EQ(*parse_unsigned("255", 0, 255, "Max-Forwards"), 255U);
  EXPECT_EQ(*parse_unsigned("00070", 0, 255, "Max-Forwards"), 70U);
  EXPECT_EQ(*parse_unsigned("4294967295", 0, UINT32_MAX, "Expires"), 4294967295U);
}

TEST(UnsignedHeader, InvalidValues) {
  const std::vector<std::string_view> values = {
      "256", "", "-1", "+1", "1 ", " 1", "0x10", "1.5", "99999999999999999999999", "7\r\n 0",
  };
  for (std::string_view value : values) {
    const auto result = parse_unsigned(value, 40, 255, "Max-Forwards");
    ASSERT_FALSE(result.ok()) << "accepted: " << value;
    EXPECT_EQ(result.error().offset, 40U) << value;
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string("Max-Forwards"), result.error().reason)
        << value;
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string("0 to 255"), result.error().reason)
        << value;
  }
  const auto expires = parse_unsigned("4294967296", 0, UINT32_MAX, "Expires");
  ASSERT_FALSE(expires.ok());
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string("Expires"), expires.error().reason);
}

// ------------------------------------------------------------- Content-Type

TEST(MediaType, PlainAndWithParams) {
  auto result = parse_media_type("application/sdp", 0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->type, "application");
  EXPECT_EQ(result->subtype, "sdp");
  EXPECT_TRUE(result->params.empty());

  result = parse_media_type("application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m", 0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->subtype, "pkcs7-mime");
  EXPECT_EQ(result->params.size(), 2U);
  EXPECT_EQ(result->params.find("smime-type")->value, "enveloped-data");
  EXPECT_EQ(result->params.find("name")->value, "smime.p7m");
}

TEST(MediaType, QuotedValuesAndWhitespace) {
  const auto result =
      parse_media_type("multipart/mixed ;\r\n boundary=\"unique boundary;1\" ; charset = utf-8", 0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->type, "multipart");
  EXPECT_EQ(result->subtype, "mixed");
  EXPECT_EQ(result->params.find("boundary")->value, "\"unique boundary;1\"");
  EXPECT_EQ(result->params.find("charset")->value, "utf-8");
}

TEST(MediaType, SpacesAroundSlash) {
  const auto result = parse_media_type("text / plain", 0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->type, "text");
  EXPECT_EQ(result->subtype, "plain");
}

TEST(MediaType, InvalidValues) {
  expect_invalid(
      {
          {"", 0, "media type"},
          {"text", 4, "'/'"},
          {"text/", 5, "subtype"},
          {"/plain", 0, "media type"},
          {"text/plain;", 11, "parameter name"},
          {"text/plain; charset", 12, "value"},
          {"text/plain; charset=", 20, "value"},
          {"text/plain charset=x", 11, "unexpected"},
          {"text/plain; x=[::1]", 12, "token or quoted string"},
          {"text/plain, text/html", 10, "unexpected"},
          {"text/pl@in", 7, "unexpected"},
          {"text/plain; charset=\"utf-8", 20, "quoted string"},
      },
      [](std::string_view v) { return error_of(parse_media_type(v, 0)); });
}

// ------------------------------------------------------ Content-Disposition

TEST(ContentDisposition, HandlingExtracted) {
  auto result = parse_content_disposition("attachment; handling=required", 0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->disposition_type, "attachment");
  EXPECT_EQ(result->handling, "required");
  EXPECT_EQ(result->params.size(), 1U);

  result = parse_content_disposition("session;HANDLING=optional", 0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->handling, "optional");

  result = parse_content_disposition("icon; handling=x-other", 0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->handling, "x-other");
}

TEST(ContentDisposition, WithoutHandling) {
  const auto result = parse_content_disposition("session", 0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->disposition_type, "session");
  EXPECT_EQ(result->handling, "");
  EXPECT_TRUE(result->params.empty());
}

// disp-param = handling-param / generic-param, and a generic-param may have
// no value or a host value (§25.1).
TEST(ContentDisposition, GenericParams) {
  const auto result = parse_content_disposition(
      "attachment; filename=\"a b.txt\"; x-flag; x-host=[2001:db8::1]; handling=optional", 0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->params.size(), 4U);
  EXPECT_EQ(result->params.find("filename")->value, "\"a b.txt\"");
  EXPECT_FALSE(result->params.find("x-flag")->has_value);
  EXPECT_EQ(result->params.find("x-host")->value, "[2001:db8::1]");
  EXPECT_EQ(result->handling, "optional");
}

TEST(ContentDisposition, InvalidValues) {
  expect_invalid(
      {
          {"", 0, "disposition type"},
          {";handling=required", 0, "disposition type"},
          {"attachment; handling=\"required\"", 12, "handling"},
          {"attachment; handling=[::1]", 12, "handling"},
          {"attachment; handling", 12, "handling"},
          {"attachment; handling=optional; handling=required", 31, "duplicate"},
          {"attachment;", 11, "parameter name"},
          {"attach ment", 7, "unexpected"},
          {"attachment, session", 10, "unexpected"},
      },
      [](std::string_view v) { return error_of(parse_content_disposition(v, 0)); });
}

// ---------------------------------------------------------------- Token lists

TEST(TokenList, SeveralTokens) {
  std::vector<std::string_view> tokens;
  ASSERT_FALSE(parse_token_list("100rel, timer ,path,\r\n gruu", 0, false, tokens).has_value());
  EXPECT_EQ(tokens, (std::vector<std::string_view>{"100rel", "timer", "path", "gruu"}));
}

TEST(TokenList, SpacesAroundComma) {
  std::vector<std::string_view> tokens;
  ASSERT_FALSE(parse_token_list("a , b", 0, false, tokens).has_value());
  EXPECT_EQ(tokens, (std::vector<std::string_view>{"a", "b"}));
}

TEST(TokenList, EmptyAllowedForSupported) {
  std::vector<std::string_view> tokens;
  EXPECT_FALSE(parse_token_list("", 0, true, tokens).has_value());
  EXPECT_TRUE(tokens.empty());
}

TEST(TokenList, EmptyRejectedForRequire) {
  std::vector<std::string_view> tokens;
  const auto error = parse_token_list("", 70, false, tokens);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, 70U);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string("missing value"), error->reason);
}

TEST(TokenList, InvalidValues) {
  auto parse = [](std::string_view v) {
    std::vector<std::string_view> tokens;
    return parse_token_list(v, 0, true, tokens);
  };
  expect_invalid(
      {
          {",", 0, "token"},
          {"a,", 2, "token"},
          {"a,,b", 2, "token"},
          {",a", 0, "token"},
          {"a b", 2, "unexpected"},
          {"a;b", 1, "unexpected"},
          {"a/b", 1, "unexpected"},
          {"a,\"b\"", 2, "token"},
          {"a\r,b", 1, "unexpected"},
      },
      parse);
}

// --------------------------------------------------------------------- Date

TEST(Date, UnixSeconds) {
  struct Case {
    std::string_view value;
    std::int64_t unix_seconds;
  };
  // Values computed with Python's calendar.timegm.
  const std::vector<Case> cases = {
      {"Sat, 13 Nov 2010 23:29:00 GMT", 1289690940}, {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
      {"Tue, 29 Feb 2000 12:00:00 GMT", 951825600},  {"Fri, 31 Dec 1999 23:59:59 GMT", 946684799},
      {"Tue, 19 Jan 2038 03:14:08 GMT", 2147483648}, {"Sat, 01 Jan 2100 00:00:00 GMT", 4102444800},
      {"Fri, 13 Nov 1964 08:00:00 GMT", -161971200},
  };
  for (const Case& c : cases) {
    const auto result = parse_date(c.value, 0);
    ASSERT_TRUE(result.ok()) << c.value << ": " << result.error().to_string();
    EXPECT_EQ(result->unix_seconds, c.unix_seconds) << c.value;
  }
}

TEST(Date, Fields) {
  const auto result = parse_date("Sat, 13 Nov 2010 23:29:07 GMT", 0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->year, 2010);
  EXPECT_EQ(result->month, 11);
  EXPECT_EQ(result->day, 13);
  EXPECT_EQ(result->hour, 23);
  EXPECT_EQ(result->minute, 29);
  EXPECT_EQ(result->second, 7);
}

// ABNF strings are case-insensitive (RFC 3261 §25 refers to RFC 2234 §2.3).
TEST(Date, NamesIgnoreCase) {
  const auto result = parse_date("SAT, 13 nov 2010 23:29:00 gmt", 0);
  ASSERT_TRUE(result.ok()) << result.error().to_string();
  EXPECT_EQ(result->month, 11);
  EXPECT_EQ(result->unix_seconds, 1289690940);
}

TEST(Date, InvalidValues) {
  const std::vector<std::string_view> values = {
      "",
      "Sat, 13 Nov 2010 23:29:00 EST",
      "Sat, 13 Nov 2010 23:29:00 UTC",
      "Sat, 13 Nov 2010 23:29:00 +0000",
      "Sax, 13 Nov 2010 23:29:00 GMT",
      "Saturday, 13 Nov 2010 23:29:00 GMT",
      "Sat, 13 Nox 2010 23:29:00 GMT",
      "Sat, 13 November 2010 23:29:00 GMT",
      "Sat, 13 Nov 10 23:29:00 GMT",
      "Sat, 13 Nov 02010 23:29:00 GMT",
      "Sat, 13 Nov 2010 24:00:00 GMT",
      "Sat, 13 Nov 2010 23:60:00 GMT",
      "Sat, 13 Nov 2010 23:29:61 GMT",
      "Sat, 13 Nov 2010 23:29 GMT",
      "Sat, 13 Nov 2010 2:29:00 GMT",
      "Sat, 13 Nov 2010 23-29-00 GMT",
      "Sat, 00 Nov 2010 23:29:00 GMT",
      "Sat, 32 Nov 2010 23:29:00 GMT",
      "Sat, 31 Nov 2010 23:29:00 GMT",
      "Mon, 29 Feb 2010 23:29:00 GMT",
      "Mon, 29 Feb 1900 00:00:00 GMT",
      "Sat, 3 Nov 2010 23:29:00 GMT",
      "Sat,13 Nov 2010 23:29:00 GMT ",
      "Sat, 13 Nov 2010  23:29:00 GMT",
      "Sat, 13 Nov 2010 23:29:00 GMT\r\n",
      "Sat, +3 Nov 2010 23:29:00 GMT",
      "Sat, 13 Nov 2010 23:29:+0 GMT",
      "13 Nov 2010 23:29:00 GMT",
  };
  for (std::string_view value : values) {
    const auto result = parse_date(value, 12);
    ASSERT_FALSE(result.ok()) << "accepted: " << value;
    EXPECT_EQ(result.error().offset, 12U) << value;
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string("RFC 1123 date in GMT"),
                        result.error().reason)
        << value;
  }
}

// ------------------------------------------------------- User-Agent, Server

TEST(ServerValue, ValidValues) {
  const std::vector<std::string_view> values = {
      "Softphone Beta1.5",
      "HomeServer/2.1",
      "HomeServer / 2.1 (Linux; x86_64) Lib/1",
      "(only a comment)",
      "Pay/1.0 (nested (comment (deep)) here) Other",
      "Pay (escaped \\) paren \\( here)",
      "Pay (caf\xC3\xA9 \xE2\x82\xAC)",
      "Pay\r\n (folded\r\n comment)",
      "Pay ()",
  };
  for (std::string_view value : values) {
    const auto error = check_server_value(value, 0);
    EXPECT_FALSE(error.has_value()) << value << ": " << error->to_string();
  }
}

TEST(ServerValue, InvalidValues) {
  expect_invalid(
      {
          {"", 0, "missing value"},
          {"Pay (unbalanced", 4, "unterminated comment"},
          {"Pay ((nested)", 4, "unterminated comment"},
          {"Pay unbalanced)", 14, "')'"},
          {"Pay)", 3, "')'"},
          {"Pay/", 4, "version"},
          {"Pay/ ", 5, "version"},
          {"Pay\x01", 3, "\\x01"},
          {"Pay (a)\x01", 7, "\\x01"},
          {"Pay (a\x01b)", 6, "control character"},
          {"Pay (a\x7F)", 6, "control character"},
          {"Pay (a\rb)", 6, "control character"},
          {"Pay (a\\\rb)", 6, "escaped"},
          {"Pay (a\\\xC3\xA9)", 6, "escaped"},
          {"Pay (a\\", 4, "unterminated comment"},
          {"Pay (\xC3)", 5, "UTF-8"},
          {"Pay, Other", 3, "\",\""},
          {"Pay/1.0/2.0", 7, "\"/\""},
          {"Pay/1.0(no space)", 7, "whitespace"},
          {"(c)Pay", 3, "whitespace"},
          {"Pay \"quoted\"", 4, "\"\\x22\""},
      },
      [](std::string_view v) { return check_server_value(v, 0); });
}

// ------------------------------------------------------ Any other header

TEST(HeaderText, ValidValues) {
  const std::vector<std::string_view> values = {
      "",
      "hello world",
      "tab\tseparated",
      "Gr\xC3\xBC\xC3\x9F"
      "e \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80",
      "folded\r\n line\r\n\tand tab",
      "\xF4\x8F\xBF\xBF",  // U+10FFFF, the last code point
      "\xEF\xBF\xBD",      // U+FFFD
  };
  for (std::string_view value : values) {
    const auto error = check_header_text(value, 0);
    EXPECT_FALSE(error.has_value())
        << testing::PrintToString(std::string(value)) << ": " << error->to_string();
  }
}

TEST(HeaderText, InvalidValues) {
  expect_invalid(
      {
          {"ab\xC3", 2, "UTF-8"},
          {"ab\xC3\x28", 2, "UTF-8"},
          {"ab\x80", 2, "UTF-8"},
          {"ab\xBF", 2, "UTF-8"},
          {"ab\xFF", 2, "UTF-8"},
          {"ab\xFE", 2, "UTF-8"},
          {"ab\xE6\x97", 2, "UTF-8"},
          {"ab\xC0\xAF", 2, "UTF-8"},          // overlong "/"
          {"ab\xC1\xBF", 2, "UTF-8"},          // overlong
          {"ab\xE0\x80\xAF", 2, "UTF-8"},      // overlong
          {"ab\xF0\x80\x80\xAF", 2, "UTF-8"},  // overlong
          {"ab\xED\xA0\x80", 2, "UTF-8"},      // UTF-16 surrogate U+D800
          {"ab\xF4\x90\x80\x80", 2, "UTF-8"},  // U+110000, beyond Unicode
          {"ab\xF8\x88\x80\x80\x80", 2, "UTF-8"},
          {"ab\xFC\x84\x80\x80\x80\x80", 2, "UTF-8"},
          {std::string_view("ab\0c", 4), 2, "control character"},
          {"ab\x01", 2, "control character"},
          {"ab\x1F", 2, "control character"},
          {"ab\x7F", 2, "control character"},
          {"ab\rc", 2, "control character"},
          {"ab\nc", 2, "control character"},
          {"ab\r\nc", 2, "control character"},
          {"ab\r\n", 2, "control character"},
      },
      [](std::string_view v) { return check_header_text(v, 0); });
}

TEST(HeaderText, ErrorOffsetAddsBase) {
  const auto error = check_header_text("abc\x01", 1000);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, 1003U);
}

}  // namespace
}  // namespace sippay::sip
