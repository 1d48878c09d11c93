// Message framing: line endings (RFC 3261 §7), the body and Content-Length
// on datagram and stream transports (§18.3, §20.14), and ParseLimits.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sip/message.hpp"
#include "sip/message_test_support.hpp"

namespace sippay::sip {
namespace {

using namespace std::string_view_literals;
using test_support::join_message;
using test_support::request_with;

// A MESSAGE request with every required header, `length_header` (omitted
// when empty) and then `body`.
std::string message_with_length(std::string_view length_header, std::string_view body) {
  std::string text =
      "MESSAGE sip:merchant@example.net SIP/2.0\r\n"
      "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKbody\r\n"
      "From: <sip:payer@example.com>;tag=1\r\n"
      "To: <sip:merchant@example.net>\r\n"
      "Call-ID: body-1\r\n"
      "CSeq: 1 MESSAGE\r\n";
  if (!length_header.empty()) {
    text.append(length_header);
    text.append("\r\n");
  }
  text.append("\r\n");
  text.append(body);
  return text;
}

TEST(MessageBody, ContentLengthFramesBody) {
  const std::string text = message_with_length("Content-Length: 5", "hello");
  for (Framing framing : {Framing::kDatagram, Framing::kStream}) {
    const Result<Message> m = parse_message(text, {}, framing);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_EQ(m->body(), "hello");
    EXPECT_EQ(m->content_length(), 5u);
    EXPECT_EQ(m->size_bytes(), text.size());
  }
}

TEST(MessageBody, ZeroLengthBody) {
  const std::string text = message_with_length("Content-Length: 0", "");
  const Result<Message> m = parse_message(text, {}, Framing::kStream);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_TRUE(m->body().empty());
  EXPECT_EQ(m->content_length(), 0u);
}

TEST(MessageBody, BinaryBodyFramedByLength) {
  // NUL, bare CR, bare LF and an empty line inside the body are body bytes.
  const std::string_view body = "\0\x01\r\n\r\nINVITE\n\r\xFF\0"sv;
  const std::string text = message_with_length("Content-Length: 16", body);
  ASSERT_EQ(body.size(), 16u);
  for (Framing framing : {Framing::kDatagram, Framing::kStream}) {
    const Result<Message> m = parse_message(text, {}, framing);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    EXPECT_EQ(m->body(), body);
  }
}

TEST(MessageBody, MissingContentLengthOnDatagramTakesRest) {
  // §18.3: without Content-Length a datagram's body runs to its end.
  const std::string text = message_with_length("", "rest of the\r\ndatagram");
  const Result<Message> m = parse_message(text);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->body(), "rest of the\r\ndatagram");
  EXPECT_FALSE(m->content_length().has_value());
  EXPECT_EQ(m->size_bytes(), text.size());
}

TEST(MessageBody, MissingContentLengthOnStreamIsError) {
  const std::string text = message_with_length("", "");
  const Result<Message> m = parse_message(text, {}, Framing::kStream);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().status_code, 400);
  EXPECT_EQ(m.error().header_name, "Content-Length");
  EXPECT_EQ(m.error().offset, text.size());
}

TEST(MessageBody, ContentLengthLargerThanBodyIsError) {
  // RFC 4475 §3.1.2.2: the message is truncated or the length is wrong.
  const std::string text = message_with_length("Content-Length: 9999", "short");
  for (Framing framing : {Framing::kDatagram, Framing::kStream}) {
    const Result<Message> m = parse_message(text, {}, framing);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().status_code, 400);
    EXPECT_EQ(m.error().header_name, "Content-Length");
    EXPECT_EQ(m.error().offset, text.size() - 5);
  }
}

TEST(MessageBody, ContentLengthSmallerDiscardsRestOfDatagram) {
  // §18.3: bytes past Content-Length in a datagram are discarded (RFC 4475
  // §3.1.1.8 sends a second message there).
  const std::string second = request_with("OPTIONS sip:example.net SIP/2.0");
  const std::string text = message_with_length("l: 4", "body" + second);
  const Result<Message> m = parse_message(text);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->body(), "body");
  EXPECT_EQ(m->size_bytes(), text.size() - second.size());
  EXPECT_EQ(m->method(), "MESSAGE");
}

TEST(MessageBody, InvalidContentLengthValues) {
  // RFC 4475 §3.1.2.3 negative Content-Length, and other non-numbers.
  const std::vector<std::string_view> headers = {
      "Content-Length: -5",
      "Content-Length: +5",
      "Content-Length: 5 5",
      "Content-Length: 0x5",
      "Content-Length:",
      "Content-Length: five",
      "Content-Length: 5;x",
      "Content-Length: 4294967296",
      "Content-Length: 99999999999999999999999999999",
  };
  for (std::string_view header : headers) {
    SCOPED_TRACE(header);
    const std::string text = message_with_length(header, "hello");
    const Result<Message> m = parse_message(text);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().status_code, 400);
    EXPECT_EQ(m.error().header_name, "Content-Length");
  }
}

TEST(MessageBody, ContentLengthWithLeadingZerosAndWhitespace) {
  const std::string text = message_with_length("Content-Length :\t 0005 ", "hello");
  const Result<Message> m = parse_message(text, {}, Framing::kStream);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->body(), "hello");
}

TEST(MessageLineEndings, BareLfRejectedEverywhere) {
  struct Case {
    std::string text;
    std::string_view where;
  };
  const std::string good = request_with("OPTIONS sip:example.net SIP/2.0");
  const auto replace_first = [&](std::string_view from, std::string_view to) {
    std::string text = good;
    const std::size_t at = text.find(from);
    text.replace(at, from.size(), to);
    return text;
  };
  const std::vector<Case> cases = {
      {replace_first("SIP/2.0\r\n", "SIP/2.0\n"), "start line"},
      {replace_first("z9hG4bK74bf9\r\n", "z9hG4bK74bf9\n"), "Via line"},
      {replace_first("Content-Length: 0\r\n\r\n", "Content-Length: 0\r\n\n"), "empty line"},
      {replace_first("Content-Length: 0\r\n\r\n", "Content-Length: 0\n\n"), "last two lines"},
      {replace_first("Max-Forwards: 70\r\n", "Max-Forwards: 70\n\t"), "fold"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.where);
    const Result<Message> m = parse_message(c.text);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().status_code, 400);
    ASSERT_LT(m.error().offset, c.text.size());
    EXPECT_EQ(c.text[m.error().offset], '\n') << m.error().to_string();
  }
}

TEST(MessageLineEndings, BareCrInHeaderValueRejected) {
  const std::string text = request_with("OPTIONS sip:example.net SIP/2.0", {"Subject: a\rb"});
  const Result<Message> m = parse_message(text);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().header_name, "Subject");
  EXPECT_EQ(m.error().offset, text.find("a\rb") + 1);
}

TEST(MessageLineEndings, NoEmptyLineBeforeEnd) {
  std::string text = request_with("OPTIONS sip:example.net SIP/2.0");
  text.resize(text.size() - 2);  // drop the empty line
  const Result<Message> m = parse_message(text);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().offset, text.size());
}

TEST(MessageLineEndings, FirstHeaderLineStartsWithWhitespace) {
  // A continuation line right after the start line continues no header field.
  const std::string text = "OPTIONS sip:example.net SIP/2.0\r\n Via: x\r\n\r\n";
  const Result<Message> m = parse_message(text);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().offset, text.find(" Via"));
  EXPECT_NE(m.error().reason.find("starts with whitespace"), std::string::npos)
      << m.error().reason;
}

TEST(MessageLineEndings, FirstHeaderLineWithWhitespaceAndNoLineEnd) {
  // The missing line end is reported before the leading whitespace.
  const std::string text = "OPTIONS sip:example.net SIP/2.0\r\n Via: x";
  const Result<Message> m = parse_message(text);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().offset, text.size());
  EXPECT_NE(m.error().reason.find("message ends"), std::string::npos) << m.error().reason;
}

TEST(MessageLineEndings, FoldOnlyLineContinuesValue) {
  // A continuation line of whitespace only is LWS inside the value.
  const std::string text =
      request_with("OPTIONS sip:example.net SIP/2.0", {"Subject: a\r\n \r\n b"});
  const Result<Message> m = parse_message(text);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->find_header("Subject")->value, "a\r\n \r\n b");
}

ParseLimits small_limits() {
  ParseLimits limits;
  limits.max_message_bytes = 1024;
  limits.max_header_count = 12;
  limits.max_header_line_bytes = 100;
  return limits;
}

TEST(MessageLimits, MessageSizeAtAndOverLimit) {
  // A body that brings the message to exactly 1024 bytes; its length has
  // three digits, as the placeholder has.
  const std::size_t body_size = 1024 - message_with_length("Content-Length: 100", "").size();
  ASSERT_GE(body_size, 100u);
  ASSERT_LE(body_size, 999u);
  const std::string body(body_size, 'x');
  const std::string at_limit =
      message_with_length("Content-Length: " + std::to_string(body_size), body);
  ASSERT_EQ(at_limit.size(), 1024u);
  EXPECT_TRUE(parse_message(at_limit, small_limits()).ok());

  const std::string over = at_limit + "y";
  const Result<Message> m = parse_message(over, small_limits());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().status_code, 513);
  EXPECT_EQ(m.error().offset, 1024u);
  EXPECT_NE(m.error().reason.find("1025"), std::string::npos) << m.error().reason;
}

TEST(MessageLimits, DatagramBytesPastBodyCountTowardLimit) {
  const std::string text = message_with_length("Content-Length: 0", std::string(2000, 'z'));
  const Result<Message> m = parse_message(text, small_limits());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().status_code, 513);
}

TEST(MessageLimits, HeaderCount) {
  // message_with_length writes 5 headers plus Content-Length.
  std::string at_limit_headers = "Content-Length: 0";
  for (int i = 0; i < 6; ++i) at_limit_headers.insert(0, "X-H: " + std::to_string(i) + "\r\n");
  const std::string at_limit = message_with_length(at_limit_headers, "");
  const Result<Message> ok = parse_message(at_limit, small_limits());
  ASSERT_TRUE(ok.ok()) << ok.error().to_string();
  EXPECT_EQ(ok->headers().size(), 12u);

  const std::string over = message_with_length("X-H: 6\r\n" + at_limit_headers, "");
  const Result<Message> m = parse_message(over, small_limits());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().status_code, 513);
  EXPECT_EQ(m.error().offset, over.find("Content-Length"));
}

TEST(MessageLimits, RepeatedListHeaderLinesCountEach) {
  std::string vias;
  for (int i = 0; i < 8; ++i)
    vias += "Via: SIP/2.0/UDP p" + std::to_string(i) + ".example.net;branch=z9hG4bK" +
            std::to_string(i) + "\r\n";
  const std::string text = message_with_length(vias + "Content-Length: 0", "");
  const Result<Message> m = parse_message(text, small_limits());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().status_code, 513);
}

TEST(MessageLimits, HeaderLineLength) {
  // The limit counts the whole field, name to the end of its last folded line.
  const std::string name = "Subject: ";
  const std::string at_limit = name + std::string(100 - name.size(), 's');
  const std::string at_text = request_with("OPTIONS sip:example.net SIP/2.0", {at_limit});
  EXPECT_TRUE(parse_message(at_text, small_limits()).ok());

  const std::vector<std::string> over = {
      at_limit + "s",
      name + std::string(50, 's') + "\r\n " + std::string(50 - name.size(), 's'),
  };
  for (const std::string& header : over) {
    SCOPED_TRACE(header);
    const std::string text = request_with("OPTIONS sip:example.net SIP/2.0", {header});
    const Result<Message> m = parse_message(text, small_limits());
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().status_code, 513);
    EXPECT_EQ(m.error().offset, text.find("Subject"));
  }
}

TEST(MessageLimits, StartLineLength) {
  const std::string prefix = "OPTIONS sip:";
  const std::string suffix = " SIP/2.0";
  // A host name of short labels that brings the start line to 100 bytes.
  std::string host;
  while (host.size() < 100 - prefix.size() - suffix.size())
    host += host.size() % 8 == 7 ? '.' : 'h';
  const std::string at_text = request_with(prefix + host + suffix);
  EXPECT_TRUE(parse_message(at_text, small_limits()).ok());

  const std::string over_text = request_with(prefix + host + "h" + suffix);
  const Result<Message> m = parse_message(over_text, small_limits());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().status_code, 513);
  EXPECT_EQ(m.error().offset, 0u);
}

TEST(MessageLimits, LongValuesUnderDefaultLimits) {
  // RFC 4475 §3.1.1.7: long values are valid as long as they fit.
  const std::string tag(4000, 'T');
  const std::string text = request_with(
      "INVITE sip:merchant@example.net SIP/2.0",
      {"Contact: <sip:" + std::string(2000, 'u') + "@192.0.2.4>",
       "X-Long: " + std::string(8000, 'v'), "Route: <sip:p1.example.net;lr;tag=" + tag + ">"});
  const Result<Message> m = parse_message(text);
  ASSERT_TRUE(m.ok()) << m.error().to_string();
  EXPECT_EQ(m->contacts()[0].address.uri.user.size(), 2000u);
}

}  // namespace
}  // namespace sippay::sip
