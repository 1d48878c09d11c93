#include "proxy/unparsable_reply.hpp"

#include <gtest/gtest.h>

#include "sip/message.hpp"

namespace sippay::proxy {
namespace {

TEST(UnparsableReplyTest, CopiesTransactionHeaders) {
  const std::string broken =
      "MESSAGE sip:bob@pay.test SIP/2.0\r\n"
      "v: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-a\r\n"
      "Max-Forwards: many\r\n"
      "From: <sip:alice@pay.test>;tag=f\r\n"
      "To: <sip:bob@pay.test>\r\n"
      "Call-ID: c1\r\n"
      "CSeq: 1 MESSAGE\r\n"
      "\r\n";

  const auto reply = build_unparsable_reply(broken, 400, "Bad Request");

  ASSERT_TRUE(reply);
  auto parsed = sip::parse_message_owned(*reply);
  ASSERT_TRUE(parsed.ok()) << *reply;
  EXPECT_EQ(parsed.value().status_code(), 400);
  ASSERT_EQ(parsed.value().vias().size(), 1U);
  EXPECT_EQ(parsed.value().vias()[0].branch, "z9hG4bK-a");
  EXPECT_EQ(parsed.value().call_id(), "c1");
  EXPECT_EQ(parsed.value().find_header("Max-Forwards"), nullptr);
}

TEST(UnparsableReplyTest, NoReplyWithoutVia) {
  EXPECT_FALSE(build_unparsable_reply("MESSAGE sip:b@x SIP/2.0\r\nCall-ID: c\r\n\r\n", 400, "Bad Request"));
}

TEST(UnparsableReplyTest, NoReplyToResponse) {
  EXPECT_FALSE(build_unparsable_reply("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKa\r\n\r\n", 400, "x"));
}

TEST(UnparsableReplyTest, NoReplyWithControlCharacters) {
  EXPECT_FALSE(build_unparsable_reply("MESSAGE sip:b@x SIP/2.0\r\nVia: SIP/2.0/UDP h\x01;branch=z9hG4bKa\r\n\r\n",
                                      400, "x"));
}

TEST(UnparsableReplyTest, ReasonPhraseDropsForbiddenCharacters) {
  EXPECT_EQ(to_reason_phrase("bad \"value\" <x>\r\n"), "bad  value   x   ");
  EXPECT_EQ(to_reason_phrase(std::string(500, 'a')).size(), 200U);
}

}  // namespace
}  // namespace sippay::proxy
