// Canonical serialization of parsed messages: exact output for a few
// messages, and parse → serialize → parse stability over a varied table.
#include "sip/serializer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sip/message.hpp"
#include "sip/message_test_support.hpp"

namespace sippay::sip {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;
using test_support::join_message;
using test_support::request_with;
using test_support::response_with;

// Parses `text` as a datagram and returns its canonical form, or the parse
// error prefixed with "ERROR: " so that a failing comparison shows it.
std::string canonical(const std::string& text) {
  const Result<Message> message = parse_message(text);
  if (!message) return "ERROR: " + message.error().to_string();
  return serialize(*message);
}

TEST(SerializerCanonical, CompactNamesAndWhitespace) {
  const std::string input = join_message(
      {
          "INVITE sip:merchant@Shop.Example.NET SIP/2.0",
          "v: SIP / 2.0 / udp  PC.example.com : 5060 ; branch = z9hG4bK1 ; rport,SIP/2.0/tcp "
          "p2;branch=z9hG4bK2",
          "f: \"Payer\r\n  One\"   <sip:payer@example.com>;tag=1",
          "t:  Merchant   Shop <sip:merchant@example.net>",
          "i: abc@pc.example.com",
          "CSeq:   000042    INVITE",
          "Max-Forwards: 070",
          "m: sip:payer@192.0.2.4;expires=60;q=0.5",
          "Subject: one\r\n  two",
          "X-Custom :  value  with  spaces  ",
          "k: timer,100rel",
          "c: application/sdp ; charset = \"utf-8\"",
          "l: 4",
      },
      "v=0\n");
  const std::string expected = join_message(
      {
          "INVITE sip:merchant@shop.example.net SIP/2.0",
          "Via: SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bK1;rport",
          "Via: SIP/2.0/TCP p2;branch=z9hG4bK2",
          "From: \"Payer One\" <sip:payer@example.com>;tag=1",
          "To: Merchant Shop <sip:merchant@example.net>",
          "Call-ID: abc@pc.example.com",
          "CSeq: 42 INVITE",
          "Max-Forwards: 70",
          "Contact: <sip:payer@192.0.2.4>;expires=60;q=0.5",
          "Subject: one two",
          "X-Custom: value  with  spaces",
          "Supported: timer, 100rel",
          "Content-Type: application/sdp;charset=\"utf-8\"",
          "Content-Length: 4",
      },
      "v=0\n");
  EXPECT_EQ(canonical(input), expected);
}

TEST(SerializerCanonical, ResponseWithChallenge) {
  const std::string input = join_message({
      "sip/2.0 401 Nicht autorisiert \xE2\x80\x94 bitte anmelden",
      "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKc;received=192.0.2.1",
      "From: <sip:payer@example.com>;tag=1",
      "To: <sip:merchant@example.net>;tag=2",
      "Call-ID: challenge-1",
      "CSeq: 1 REGISTER",
      "WWW-Authenticate: Digest realm=\"example.net\" ,\r\n  nonce=\"ab12\",algorithm=SHA-256, "
      "qop=\"auth\"",
      "Content-Length: 0",
  });
  const std::string expected = join_message({
      "SIP/2.0 401 Nicht autorisiert \xE2\x80\x94 bitte anmelden",
      "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKc;received=192.0.2.1",
      "From: <sip:payer@example.com>;tag=1",
      "To: <sip:merchant@example.net>;tag=2",
      "Call-ID: challenge-1",
      "CSeq: 1 REGISTER",
      "WWW-Authenticate: Digest realm=\"example.net\", nonce=\"ab12\", algorithm=SHA-256, "
      "qop=\"auth\"",
      "Content-Length: 0",
  });
  EXPECT_EQ(canonical(input), expected);
}

TEST(SerializerCanonical, EmptyReasonPhraseKeepsSpace) {
  const std::string input = response_with("SIP/2.0 100 ");
  const std::string output = canonical(input);
  EXPECT_TRUE(output.starts_with("SIP/2.0 100 \r\n")) << output;
}

TEST(SerializerCanonical, ContentLengthAddedWhenAbsent) {
  const std::string input = join_message(
      {
          "MESSAGE sip:merchant@example.net SIP/2.0",
          "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKn",
          "From: <sip:payer@example.com>;tag=1",
          "To: <sip:merchant@example.net>",
          "Call-ID: no-length",
          "CSeq: 1 MESSAGE",
      },
      "pay\r\n10");
  const std::string expected = join_message(
      {
          "MESSAGE sip:merchant@example.net SIP/2.0",
          "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKn",
          "From: <sip:payer@example.com>;tag=1",
          "To: <sip:merchant@example.net>",
          "Call-ID: no-length",
          "CSeq: 1 MESSAGE",
          "Content-Length: 7",
      },
      "pay\r\n10");
  EXPECT_EQ(canonical(input), expected);
}

TEST(SerializerCanonical, DatagramBytesPastLengthDropped) {
  const std::string input = join_message(
      {
          "MESSAGE sip:merchant@example.net SIP/2.0",
          "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKd",
          "From: <sip:payer@example.com>;tag=1",
          "To: <sip:merchant@example.net>",
          "Call-ID: extra",
          "CSeq: 1 MESSAGE",
          "l: 3",
      },
      "payEXTRA");
  const std::string output = canonical(input);
  EXPECT_TRUE(output.ends_with("Content-Length: 3\r\n\r\npay")) << output;
}

TEST(SerializerCanonical, RepeatedSingleValueHeadersKeepTheirOwnValues) {
  // The Message stores the first From; the second line must still come out
  // with its own value.
  const std::string input =
      request_with("INVITE sip:merchant@example.net SIP/2.0",
                   {"From: Other <sip:other@example.com> ;tag=2", "CSeq: 0002  INVITE",
                    "Max-Forwards: 009", "Content-Type: text / plain ; charset=UTF-8",
                    "Content-Disposition: render ; handling = optional", "Expires: 010"});
  const std::string output = canonical(input);
  EXPECT_NE(output.find("From: Payer <sip:payer@example.com>;tag=9fxced76sl\r\n"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("From: Other <sip:other@example.com>;tag=2\r\n"), std::string::npos)
      << output;
  EXPECT_NE(output.find("CSeq: 1 INVITE\r\n"), std::string::npos) << output;
  EXPECT_NE(output.find("CSeq: 2 INVITE\r\n"), std::string::npos) << output;
  EXPECT_NE(output.find("Max-Forwards: 70\r\n"), std::string::npos) << output;
  EXPECT_NE(output.find("Max-Forwards: 9\r\n"), std::string::npos) << output;
  EXPECT_NE(output.find("Content-Type: text/plain;charset=UTF-8\r\n"), std::string::npos) << output;
  EXPECT_NE(output.find("Content-Disposition: render;handling=optional\r\n"), std::string::npos)
      << output;
  EXPECT_NE(output.find("Expires: 10\r\n"), std::string::npos) << output;
}

TEST(SerializerCanonical, ContactStarBesideAddressesRejected) {
  // "*" beside addresses (§10.3 step 6) is rejected by the parser, so the
  // serializer never sees a message where the star could change how the
  // other Contact fields read.
  const std::string input = request_with("REGISTER sip:registrar.example.net SIP/2.0",
                                         {"m: sip:payer@192.0.2.4;expires=60", "Contact:  *"});
  const auto message = parse_message(input);
  ASSERT_FALSE(message.ok());
  EXPECT_NE(message.error().reason.find("only Contact value"), std::string::npos)
      << message.error().reason;
}

TEST(SerializerCanonical, EmptyValuesWithoutTrailingSpace) {
  const std::string input = request_with("OPTIONS sip:example.net SIP/2.0",
                                         {"Supported:", "Allow:   ", "Subject:", "X-Empty: "});
  const std::string output = canonical(input);
  for (std::string_view line :
       {"Supported:\r\n"sv, "Allow:\r\n"sv, "Subject:\r\n"sv, "X-Empty:\r\n"sv}) {
    EXPECT_NE(output.find(line), std::string::npos) << line << " in\n" << output;
  }
}

TEST(SerializerCanonical, BinaryBodyCopiedExactly) {
  const std::string_view body = "\0\r\n\r\n\xFF\0"sv;
  const std::string input = request_with("MESSAGE sip:merchant@example.net SIP/2.0",
                                         {"Content-Type: application/octet-stream"}, body);
  const std::string output = canonical(input);
  EXPECT_TRUE(output.ends_with("Content-Length: 7\r\n\r\n"s + std::string(body))) << output;
}

// Messages of every kind the parser accepts, written in uncanonical ways.
std::vector<std::string> round_trip_inputs() {
  return {
      request_with("INVITE sip:merchant@example.net SIP/2.0"),
      request_with("ACK sip:merchant@192.0.2.9:5060;transport=udp SIP/2.0",
                   {"Route: <sip:p1.example.net;lr>"}),
      request_with("BYE sips:merchant@[2001:DB8::9]:5061 SIP/2.0",
                   {"Reason: Q.850 ;cause=16 ;text=\"Normal\""}),
      request_with("CANCEL tel:+1-201-555-0123;phone-context=example.net SIP/2.0"),
      request_with("OPTIONS x-pay:wallet/42 SIP/2.0", {"Accept: application/sdp, application/json",
                                                       "Allow: INVITE,ACK , BYE", "Supported:"}),
      request_with("REGISTER sip:registrar.example.net SIP/2.0",
                   {"Contact: "
                    "\"Phone\"<sip:payer@192.0.2.4>;q=0.8;expires=3600,<sip:payer@192.0.2.5>;+sip."
                    "instance=\"<urn:uuid:1>\"",
                    "Expires: 7200",
                    "Authorization: Digest "
                    "username=\"payer\",realm=\"example.net\",nonce=\"n\",uri=\"sip:registrar."
                    "example.net\",response=\"d41d8cd98f00b204e9800998ecf8427e\",algorithm=MD5,"
                    "cnonce=\"c\",qop=auth,nc=00000001"}),
      request_with("REGISTER sip:registrar.example.net SIP/2.0", {"m: *", "Expires: 0"}),
      request_with("MESSAGE sip:merchant@example.net SIP/2.0",
                   {"c: text/plain;charset=UTF-8", "Content-Disposition: render;handling=optional",
                    "Content-Encoding: gzip", "Date: Sat, 13 Nov 2010 23:29:00 GMT"},
                   "Pagamento \xC3\xA0 vista"),
      request_with("SUBSCRIBE sip:wallet@example.net SIP/2.0",
                   {"o: payment;id=7", "u: payment", "Proxy-Require: sec-agree", "Require: 100rel",
                    "Proxy-Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n\", "
                    "uri=\"sip:w\", response=\"0123456789abcdef0123456789abcdef\""}),
      request_with("NOTIFY sip:payer@192.0.2.4 SIP/2.0",
                   {"Subscription-State: active;expires=60", "Event: payment"}, "status=settled"),
      request_with("PAY%41 sip:merchant@example.net;user=phone SIP/2.0",
                   {"User-Agent: pay-phone/2.1 (build\r\n 77) lib/1", "X-Trace:  a\r\n\tb  c "}),
      request_with("INFO sip:%6Derchant@example.net SIP/2.0",
                   {"To: \"Merchant \\\"Shop\\\"\" <sip:merchant@example.net>;tag=x"}),
      response_with("SIP/2.0 100 "),
      response_with("SIP/2.0 180 Ringing",
                    {"Contact: <sip:merchant@192.0.2.9>", "Record-Route: <sip:p2;lr>,<sip:p1;lr>"}),
      response_with("SIP/2.0 200 OK", {"c: application/sdp", "Server: shop-pbx/4 (linux)"},
                    "v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\n"),
      response_with(
          "SIP/2.0 401 Unauthorized",
          {"WWW-Authenticate: Digest realm=\"example.net\", nonce=\"1\", qop=\"auth,auth-int\", "
           "stale=FALSE",
           "WWW-Authenticate: Digest realm=\"example.net\", nonce=\"2\", algorithm=SHA-256"}),
      response_with(
          "SIP/2.0 407 Proxy Authentication Required",
          {"Proxy-Authenticate: Digest realm=\"p\", nonce=\"3\", domain=\"sip:a sip:b\""}),
      response_with("SIP/2.0 200 OK", {"Authentication-Info: nextnonce=\"4\", qop=auth, "
                                       "rspauth=\"ab\", cnonce=\"c\", nc=00000001"}),
      response_with("SIP/2.0 423 Interval Too Brief", {"Min-Expires: 3600"}),
      response_with("SIP/2.0 420 Bad Extension", {"Unsupported: foo, bar"}),
      response_with("SIP/2.0 503 Service Unavailable %E2%9C%93",
                    {"Retry-After: 30 (maintenance);duration=10"}),
      join_message(
          {"SIP/2.0 699 x",
           "v: SIP/2.0/SCTP [::1]:5060;branch=z9hG4bK9;maddr=239.255.255.1;ttl=16;received=::1",
           "f: sip:a@b;tag=1", "t: sip:c@d", "i: x", "CSeq: 1 INVITE"},
          "no length"),
      // Semantic errors still serialize: a missing Call-ID, a repeated To.
      join_message({"OPTIONS sip:example.net SIP/2.0", "Via: SIP/2.0/UDP h;branch=z9hG4bKs",
                    "From: <sip:a@b>;tag=1", "To: <sip:c@d>", "To: <sip:e@f>;tag=2",
                    "CSeq: 1 OPTIONS", "l: 0"}),
  };
}

TEST(SerializerRoundTrip, StableOverVariedMessages) {
  for (const std::string& input : round_trip_inputs()) {
    SCOPED_TRACE(input);
    const Result<Message> first = parse_message(input);
    ASSERT_TRUE(first.ok()) << first.error().to_string();
    const std::string once = serialize(*first);

    const Result<Message> second = parse_message(once, {}, Framing::kStream);
    ASSERT_TRUE(second.ok()) << second.error().to_string() << "\n" << once;
    const std::string twice = serialize(*second);
    EXPECT_EQ(twice, once);

    // The reparsed message reads the same as the original.
    EXPECT_EQ(second->is_request(), first->is_request());
    EXPECT_EQ(second->vias().size(), first->vias().size());
    EXPECT_EQ(second->contacts().size(), first->contacts().size());
    EXPECT_EQ(second->call_id(), first->call_id());
    EXPECT_EQ(second->body(), first->body());
    EXPECT_EQ(second->semantic_error() == nullptr, first->semantic_error() == nullptr);
  }
}

TEST(SerializerRoundTrip, ListElementsOnePerLine) {
  const std::string input = request_with(
      "INVITE sip:merchant@example.net SIP/2.0",
      {"Route: <sip:p1;lr>, <sip:p2;lr>", "Require: a,b", "Contact: <sip:x@h>,<sip:y@h>"});
  const std::string output = canonical(input);
  EXPECT_NE(output.find("Route: <sip:p1;lr>\r\nRoute: <sip:p2;lr>\r\n"), std::string::npos)
      << output;
  EXPECT_NE(output.find("Require: a, b\r\n"), std::string::npos) << output;
  EXPECT_NE(output.find("Contact: <sip:x@h>\r\nContact: <sip:y@h>\r\n"), std::string::npos)
      << output;
}

TEST(SerializerAppend, AppendsAfterExistingText) {
  const std::string input = response_with("SIP/2.0 200 OK");
  const Result<Message> message = parse_message(input);
  ASSERT_TRUE(message.ok());
  std::string out = "prefix|";
  append_message(out, *message);
  EXPECT_EQ(out, "prefix|" + serialize(*message));
}

}  // namespace
}  // namespace sippay::sip
