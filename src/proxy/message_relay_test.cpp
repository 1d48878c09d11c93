#include "proxy/message_relay.hpp"

#include <gtest/gtest.h>

namespace sippay::proxy {
namespace {

const char* const kRequest =
    "MESSAGE sip:bob@pay.test SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bK-a;rport\r\n"
    "Max-Forwards: 10\r\n"
    "Route: <sip:127.0.0.1:5060;lr>, <sip:next.test;lr>\r\n"
    "From: <sip:alice@pay.test>;tag=f\r\n"
    "To: <sip:bob@pay.test>\r\n"
    "Call-ID: c1\r\n"
    "CSeq: 2 MESSAGE\r\n"
    "Proxy-Authorization: Digest username=\"alice\", realm=\"pay.test\", nonce=\"n\", uri=\"sip:bob@pay.test\", response=\"0123456789abcdef0123456789abcdef\"\r\n"
    "l: 5\r\n"
    "\r\n"
    "hello";

sip::Message parse(const std::string& text) {
  auto parsed = sip::parse_message_owned(text);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().to_string());
  return parsed.ok() ? parsed.value() : sip::Message();
}

TEST(MessageRelayTest, ForwardedRequestRewritesHeaders) {
  const sip::Message request = parse(kRequest);
  ForwardSpec spec;
  spec.request_uri = "sip:bob@192.0.2.9:5070";
  spec.via = "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKsp1.00";
  spec.routes_to_remove = 1;
  spec.consumed_proxy_authorization = 0;

  const sip::Message forwarded = parse(build_forwarded_request(request, spec));

  EXPECT_EQ(forwarded.request_line().request_uri.text, "sip:bob@192.0.2.9:5070");
  ASSERT_EQ(forwarded.vias().size(), 2U);
  EXPECT_EQ(forwarded.vias()[0].branch, "z9hG4bKsp1.00");
  EXPECT_EQ(forwarded.vias()[1].branch, "z9hG4bK-a");
  EXPECT_EQ(forwarded.max_forwards(), 9U);
  ASSERT_EQ(forwarded.routes().size(), 1U);
  EXPECT_EQ(forwarded.routes()[0].uri.host, "next.test");
  EXPECT_TRUE(forwarded.proxy_authorization().empty());
  EXPECT_EQ(forwarded.call_id(), "c1");
  EXPECT_EQ(forwarded.body(), "hello");
  EXPECT_EQ(forwarded.content_length(), 5U);
}

TEST(MessageRelayTest, UnconsumedCredentialsStay) {
  const sip::Message request = parse(kRequest);
  ForwardSpec spec;
  spec.request_uri = "sip:bob@192.0.2.9";
  spec.via = "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx";

  const sip::Message forwarded = parse(build_forwarded_request(request, spec));

  EXPECT_EQ(forwarded.proxy_authorization().size(), 1U);
  EXPECT_EQ(forwarded.routes().size(), 2U);
}

TEST(MessageRelayTest, RelayedResponseLosesTopVia) {
  const sip::Message response = parse(
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKsp1.00, SIP/2.0/UDP 192.0.2.7;branch=z9hG4bK-a\r\n"
      "From: <sip:alice@pay.test>;tag=f\r\n"
      "To: <sip:bob@pay.test>;tag=t\r\n"
      "Call-ID: c1\r\n"
      "CSeq: 2 MESSAGE\r\n"
      "Content-Length: 0\r\n\r\n");

  const sip::Message relayed = parse(build_relayed_response(response));

  EXPECT_EQ(relayed.status_code(), 200);
  ASSERT_EQ(relayed.vias().size(), 1U);
  EXPECT_EQ(relayed.vias()[0].branch, "z9hG4bK-a");
  EXPECT_EQ(relayed.to()->tag, "t");
}

TEST(MessageRelayTest, LoopHashFollowsRequestUri) {
  const sip::Message request = parse(kRequest);
  std::string other_text = kRequest;
  other_text.replace(other_text.find("sip:bob@pay.test SIP"), 16, "sip:bob@pay.tesu");
  const sip::Message other = parse(other_text);

  EXPECT_EQ(loop_detection_hash(request), loop_detection_hash(parse(kRequest)));
  EXPECT_NE(loop_detection_hash(request), loop_detection_hash(other));
}

TEST(MessageRelayTest, BranchCarriesLoopHash) {
  const std::string branch = make_branch("ab12", 7, 0x1234);

  EXPECT_TRUE(branch.starts_with("z9hG4bK"));
  EXPECT_TRUE(branch_has_loop_hash(branch, 0x1234));
  EXPECT_FALSE(branch_has_loop_hash(branch, 0x1235));
  EXPECT_FALSE(branch_has_loop_hash("z9hG4bK-no-hash", 0x1234));
}

}  // namespace
}  // namespace sippay::proxy
