// Request lines and status lines of whole messages (RFC 3261 §7.1, §7.2,
// grammar §25.1), with the verdict categories of RFC 4475 §3.1.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sip/message.hpp"
#include "sip/message_test_support.hpp"

namespace sippay::sip {
namespace {

using test_support::join_message;
using test_support::request_with;
using test_support::response_with;

TEST(RequestLine, EveryStandardMethod) {
  const std::vector<std::string_view> methods = {
      "INVITE",    "ACK",    "BYE",     "CANCEL", "OPTIONS", "REGISTER", "PRACK",
      "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO",   "REFER",   "MESSAGE",  "UPDATE"};
  for (std::string_view method : methods) {
    SCOPED_TRACE(method);
    const std::string text =
        request_with(std::string(method) + " sip:merchant@example.net SIP/2.0");
    const Result<Message> message = parse_message(text);
    ASSERT_TRUE(message.ok()) << message.error().to_string();
    EXPECT_TRUE(message->is_request());
    EXPECT_EQ(message->method(), method);
    EXPECT_EQ(message->request_line().version, "SIP/2.0");
    EXPECT_EQ(message->cseq()->method, method);
    EXPECT_EQ(message->semantic_error(), nullptr);
  }
}

TEST(RequestLine, ExtensionMethodWithEveryTokenCharacter) {
  // token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
  const std::string method = "Pay.Auth-v2!%*_+`'~09";
  const std::string text = request_with(method + " sip:merchant@example.net SIP/2.0");
  const Result<Message> message = parse_message(text);
  ASSERT_TRUE(message.ok()) << message.error().to_string();
  EXPECT_EQ(message->method(), method);
  EXPECT_EQ(message->cseq()->method, method);
}

TEST(RequestLine, PercentInMethodIsNotAnEscape) {
  // '%' is a token character, so "PAY%41" is a method of its own and does
  // not match "PAYA" in CSeq.
  const std::string text = request_with("PAY%41 sip:merchant@example.net SIP/2.0");
  const Result<Message> message = parse_message(text);
  ASSERT_TRUE(message.ok()) << message.error().to_string();
  EXPECT_EQ(message->method(), "PAY%41");
}

TEST(RequestLine, RequestUriParts) {
  const std::string text =
      request_with("INVITE sips:merchant@shop.example.net:5061;transport=tcp SIP/2.0");
  const Result<Message> message = parse_message(text);
  ASSERT_TRUE(message.ok()) << message.error().to_string();
  const Uri& uri = message->request_line().request_uri;
  EXPECT_EQ(uri.scheme, UriScheme::kSips);
  EXPECT_EQ(uri.user, "merchant");
  EXPECT_EQ(uri.host, "shop.example.net");
  EXPECT_EQ(uri.port, 5061);
  EXPECT_EQ(uri.params.raw(), ";transport=tcp");
}

TEST(RequestLine, EscapedCharactersInUriKept) {
  // Escapes stay as written in the views (RFC 3261 §19.1.2); an escaped
  // NUL is valid in a user part.
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"INVITE sip:%6Derchant@example.net SIP/2.0", "%6Derchant"},
      {"INVITE sip:shop-%00-till@example.net SIP/2.0", "shop-%00-till"},
      {"INVITE sip:till%20one;lane=4@example.net SIP/2.0", "till%20one;lane=4"},
  };
  for (const auto& [line, user] : cases) {
    SCOPED_TRACE(line);
    const std::string text = request_with(line);
    const Result<Message> message = parse_message(text);
    ASSERT_TRUE(message.ok()) << message.error().to_string();
    EXPECT_EQ(message->request_line().request_uri.user, user);
  }
}

TEST(RequestLine, OtherUriSchemesAreValidSyntax) {
  // RFC 4475 §3.3.2: an unknown scheme is an application-layer matter
  // (416), not a parse error.
  const std::vector<std::string_view> lines = {
      "OPTIONS tel:+1-201-555-0123 SIP/2.0",
      "OPTIONS x-pay:wallet/42?amount=10 SIP/2.0",
      "OPTIONS urn:service:payment SIP/2.0",
      "OPTIONS x.pay+v1://wallet.example.net:3002 SIP/2.0",
  };
  for (std::string_view line : lines) {
    SCOPED_TRACE(line);
    const std::string text = request_with(line);
    const Result<Message> message = parse_message(text);
    ASSERT_TRUE(message.ok()) << message.error().to_string();
    EXPECT_FALSE(message->request_line().request_uri.is_sip_or_sips());
  }
}

TEST(RequestLine, VersionIsCaseInsensitive) {
  const std::string text = request_with("OPTIONS sip:example.net sip/2.0");
  const Result<Message> message = parse_message(text);
  ASSERT_TRUE(message.ok()) << message.error().to_string();
  EXPECT_EQ(message->request_line().version, "sip/2.0");
}

struct InvalidLine {
  std::string_view line;
  int status_code;
  std::size_t offset;  // of the error in the message
};

TEST(RequestLine, InvalidLinesRejected) {
  const std::vector<InvalidLine> cases = {
      // One SP between elements, none at the end (RFC 4475 §3.1.2.9, §3.1.2.10).
      {"INVITE  sip:merchant@example.net SIP/2.0", 400, 7},
      {"INVITE sip:merchant@example.net  SIP/2.0", 400, 32},
      {"INVITE sip:merchant@example.net SIP/2.0 ", 400, 39},
      {"INVITE sip:merchant@example.net SIP/2.0\t", 400, 39},
      {"INVITE\tsip:merchant@example.net SIP/2.0", 400, 6},
      {" INVITE sip:merchant@example.net SIP/2.0", 400, 0},
      // The Request-URI is an addr-spec without brackets or whitespace
      // (RFC 4475 §3.1.2.7, §3.1.2.8).
      {"INVITE <sip:merchant@example.net> SIP/2.0", 400, 7},
      {"INVITE sip:merchant@example.net; lr SIP/2.0", 400, 32},
      {"INVITE sip:mer chant@example.net SIP/2.0", 400, 7},
      // Headers in a Request-URI (RFC 4475 §3.1.2.11).
      {"INVITE sip:merchant@example.net?Route=%3Csip:proxy.example.net%3E SIP/2.0", 400, 31},
      {"INVITE sip:merchant@example.net", 400, 7},
      {"INVITE", 400, 6},
      {"INVITE sip:merchant@example.net ", 400, 32},
      {"@INVITE sip:merchant@example.net SIP/2.0", 400, 0},
      {"INV@ITE sip:merchant@example.net SIP/2.0", 400, 3},
      // Malformed versions are 400, well-formed other versions 505
      // (§21.5.6, RFC 4475 §3.1.2.16).
      {"INVITE sip:merchant@example.net SIP/2", 400, 32},
      {"INVITE sip:merchant@example.net SIP/2.", 400, 32},
      {"INVITE sip:merchant@example.net SIP/.0", 400, 32},
      {"INVITE sip:merchant@example.net SIP/2.0a", 400, 32},
      {"INVITE sip:merchant@example.net SIPS/2.0", 400, 32},
      {"INVITE sip:merchant@example.net HTTP/1.1", 400, 32},
      {"INVITE sip:merchant@example.net SIP/7.0", 505, 32},
      {"INVITE sip:merchant@example.net SIP/2.1", 505, 32},
      {"INVITE sip:merchant@example.net SIP/10.0", 505, 32},
  };
  for (const InvalidLine& c : cases) {
    SCOPED_TRACE(c.line);
    const std::string text = request_with(c.line);
    const Result<Message> message = parse_message(text);
    ASSERT_FALSE(message.ok());
    EXPECT_EQ(message.error().status_code, c.status_code) << message.error().to_string();
    EXPECT_EQ(message.error().offset, c.offset) << message.error().to_string();
    EXPECT_TRUE(message.error().header_name.empty());
  }
}

TEST(RequestLine, MalformedUriIsError) {
  const std::vector<std::string_view> lines = {
      "INVITE sip:merchant@ SIP/2.0",
      "INVITE sip:merchant@example..net SIP/2.0",
      "INVITE sip:mer%4gchant@example.net SIP/2.0",
      "INVITE sip:merchant@example.net:99999 SIP/2.0",
      "INVITE sip: SIP/2.0",
      "INVITE merchant SIP/2.0",
  };
  for (std::string_view line : lines) {
    SCOPED_TRACE(line);
    const std::string text = request_with(line);
    const Result<Message> message = parse_message(text);
    ASSERT_FALSE(message.ok());
    EXPECT_EQ(message.error().status_code, 400);
    EXPECT_GE(message.error().offset, 7u);
    EXPECT_LT(message.error().offset, line.size());
  }
}

TEST(StatusLine, CommonResponses) {
  const std::vector<std::pair<std::string_view, int>> cases = {
      {"SIP/2.0 100 Trying", 100},
      {"SIP/2.0 180 Ringing", 180},
      {"SIP/2.0 200 OK", 200},
      {"SIP/2.0 302 Moved Temporarily", 302},
      {"SIP/2.0 401 Unauthorized", 401},
      {"SIP/2.0 486 Busy Here", 486},
      {"SIP/2.0 503 Service Unavailable", 503},
      {"SIP/2.0 699 Extension Failure", 699},
  };
  for (const auto& [line, code] : cases) {
    SCOPED_TRACE(line);
    const std::string text = response_with(line);
    const Result<Message> message = parse_message(text);
    ASSERT_TRUE(message.ok()) << message.error().to_string();
    EXPECT_FALSE(message->is_request());
    EXPECT_EQ(message->status_code(), code);
    EXPECT_EQ(message->status_line().version, "SIP/2.0");
    EXPECT_EQ(message->status_line().reason_phrase, line.substr(12));
    EXPECT_EQ(message->semantic_error(), nullptr);
  }
}

TEST(StatusLine, UnusualReasonPhrases) {
  const std::vector<std::string_view> reasons = {
      "",                                                   // empty, after the required SP
      "Pagamento recebido, obrigado \xC3\xA0 voc\xC3\xAA",  // UTF-8
      "\xE6\x94\xAF\xE4\xBB\x98\xE6\x88\x90\xE5\x8A\x9F",   // UTF-8, three-byte sequences
      "OK %E2%9C%93 with escapes",
      "Tabs\tand  double  spaces",
      " leading space",
      "Reserved ;/?:@&=+$, and marks -_.!~*'()",
      "Trailing space ",
      "Lone continuation byte \xA9",  // UTF8-CONT is an alternative of its own
  };
  for (std::string_view reason : reasons) {
    SCOPED_TRACE(reason);
    const std::string line = "SIP/2.0 200 " + std::string(reason);
    const std::string text = response_with(line);
    const Result<Message> message = parse_message(text);
    ASSERT_TRUE(message.ok()) << message.error().to_string();
    EXPECT_EQ(message->status_line().reason_phrase, reason);
  }
}

TEST(StatusLine, InvalidLinesRejected) {
  const std::vector<InvalidLine> cases = {
      {"SIP/2.0 200", 400, 11},  // the SP before the reason is required
      {"SIP/2.0 200OK", 400, 11},
      {"SIP/2.0 200\tOK", 400, 11},
      {"SIP/2.0  200 OK", 400, 8},
      {"SIP/2.0 099 Too Low", 400, 8},  // codes are 100 to 699 (§7.2)
      {"SIP/2.0 000 Zero", 400, 8},
      {"SIP/2.0 700 Too High", 400, 8},
      {"SIP/2.0 1000 Four Digits", 400, 8},
      {"SIP/2.0 4294967301 Overflows 32 Bits", 400, 8},  // RFC 4475 §3.1.2.19
      {"SIP/2.0 20 Two Digits", 400, 8},
      {"SIP/2.0 2OO Letters", 400, 8},
      {"SIP/2.0 OK", 400, 8},
      {"SIP/2.0", 400, 0},
      {"SIP/2.0 200 Bad\x01"
       "Control",
       400, 15},
      {"SIP/2.0 200 Bad\x7F"
       "Delete",
       400, 15},
      {"SIP/2.0 200 Escape %4", 400, 19},
      {"SIP/2.0 200 Escape %zz", 400, 19},
      {"SIP/2.0 200 Angle <brackets>", 400, 18},
      {"SIP/2.0 200 Byte \xFF", 400, 17},
      {"SIP/2.0 200 Cut \xE2\x82", 400, 16},
      {"SIP/2.0 200 Cut \xC3"
       "A",
       400, 16},
      {"SIP/2 200 OK", 400, 0},
      {"SIP/2.0.1 200 OK", 400, 0},
      {"SIP/7.0 200 OK", 505, 0},
      {"SIP/3.14 200 OK", 505, 0},
  };
  for (const InvalidLine& c : cases) {
    SCOPED_TRACE(c.line);
    const std::string text = response_with(c.line);
    const Result<Message> message = parse_message(text);
    ASSERT_FALSE(message.ok());
    EXPECT_EQ(message.error().status_code, c.status_code) << message.error().to_string();
    EXPECT_EQ(message.error().offset, c.offset) << message.error().to_string();
  }
}

TEST(StartLine, MissingOrBrokenLineRejected) {
  const std::vector<std::pair<std::string, std::size_t>> cases = {
      {"", 0},
      {"\r\n", 0},
      {"\r\n\r\n", 0},
      {"INVITE sip:merchant@example.net SIP/2.0", 39},           // no line end at all
      {"INVITE sip:merchant@example.net SIP/2.0\r\n", 41},       // no empty line
      {"INVITE sip:merchant@example.net SIP/2.0\n\n", 39},       // bare LF (§7: CRLF only)
      {"INVITE sip:merchant@example.net\rSIP/2.0\r\n\r\n", 31},  // bare CR
  };
  for (const auto& [text, offset] : cases) {
    SCOPED_TRACE(::testing::PrintToString(text));
    const Result<Message> message = parse_message(text);
    ASSERT_FALSE(message.ok());
    EXPECT_EQ(message.error().status_code, 400);
    EXPECT_EQ(message.error().offset, offset) << message.error().to_string();
  }
}

TEST(StartLine, LeadingCrlfRejectedInDatagram) {
  // §7.5 lets stream receivers skip CRLF before a start line; the stream
  // framer does that. A datagram must start with its start line.
  const std::string text = "\r\n" + request_with("OPTIONS sip:example.net SIP/2.0");
  EXPECT_FALSE(parse_message(text).ok());
}

TEST(StartLine, ResponseWithWrongCaseVersionPrefix) {
  // "sip/2.0" is the same version; the line is still a status line.
  const std::string text = response_with("sip/2.0 200 OK");
  const Result<Message> message = parse_message(text);
  ASSERT_TRUE(message.ok()) << message.error().to_string();
  EXPECT_FALSE(message->is_request());
  EXPECT_EQ(message->status_code(), 200);
}

TEST(StartLine, ErrorHasReasonWithoutLineBreaks) {
  const std::string text = request_with("INVITE sip:a@example.net SIP/7.0");
  const Result<Message> message = parse_message(text);
  ASSERT_FALSE(message.ok());
  EXPECT_FALSE(message.error().reason.empty());
  const std::string reason = message.error().to_string();
  EXPECT_EQ(reason.find_first_of("\r\n"), std::string::npos);
  EXPECT_NE(reason.find("SIP/7.0"), std::string::npos) << reason;
}

}  // namespace
}  // namespace sippay::sip
