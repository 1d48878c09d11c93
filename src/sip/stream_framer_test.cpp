// StreamFramer: messages cut from a TCP or TLS byte stream by Content-Length
// (RFC 3261 §18.3), RFC 5626 §3.5.1 keep-alives, limits and failure.
#include "sip/stream_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sip/message.hpp"
#include "sip/message_test_support.hpp"

namespace sippay::sip {
namespace {

using Event = StreamFramer::Event;
using test_support::request_with;
using test_support::response_with;

// Drains `framer`: every event up to and including kNeedMore or kError,
// with each message copied out.
struct Drained {
  std::vector<Event> events;
  std::vector<std::string> messages;
};

Drained drain(StreamFramer& framer) {
  Drained out;
  while (true) {
    const Event event = framer.next();
    out.events.push_back(event);
    if (event == Event::kMessage) out.messages.emplace_back(framer.message());
    if (event == Event::kNeedMore || event == Event::kError) return out;
  }
}

const std::string kInvite = request_with("INVITE sip:merchant@example.net SIP/2.0",
                                         {"Content-Type: application/sdp"}, "v=0\r\n\r\n\r\nbody");
const std::string kOk = response_with("SIP/2.0 200 OK");

TEST(StreamFramer, EmptyNeedsMore) {
  StreamFramer framer;
  EXPECT_EQ(framer.next(), Event::kNeedMore);
  framer.feed("");
  EXPECT_EQ(framer.next(), Event::kNeedMore);
  EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(StreamFramer, WholeMessageInOneFeed) {
  StreamFramer framer;
  framer.feed(kInvite);
  ASSERT_EQ(framer.next(), Event::kMessage);
  EXPECT_EQ(framer.message(), kInvite);
  const Result<Message> parsed = parse_message(framer.message(), {}, Framing::kStream);
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_string();
  EXPECT_EQ(parsed->body(), "v=0\r\n\r\n\r\nbody");
  EXPECT_EQ(framer.next(), Event::kNeedMore);
  EXPECT_EQ(framer.buffered_bytes(), 0u);
}

TEST(StreamFramer, ByteByByte) {
  StreamFramer framer;
  const std::string stream = kInvite + kOk;
  std::vector<std::string> messages;
  for (char c : stream) {
    framer.feed(std::string_view(&c, 1));
    const Drained drained = drain(framer);
    ASSERT_EQ(drained.events.back(), Event::kNeedMore);
    messages.insert(messages.end(), drained.messages.begin(), drained.messages.end());
  }
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0], kInvite);
  EXPECT_EQ(messages[1], kOk);
}

TEST(StreamFramer, SplitAtEveryPoint) {
  const std::string stream = kOk + kInvite;
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    SCOPED_TRACE(split);
    StreamFramer framer;
    framer.feed(std::string_view(stream).substr(0, split));
    Drained first = drain(framer);
    framer.feed(std::string_view(stream).substr(split));
    const Drained second = drain(framer);
    first.messages.insert(first.messages.end(), second.messages.begin(), second.messages.end());
    ASSERT_EQ(first.messages.size(), 2u);
    EXPECT_EQ(first.messages[0], kOk);
    EXPECT_EQ(first.messages[1], kInvite);
  }
}

TEST(StreamFramer, PipelinedInOneFeed) {
  StreamFramer framer;
  framer.feed(kInvite + kOk + kInvite);
  const Drained drained = drain(framer);
  const std::vector<Event> expected = {Event::kMessage, Event::kMessage, Event::kMessage,
                                       Event::kNeedMore};
  EXPECT_EQ(drained.events, expected);
  ASSERT_EQ(drained.messages.size(), 3u);
  EXPECT_EQ(drained.messages[0], kInvite);
  EXPECT_EQ(drained.messages[1], kOk);
  EXPECT_EQ(drained.messages[2], kInvite);
}

TEST(StreamFramer, MessageViewValidUntilNextFeed) {
  StreamFramer framer;
  framer.feed(kOk + kOk.substr(0, 10));
  ASSERT_EQ(framer.next(), Event::kMessage);
  const std::string_view view = framer.message();
  EXPECT_EQ(view, kOk);
  EXPECT_EQ(framer.buffered_bytes(), 10u);
}

TEST(StreamFramer, PingAndPongBetweenMessages) {
  StreamFramer framer;
  framer.feed("\r\n\r\n" + kOk + "\r\n" + kInvite + "\r\n\r\n\r\n");
  const Drained drained = drain(framer);
  const std::vector<Event> expected = {Event::kPing,    Event::kMessage, Event::kPong,
                                       Event::kMessage, Event::kPing,    Event::kPong,
                                       Event::kNeedMore};
  EXPECT_EQ(drained.events, expected);
  ASSERT_EQ(drained.messages.size(), 2u);
  EXPECT_EQ(drained.messages[0], kOk);
  EXPECT_EQ(drained.messages[1], kInvite);
}

TEST(StreamFramer, PingSplitAfterThreeBytes) {
  StreamFramer framer;
  framer.feed("\r\n\r");
  EXPECT_EQ(framer.next(), Event::kNeedMore);
  framer.feed("\n");
  EXPECT_EQ(framer.next(), Event::kPing);
  EXPECT_EQ(framer.next(), Event::kNeedMore);
}

TEST(StreamFramer, LoneCrWaitsForLf) {
  StreamFramer framer;
  framer.feed("\r");
  EXPECT_EQ(framer.next(), Event::kNeedMore);
  framer.feed("\n");
  EXPECT_EQ(framer.next(), Event::kPong);
}

TEST(StreamFramer, PingSplitInHalvesReadsAsTwoPongs) {
  // NOTE: the framer cannot tell a ping split after its first CRLF from two
  // pongs. It reports the first CRLF at once, so a pong is never delayed.
  StreamFramer framer;
  framer.feed("\r\n");
  EXPECT_EQ(framer.next(), Event::kPong);
  framer.feed("\r\n");
  EXPECT_EQ(framer.next(), Event::kPong);
}

TEST(StreamFramer, CompactContentLength) {
  const std::string text = request_with("MESSAGE sip:merchant@example.net SIP/2.0", {}, "hello");
  std::string compact = text;
  compact.replace(compact.find("Content-Length:"), 15, "l  :");
  StreamFramer framer;
  framer.feed(compact + kOk);
  ASSERT_EQ(framer.next(), Event::kMessage);
  EXPECT_EQ(framer.message(), compact);
  ASSERT_EQ(framer.next(), Event::kMessage);
  EXPECT_EQ(framer.message(), kOk);
}

TEST(StreamFramer, FoldedContentLength) {
  std::string text = request_with("MESSAGE sip:merchant@example.net SIP/2.0", {}, "hello");
  text.replace(text.find("Content-Length: 5"), 17, "content-length:\r\n 5");
  StreamFramer framer;
  framer.feed(text);
  ASSERT_EQ(framer.next(), Event::kMessage);
  EXPECT_EQ(framer.message(), text);
}

TEST(StreamFramer, ContentLengthNameInOtherPlacesIgnored) {
  // "Content-Length" in the start line or inside another value frames nothing.
  const std::string text = request_with("OPTIONS sip:Content-Length@example.net SIP/2.0",
                                        {"Subject: Content-Length: 900", "X-Content-Length: 900"});
  StreamFramer framer;
  framer.feed(text);
  ASSERT_EQ(framer.next(), Event::kMessage);
  EXPECT_EQ(framer.message(), text);
}

struct FramerError {
  std::string_view name;
  std::string stream;
  int status_code;
  std::size_t offset;
};

std::string replace_length(std::string_view header) {
  std::string text = request_with("MESSAGE sip:merchant@example.net SIP/2.0", {}, "hello");
  const std::size_t at = text.find("Content-Length: 5\r\n");
  text.replace(at, 19, std::string(header));
  return text;
}

TEST(StreamFramer, ContentLengthErrors) {
  const std::string base = request_with("MESSAGE sip:merchant@example.net SIP/2.0", {}, "hello");
  const std::size_t field = base.find("Content-Length");
  const std::vector<FramerError> cases = {
      {"missing", replace_length(""), 400, base.size() - 5 - 19},
      {"negative", replace_length("Content-Length: -5\r\n"), 400, field},
      {"not a number", replace_length("Content-Length: five\r\n"), 400, field},
      {"empty", replace_length("Content-Length:\r\n"), 400, field},
      {"over 32 bits", replace_length("Content-Length: 4294967296\r\n"), 400, field},
      {"repeated", replace_length("Content-Length: 5\r\nl: 5\r\n"), 400, field + 19},
  };
  for (const FramerError& c : cases) {
    SCOPED_TRACE(c.name);
    StreamFramer framer;
    framer.feed(c.stream);
    ASSERT_EQ(framer.next(), Event::kError);
    EXPECT_EQ(framer.error().status_code, c.status_code) << framer.error().to_string();
    EXPECT_EQ(framer.error().offset, c.offset) << framer.error().to_string();
    EXPECT_FALSE(framer.error().reason.empty());
  }
}

ParseLimits small_limits() {
  ParseLimits limits;
  limits.max_message_bytes = 512;
  return limits;
}

TEST(StreamFramer, HeaderSectionOverLimitWithoutEnd) {
  // Headers that never end: rejected once they pass the limit, without
  // buffering more than the limit plus one feed.
  StreamFramer framer(small_limits());
  framer.feed("INVITE sip:merchant@example.net SIP/2.0\r\n");
  EXPECT_EQ(framer.next(), Event::kNeedMore);
  const std::string line = "X-Filler: " + std::string(40, 'f') + "\r\n";
  Event event = Event::kNeedMore;
  std::size_t fed = 0;
  while (event == Event::kNeedMore && fed < 10'000) {
    framer.feed(line);
    fed += line.size();
    event = framer.next();
    EXPECT_LE(framer.buffered_bytes(), 512u + line.size());
  }
  ASSERT_EQ(event, Event::kError);
  EXPECT_EQ(framer.error().status_code, 513);
  EXPECT_LE(fed, 512u + line.size());
}

TEST(StreamFramer, MessageOverLimitRejectedBeforeBody) {
  StreamFramer framer(small_limits());
  const std::string head = replace_length("Content-Length: 100000\r\n");
  framer.feed(head.substr(0, head.size() - 5));  // the header section only
  ASSERT_EQ(framer.next(), Event::kError);
  EXPECT_EQ(framer.error().status_code, 513);
  EXPECT_NE(framer.error().reason.find("512"), std::string::npos) << framer.error().reason;
}

TEST(StreamFramer, MessageAtLimitAccepted) {
  const std::string head = replace_length("Content-Length: 100\r\n");
  const std::size_t header_size = head.size() - 5;
  ParseLimits limits;
  limits.max_message_bytes = header_size + 100;
  StreamFramer framer(limits);
  framer.feed(head.substr(0, header_size) + std::string(100, 'b'));
  EXPECT_EQ(framer.next(), Event::kMessage);

  limits.max_message_bytes = header_size + 99;
  StreamFramer strict(limits);
  strict.feed(head.substr(0, header_size));
  ASSERT_EQ(strict.next(), Event::kError);
  EXPECT_EQ(strict.error().status_code, 513);
}

TEST(StreamFramer, ErrorIsFinal) {
  StreamFramer framer;
  framer.feed(kOk + replace_length("") + kOk);
  ASSERT_EQ(framer.next(), Event::kMessage);
  ASSERT_EQ(framer.next(), Event::kError);
  EXPECT_EQ(framer.message(), "");
  EXPECT_EQ(framer.buffered_bytes(), 0u);

  // Later bytes are dropped and the error stays.
  framer.feed(kOk);
  EXPECT_EQ(framer.buffered_bytes(), 0u);
  EXPECT_EQ(framer.next(), Event::kError);
  EXPECT_EQ(framer.next(), Event::kError);
  EXPECT_EQ(framer.error().status_code, 400);
  EXPECT_NE(framer.error().reason.find("Content-Length"), std::string::npos);
}

TEST(StreamFramer, GarbageFramedThenRejectedByParser) {
  // The framer only cuts; the parser judges what it cut.
  const std::string garbage = "NOT SIP AT ALL\r\nl: 3\r\n\r\nabc";
  StreamFramer framer;
  framer.feed(garbage + kOk);
  ASSERT_EQ(framer.next(), Event::kMessage);
  EXPECT_EQ(framer.message(), garbage);
  EXPECT_FALSE(parse_message(framer.message(), {}, Framing::kStream).ok());
  ASSERT_EQ(framer.next(), Event::kMessage);
  EXPECT_TRUE(parse_message(framer.message(), {}, Framing::kStream).ok());
}

TEST(StreamFramer, ManySmallFeedsOfLargeHeader) {
  // A header section trickled in one byte at a time is still found; each
  // byte is searched once, so this runs in linear time.
  ParseLimits limits;
  const std::string big = request_with("MESSAGE sip:merchant@example.net SIP/2.0",
                                       {"X-Big: " + std::string(60'000, 'x')}, "tail");
  ASSERT_LT(big.size(), limits.max_message_bytes);
  StreamFramer framer(limits);
  std::size_t messages = 0;
  for (char c : big) {
    framer.feed(std::string_view(&c, 1));
    if (framer.next() == Event::kMessage) ++messages;
  }
  EXPECT_EQ(messages, 1u);
}

}  // namespace
}  // namespace sippay::sip
