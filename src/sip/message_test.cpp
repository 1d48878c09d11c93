// Whole-message parsing: typed header access, compact forms, lists split
// over lines, unknown headers, semantic errors, error positions and the
// three parse entry points (RFC 3261 §7.3, §8.1.1, §20; RFC 4475 §3.1, §3.3).
#include "sip/message.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sip/message_test_support.hpp"

namespace sippay::sip {
namespace {

using namespace std::string_view_literals;
using test_support::join_message;
using test_support::request_with;
using test_support::response_with;

// Parses `text` and fails the test with the error when it does not parse.
// The Message views `text`, which the caller keeps alive.
Message parse_ok(const std::string& text) {
  Result<Message> message = parse_message(text);
  EXPECT_TRUE(message.ok()) << message.error().to_string();
  return message.ok() ? std::move(message.value()) : Message();
}

const std::string kInvite = join_message(
    {
        "INVITE sip:merchant@shop.example.net SIP/2.0",
        "Via: SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bKnashds8;rport",
        "Max-Forwards: 70",
        "To: Merchant <sip:merchant@shop.example.net>",
        "From: \"Payer One\" <sip:payer@example.com>;tag=1928301774",
        "Call-ID: a84b4c76e66710@pc.example.com",
        "CSeq: 314159 INVITE",
        "Contact: <sip:payer@192.0.2.4:5060;transport=udp>;expires=600",
        "Content-Type: application/sdp",
        "Content-Length: 4",
    },
    "v=0\n");

TEST(MessageRequest, InviteFields) {
  const Message m = parse_ok(kInvite);
  ASSERT_TRUE(m.is_request());
  EXPECT_EQ(m.method(), "INVITE");
  EXPECT_EQ(m.request_line().request_uri.user, "merchant");

  ASSERT_EQ(m.vias().size(), 1u);
  EXPECT_EQ(m.vias()[0].transport, "UDP");
  EXPECT_EQ(m.vias()[0].host, "pc.example.com");
  EXPECT_EQ(m.vias()[0].port, 5060);
  EXPECT_EQ(m.vias()[0].branch, "z9hG4bKnashds8");
  EXPECT_TRUE(m.vias()[0].has_rport);

  ASSERT_NE(m.from(), nullptr);
  EXPECT_EQ(m.from()->display_name, "\"Payer One\"");
  EXPECT_EQ(m.from()->uri.user, "payer");
  EXPECT_EQ(m.from()->tag, "1928301774");
  ASSERT_NE(m.to(), nullptr);
  EXPECT_FALSE(m.to()->has_tag);
  EXPECT_EQ(m.call_id(), "a84b4c76e66710@pc.example.com");
  ASSERT_NE(m.cseq(), nullptr);
  EXPECT_EQ(m.cseq()->number, 314159u);
  EXPECT_EQ(m.cseq()->method, "INVITE");
  EXPECT_EQ(m.max_forwards(), 70u);

  ASSERT_EQ(m.contacts().size(), 1u);
  EXPECT_EQ(m.contacts()[0].address.uri.host, "192.0.2.4");
  EXPECT_EQ(m.contacts()[0].expires, 600u);
  ASSERT_NE(m.content_type(), nullptr);
  EXPECT_EQ(m.content_type()->type, "application");
  EXPECT_EQ(m.content_type()->subtype, "sdp");
  EXPECT_EQ(m.content_length(), 4u);
  EXPECT_EQ(m.body(), "v=0\n");
  EXPECT_EQ(m.size_bytes(), kInvite.size());
  EXPECT_EQ(m.semantic_error(), nullptr);
}

TEST(MessageRequest, HeadersInOrderWithOffsets) {
  const Message m = parse_ok(kInvite);
  const std::vector<std::string_view> names = {"Via",     "Max-Forwards", "To",
                                               "From",    "Call-ID",      "CSeq",
                                               "Contact", "Content-Type", "Content-Length"};
  ASSERT_EQ(m.headers().size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    const HeaderField& field = m.headers()[i];
    EXPECT_EQ(field.name, names[i]);
    EXPECT_EQ(lookup_header(field.name), field.id);
    EXPECT_EQ(kInvite.substr(field.offset, field.name.size()), field.name);
  }
  EXPECT_EQ(m.headers()[1].value, "70");
  EXPECT_EQ(m.headers()[3].value, "\"Payer One\" <sip:payer@example.com>;tag=1928301774");
}

TEST(MessageRequest, ViewsPointIntoInput) {
  const Message m = parse_ok(kInvite);
  const auto inside = [&](std::string_view view) {
    return view.data() >= kInvite.data() &&
           view.data() + view.size() <= kInvite.data() + kInvite.size();
  };
  EXPECT_TRUE(inside(m.method()));
  EXPECT_TRUE(inside(m.call_id()));
  EXPECT_TRUE(inside(m.from()->tag));
  EXPECT_TRUE(inside(m.vias()[0].branch));
  EXPECT_TRUE(inside(m.body()));
  EXPECT_TRUE(inside(m.headers()[0].value));
}

TEST(MessageRequest, RegisterWithContactsAndExpires) {
  const std::string text = request_with(
      "REGISTER sip:registrar.example.net SIP/2.0",
      {"Contact: <sip:payer@192.0.2.4>;q=0.7;expires=3600, \"Second\" <sip:payer@192.0.2.5>;q=1",
       "Expires: 7200"});
  const Message m = parse_ok(text);
  ASSERT_EQ(m.contacts().size(), 2u);
  EXPECT_EQ(m.contacts()[0].q_thousandths, 700);
  EXPECT_EQ(m.contacts()[0].expires, 3600u);
  EXPECT_EQ(m.contacts()[1].q_thousandths, 1000);
  EXPECT_EQ(m.contacts()[1].address.display_name, "\"Second\"");
  EXPECT_FALSE(m.contacts()[1].expires.has_value());
  EXPECT_FALSE(m.contact_is_star());
  EXPECT_EQ(m.expires(), 7200u);
}

TEST(MessageRequest, RegisterRemovingAllBindings) {
  const std::string text =
      request_with("REGISTER sip:registrar.example.net SIP/2.0", {"Contact: *", "Expires: 0"});
  const Message m = parse_ok(text);
  EXPECT_TRUE(m.contact_is_star());
  EXPECT_TRUE(m.contacts().empty());
  EXPECT_EQ(m.expires(), 0u);
}

TEST(MessageRequest, AuthorizationAndRoutes) {
  const std::string text = request_with(
      "MESSAGE sip:merchant@shop.example.net SIP/2.0",
      {"Route: <sip:p1.example.net;lr>, <sip:p2.example.net;lr>",
       "Authorization: Digest username=\"payer\", realm=\"example.com\", nonce=\"dcd98b\", "
       "uri=\"sip:merchant@shop.example.net\", response=\"6629fae49393a05397450978507c4ef1\"",
       "Content-Type: text/plain"},
      "pay 10 EUR");
  const Message m = parse_ok(text);
  ASSERT_EQ(m.routes().size(), 2u);
  EXPECT_EQ(m.routes()[1].uri.host, "p2.example.net");
  ASSERT_EQ(m.authorization().size(), 1u);
  EXPECT_TRUE(m.authorization()[0].is_digest);
  EXPECT_EQ(m.authorization()[0].username, "\"payer\"");
  EXPECT_EQ(m.body(), "pay 10 EUR");
}

TEST(MessageRequest, SubscribeWithEventAndUnknownHeaders) {
  const std::string text = request_with(
      "SUBSCRIBE sip:wallet@example.net SIP/2.0",
      {"o: payment-status", "Accept: application/json", "Allow-Events: payment-status"});
  const Message m = parse_ok(text);
  const HeaderField* event = m.find_header("Event");
  ASSERT_NE(event, nullptr);
  EXPECT_EQ(event->id, HeaderId::kEvent);
  EXPECT_EQ(event->name, "o");
  EXPECT_EQ(event->value, "payment-status");
}

TEST(MessageResponse, ResponsesOfEachClass) {
  const std::vector<std::pair<std::string, int>> cases = {
      {response_with("SIP/2.0 100 Trying"), 100},
      {response_with("SIP/2.0 180 Ringing", {"Contact: <sip:merchant@192.0.2.9>"}), 180},
      {response_with("SIP/2.0 200 OK",
                     {"Record-Route: <sip:p1.example.net;lr>", "Contact: <sip:merchant@192.0.2.9>",
                      "Content-Type: application/sdp"},
                     "v=0\r\n"),
       200},
      {response_with("SIP/2.0 302 Moved Temporarily",
                     {"Contact: <sip:merchant@backup.example.net>"}),
       302},
      {response_with("SIP/2.0 486 Busy Here", {"Retry-After: 30"}), 486},
      {response_with("SIP/2.0 503 Service Unavailable", {"Retry-After: 120 (maintenance)"}), 503},
      {response_with("SIP/2.0 603 Decline"), 603},
  };
  for (const auto& [text, code] : cases) {
    SCOPED_TRACE(text);
    const Message m = parse_ok(text);
    EXPECT_FALSE(m.is_request());
    EXPECT_EQ(m.status_code(), code);
    EXPECT_EQ(m.to()->tag, "8321234356");
    EXPECT_EQ(m.vias()[0].received, "192.0.2.1");
    EXPECT_EQ(m.semantic_error(), nullptr);
  }
}

TEST(MessageResponse, ChallengesOn401And407) {
  const std::string text401 = response_with(
      "SIP/2.0 401 Unauthorized",
      {"WWW-Authenticate: Digest realm=\"example.com\", qop=\"auth\", nonce=\"ea9c8e88\", "
       "algorithm=SHA-256",
       "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"ea9c8e89\", algorithm=MD5"});
  const Message m401 = parse_ok(text401);
  ASSERT_EQ(m401.www_authenticate().size(), 2u);
  EXPECT_EQ(m401.www_authenticate()[0].algorithm, "SHA-256");
  EXPECT_EQ(m401.www_authenticate()[1].algorithm, "MD5");

  const std::string text407 = response_with(
      "SIP/2.0 407 Proxy Authentication Required",
      {"Proxy-Authenticate: Digest realm=\"proxy.example.net\", nonce=\"c60f3082\", stale=TRUE"});
  const Message m407 = parse_ok(text407);
  ASSERT_EQ(m407.proxy_authenticate().size(), 1u);
  EXPECT_EQ(m407.proxy_authenticate()[0].stale, "TRUE");
}

TEST(MessageRequest, UnknownSchemesInHeaders) {
  // RFC 4475 §3.3.4: valid syntax; what to do with them is up to the UA.
  const std::string text = join_message({
      "OPTIONS sip:merchant@example.net SIP/2.0",
      "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKu",
      "From: <x-wallet:opaque-content-42>;tag=1",
      "To: Shop <urn:pay:merchant:7>",
      "Contact: <mailto:payer@example.com>",
      "Call-ID: unknown-scheme-1",
      "CSeq: 1 OPTIONS",
      "Content-Length: 0",
  });
  const Message m = parse_ok(text);
  EXPECT_EQ(m.from()->uri.scheme, UriScheme::kOther);
  EXPECT_EQ(m.from()->uri.scheme_text, "x-wallet");
  EXPECT_EQ(m.to()->uri.scheme_text, "urn");
  ASSERT_EQ(m.contacts().size(), 1u);
  EXPECT_EQ(m.contacts()[0].address.uri.scheme_text, "mailto");
}

TEST(MessageResponse, CSeqMethodNotCheckedAgainstStartLine) {
  const std::string text = join_message({
      "SIP/2.0 200 OK",
      "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKx",
      "From: <sip:payer@example.com>;tag=1",
      "To: <sip:merchant@example.net>;tag=2",
      "Call-ID: c1",
      "CSeq: 7 PAY-STATUS",
      "Content-Length: 0",
  });
  const Message m = parse_ok(text);
  EXPECT_EQ(m.cseq()->method, "PAY-STATUS");
}

TEST(MessageWhitespace, LwsAroundColonAndFolding) {
  // HCOLON = *( SP / HTAB ) ":" SWS, and a value may continue on lines that
  // start with SP or HTAB (§7.3.1).
  const std::string text = join_message({
      "OPTIONS sip:example.net SIP/2.0",
      "Via \t:  SIP/2.0/UDP pc.example.com\t;branch=z9hG4bKa",
      "  ;rport",
      "From\t:\t<sip:payer@example.com>;tag=f1",
      "To:<sip:example.net>",
      "Call-ID   :    wsf-1@pc.example.com   ",
      "CSeq:",
      " 9",
      "\t OPTIONS",
      "Subject: first",
      "\t second",
      "Max-Forwards: 0",
      "Content-Length:\t0",
  });
  const Message m = parse_ok(text);
  ASSERT_EQ(m.vias().size(), 1u);
  EXPECT_EQ(m.vias()[0].branch, "z9hG4bKa");
  EXPECT_TRUE(m.vias()[0].has_rport);
  EXPECT_EQ(m.from()->tag, "f1");
  EXPECT_EQ(m.to()->uri.host, "example.net");
  EXPECT_EQ(m.call_id(), "wsf-1@pc.example.com");
  EXPECT_EQ(m.cseq()->number, 9u);
  EXPECT_EQ(m.cseq()->method, "OPTIONS");
  EXPECT_EQ(m.max_forwards(), 0u);
  const HeaderField* subject = m.find_header("Subject");
  ASSERT_NE(subject, nullptr);
  EXPECT_EQ(subject->value, "first\r\n\t second");
  EXPECT_EQ(m.headers()[0].name, "Via");
  EXPECT_EQ(m.headers()[0].value, "SIP/2.0/UDP pc.example.com\t;branch=z9hG4bKa\r\n  ;rport");
}

TEST(MessageWhitespace, TortuousButValid) {
  // The categories of RFC 4475 §3.1.1.1: header names in any case, folds
  // right after the colon and around separators, SWS around ';' and '=',
  // escaped quotes, an unknown transport, odd unknown values.
  const std::string text = join_message({
      "PAY sip:till%2D7@shop.example.net;lane=%34 SIP/2.0",
      "VIA  :  SIP  /  2.0\r\n  / Carrier-Pigeon   pigeon.example.net ;\r\n branch =\r\n\t "
      "z9hG4bKwing",
      "v:SIP/2.0/TLS wallet.example.net:5061;branch=z9hG4bK77 , SIP/2.0/WS 192.0.2.77;rport=5070",
      "TO :\r\n <sip:till%2D7@shop.example.net> ; tag = abc",
      "from: \"Payer \\\"Alias\\\" One\"<sip:payer@example.com>  ;   tag=7",
      "call-ID: tortuous.7@[2001:db8::7]",
      "cseq: 0009\r\n PAY",
      "max-forwards: 0068",
      "s :",
      "X-Odd-Value: ;;,,;;,;",
      "X-Continued: first part\r\n second part",
      "m:  \"Quoted, \\\"escaped\\\"\" <sip:payer@192.0.2.4> ; q = 0.25 ;\r\n  other ; x = \"y\"",
      "CONTENT-LENGTH :  0",
  });
  const Message m = parse_ok(text);
  EXPECT_EQ(m.method(), "PAY");
  ASSERT_EQ(m.vias().size(), 3u);
  EXPECT_EQ(m.vias()[0].transport, "Carrier-Pigeon");
  EXPECT_EQ(m.vias()[0].branch, "z9hG4bKwing");
  EXPECT_EQ(m.vias()[1].transport, "TLS");
  EXPECT_EQ(m.vias()[2].rport, 5070);
  EXPECT_EQ(m.to()->tag, "abc");
  EXPECT_EQ(m.from()->display_name, "\"Payer \\\"Alias\\\" One\"");
  EXPECT_EQ(m.from()->tag, "7");
  EXPECT_EQ(m.call_id(), "tortuous.7@[2001:db8::7]");
  EXPECT_EQ(m.cseq()->number, 9u);
  EXPECT_EQ(m.max_forwards(), 68u);
  EXPECT_EQ(m.find_header("Subject")->value, "");
  EXPECT_EQ(m.find_header("X-Odd-Value")->value, ";;,,;;,;");
  ASSERT_EQ(m.contacts().size(), 1u);
  EXPECT_EQ(m.contacts()[0].q_thousandths, 250);
  EXPECT_TRUE(m.contacts()[0].address.params.contains("other"));
  EXPECT_EQ(m.content_length(), 0u);
  EXPECT_EQ(m.semantic_error(), nullptr);
}

TEST(MessageWhitespace, FoldedDisplayNameAndEmptyValue) {
  const std::string text = request_with("OPTIONS sip:example.net SIP/2.0",
                                        {"Contact: \"Payer\r\n  Two\" <sip:payer@192.0.2.4>",
                                         "Subject:", "X-Empty:   ", "Supported:"});
  const Message m = parse_ok(text);
  ASSERT_EQ(m.contacts().size(), 1u);
  EXPECT_EQ(m.contacts()[0].address.display_name, "\"Payer\r\n  Two\"");
  EXPECT_EQ(m.find_header("Subject")->value, "");
  EXPECT_EQ(m.find_header("X-Empty")->value, "");
  EXPECT_TRUE(m.supported().empty());
}

TEST(MessageWhitespace, InvalidLineShapes) {
  struct Case {
    std::string_view header;
    std::string_view reason_word;  // a word the error reason contains
  };
  const std::vector<Case> cases = {
      {"Bad Name: value", "':'"},   {"NoColon", "':'"},
      {": no name", "header name"}, {"X-Ctl: a\x01z", "control"},
      {"X-Nul: a\0z"sv, "control"}, {"Subject: bad \xFF utf8", "UTF-8"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(std::string(c.header)));
    const std::string text = request_with("OPTIONS sip:example.net SIP/2.0", {c.header});
    const Result<Message> m = parse_message(text);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().status_code, 400);
    EXPECT_NE(m.error().reason.find(c.reason_word), std::string::npos) << m.error().reason;
  }
}

TEST(MessageWhitespace, ContinuationAfterStartLineRejected) {
  const std::string text = join_message({"OPTIONS sip:example.net SIP/2.0", " Via: SIP/2.0/UDP h"});
  const Result<Message> m = parse_message(text);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().offset, 33u);
}

TEST(MessageCompactForm, SameAccessAsFullNames) {
  // §7.3.3 compact forms: i m e l f t v k s c.
  const std::string compact = join_message(
      {
          "INVITE sip:merchant@example.net SIP/2.0",
          "v: SIP/2.0/TCP pc.example.com;branch=z9hG4bKc1",
          "f: <sip:payer@example.com>;tag=c2",
          "t: <sip:merchant@example.net>",
          "i: compact-3@pc.example.com",
          "CSeq: 5 INVITE",
          "m: <sip:payer@192.0.2.4;transport=tcp>",
          "k: 100rel, timer",
          "s: lunch",
          "e: gzip",
          "c: text/plain;charset=UTF-8",
          "l: 3",
      },
      "abc");
  const std::string full = join_message(
      {
          "INVITE sip:merchant@example.net SIP/2.0",
          "Via: SIP/2.0/TCP pc.example.com;branch=z9hG4bKc1",
          "From: <sip:payer@example.com>;tag=c2",
          "To: <sip:merchant@example.net>",
          "Call-ID: compact-3@pc.example.com",
          "CSeq: 5 INVITE",
          "Contact: <sip:payer@192.0.2.4;transport=tcp>",
          "Supported: 100rel, timer",
          "Subject: lunch",
          "Content-Encoding: gzip",
          "Content-Type: text/plain;charset=UTF-8",
          "Content-Length: 3",
      },
      "abc");
  for (const std::string* text : {&compact, &full}) {
    SCOPED_TRACE(*text);
    const Message m = parse_ok(*text);
    EXPECT_EQ(m.vias().size(), 1u);
    EXPECT_EQ(m.from()->tag, "c2");
    EXPECT_EQ(m.to()->uri.user, "merchant");
    EXPECT_EQ(m.call_id(), "compact-3@pc.example.com");
    EXPECT_EQ(m.contacts().size(), 1u);
    EXPECT_EQ(m.supported().size(), 2u);
    EXPECT_EQ(m.content_encoding().size(), 1u);
    ASSERT_NE(m.content_type(), nullptr);
    EXPECT_EQ(m.content_type()->subtype, "plain");
    EXPECT_EQ(m.content_length(), 3u);
    EXPECT_EQ(m.body(), "abc");
    ASSERT_NE(m.find_header("Subject"), nullptr);
    EXPECT_EQ(m.find_header("s")->value, "lunch");
    EXPECT_EQ(m.semantic_error(), nullptr);
  }
}

TEST(MessageCompactForm, FindHeaderByAnyName) {
  const std::string text =
      request_with("OPTIONS sip:example.net SIP/2.0", {"x-Trace-ID: 77", "s: compact subject"});
  const Message m = parse_ok(text);
  struct Lookup {
    std::string_view name;
    std::string_view value;  // "-" when not found
  };
  const std::vector<Lookup> lookups = {
      {"Call-ID", "3848276298220188511@pc.example.com"},
      {"i", "3848276298220188511@pc.example.com"},
      {"I", "3848276298220188511@pc.example.com"},
      {"call-id", "3848276298220188511@pc.example.com"},
      {"Subject", "compact subject"},
      {"S", "compact subject"},
      {"X-TRACE-id", "77"},
      {"x-trace-id", "77"},
      {"Contact", "-"},
      {"m", "-"},
      {"X-Trace", "-"},
      {"", "-"},
  };
  for (const Lookup& lookup : lookups) {
    SCOPED_TRACE(lookup.name);
    const HeaderField* field = m.find_header(lookup.name);
    if (lookup.value == "-") {
      EXPECT_EQ(field, nullptr);
    } else {
      ASSERT_NE(field, nullptr);
      EXPECT_EQ(field->value, lookup.value);
    }
  }
}

TEST(MessageLists, SeparateLinesEqualCommaSeparated) {
  const std::string separate = request_with(
      "INVITE sip:merchant@example.net SIP/2.0",
      {"Via: SIP/2.0/UDP p1.example.net;branch=z9hG4bKp1",
       "Via: SIP/2.0/TCP p2.example.net:5070;branch=z9hG4bKp2", "Contact: <sip:a@192.0.2.1>",
       "Contact: <sip:b@192.0.2.2>;q=0.5", "Record-Route: <sip:p1.example.net;lr>",
       "Record-Route: <sip:p2.example.net;lr>", "Require: 100rel", "Require: timer"});
  const std::string joined =
      request_with("INVITE sip:merchant@example.net SIP/2.0",
                   {"Via: SIP/2.0/UDP p1.example.net;branch=z9hG4bKp1 , SIP/2.0/TCP "
                    "p2.example.net:5070;branch=z9hG4bKp2",
                    "Contact: <sip:a@192.0.2.1>,<sip:b@192.0.2.2>;q=0.5",
                    "Record-Route: <sip:p1.example.net;lr>,\r\n <sip:p2.example.net;lr>",
                    "Require: 100rel,timer"});
  const Message a = parse_ok(separate);
  const Message b = parse_ok(joined);
  // request_with adds one Via before the extra headers.
  ASSERT_EQ(a.vias().size(), 3u);
  ASSERT_EQ(b.vias().size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(a.vias()[i].host, b.vias()[i].host);
    EXPECT_EQ(a.vias()[i].branch, b.vias()[i].branch);
    EXPECT_EQ(a.vias()[i].transport, b.vias()[i].transport);
  }
  ASSERT_EQ(a.contacts().size(), 2u);
  ASSERT_EQ(b.contacts().size(), 2u);
  EXPECT_EQ(a.contacts()[1].address.uri.user, b.contacts()[1].address.uri.user);
  EXPECT_EQ(b.contacts()[1].q_thousandths, 500);
  ASSERT_EQ(b.record_routes().size(), 2u);
  EXPECT_EQ(a.record_routes()[1].uri.host, b.record_routes()[1].uri.host);
  ASSERT_EQ(b.require().size(), 2u);
  EXPECT_EQ(a.require()[1], b.require()[1]);
}

TEST(MessageLists, FieldElementRanges) {
  const std::string text =
      request_with("INVITE sip:merchant@example.net SIP/2.0",
                   {"Via: SIP/2.0/UDP p1.example.net;branch=z9hG4bKp1, SIP/2.0/UDP "
                    "p2.example.net;branch=z9hG4bKp2",
                    "Subject: not a list", "Via: SIP/2.0/UDP p3.example.net;branch=z9hG4bKp3"});
  const Message m = parse_ok(text);
  ASSERT_EQ(m.vias().size(), 4u);
  std::vector<const HeaderField*> via_fields;
  for (const HeaderField& field : m.headers()) {
    if (field.id == HeaderId::kVia) via_fields.push_back(&field);
  }
  ASSERT_EQ(via_fields.size(), 3u);
  EXPECT_EQ(via_fields[0]->first_element, 0u);
  EXPECT_EQ(via_fields[0]->element_count, 1u);
  EXPECT_EQ(via_fields[1]->first_element, 1u);
  EXPECT_EQ(via_fields[1]->element_count, 2u);
  EXPECT_EQ(via_fields[2]->first_element, 3u);
  EXPECT_EQ(via_fields[2]->element_count, 1u);
  EXPECT_EQ(m.vias().subspan(via_fields[1]->first_element, via_fields[1]->element_count)[1].host,
            "p2.example.net");
  EXPECT_EQ(m.find_header("Subject")->element_count, 0u);
}

TEST(MessageUnknownHeaders, KeptVerbatimInOrder) {
  const std::string text =
      request_with("MESSAGE sip:merchant@example.net SIP/2.0",
                   {"X-Pay-Amount: 10.00 EUR", "x-pay-amount: 20.00 EUR",
                    "P-Asserted-Identity: <sip:payer@example.com>",
                    "X-Weird-Chars: {[<\"unbalanced quote>]} ; ,,", "X-Folded: one\r\n two"});
  const Message m = parse_ok(text);
  std::vector<std::pair<std::string_view, std::string_view>> unknown;
  for (const HeaderField& field : m.headers()) {
    if (field.id == HeaderId::kUnknown) unknown.emplace_back(field.name, field.value);
  }
  const std::vector<std::pair<std::string_view, std::string_view>> expected = {
      {"X-Pay-Amount", "10.00 EUR"},
      {"x-pay-amount", "20.00 EUR"},
      {"P-Asserted-Identity", "<sip:payer@example.com>"},
      {"X-Weird-Chars", "{[<\"unbalanced quote>]} ; ,,"},
      {"X-Folded", "one\r\n two"},
  };
  EXPECT_EQ(unknown, expected);
  EXPECT_EQ(m.find_header("X-PAY-AMOUNT")->value, "10.00 EUR");
  EXPECT_EQ(m.semantic_error(), nullptr);
}

TEST(MessageValues, ScalarLimits) {
  struct Case {
    std::string_view header;
    bool valid;
  };
  const std::vector<Case> cases = {
      {"Max-Forwards: 255", true},
      {"Max-Forwards: 256", false},  // 0 to 255 (§20.22)
      {"Max-Forwards: 00070", true},
      {"Max-Forwards: -1", false},
      {"Max-Forwards: 7 0", false},
      {"Expires: 4294967295", true},
      {"Expires: 4294967296", false},  // delta-seconds up to 2**32-1 (§20.19)
      {"Expires: 100000000000000000000", false},
      {"Min-Expires: 60", true},
      {"Min-Expires: sixty", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    const std::string text = request_with("REGISTER sip:registrar.example.net SIP/2.0", {c.header});
    const Result<Message> m = parse_message(text);
    EXPECT_EQ(m.ok(), c.valid) << (m.ok() ? "" : m.error().to_string());
    if (!m.ok()) {
      EXPECT_EQ(m.error().status_code, 400);
      EXPECT_EQ(m.error().header_name, c.header.substr(0, c.header.find(':')));
    }
  }
}

TEST(MessageValues, CSeqNumberBelow2To31) {
  // §8.1.1.5: the sequence number is less than 2**31 (RFC 4475 §3.1.2.4).
  const std::vector<std::pair<std::string_view, bool>> cases = {
      {"2147483647", true},  {"2147483648", false},
      {"4294967296", false}, {"36893488147419103232", false},
      {"0", true},
  };
  for (const auto& [number, valid] : cases) {
    SCOPED_TRACE(number);
    const std::string text = join_message({
        "OPTIONS sip:example.net SIP/2.0",
        "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKs",
        "From: <sip:payer@example.com>;tag=1",
        "To: <sip:example.net>",
        "Call-ID: scalar-1",
        "CSeq: " + std::string(number) + " OPTIONS",
        "Content-Length: 0",
    });
    const Result<Message> m = parse_message(text);
    EXPECT_EQ(m.ok(), valid);
    if (!m.ok()) {
      EXPECT_EQ(m.error().header_name, "CSeq");
    }
  }
}

TEST(MessageValues, UnterminatedQuotesRejected) {
  const std::vector<std::string_view> headers = {
      "Contact: \"Payer <sip:payer@192.0.2.4>",
      "Route: \"proxy <sip:p1.example.net;lr>",
      "Authorization: Digest username=\"payer, realm=\"example.com\"",
  };
  for (std::string_view header : headers) {
    SCOPED_TRACE(header);
    const std::string text = request_with("INVITE sip:merchant@example.net SIP/2.0", {header});
    const Result<Message> m = parse_message(text);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().header_name, header.substr(0, header.find(':')));
  }
  const std::string from = join_message({
      "INVITE sip:merchant@example.net SIP/2.0",
      "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKq",
      "From: \"Payer <sip:payer@example.com>;tag=1",
      "To: <sip:merchant@example.net>",
      "Call-ID: quote-1",
      "CSeq: 1 INVITE",
      "Content-Length: 0",
  });
  const Result<Message> m = parse_message(from);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().header_name, "From");
  EXPECT_EQ(m.error().status_code, 400);
}

TEST(MessageValues, InvalidHeaderValuesRejected) {
  // RFC 4475 categories: extraneous separators (§3.1.2.1), a Date not in GMT
  // (§3.1.2.12), a URI with '?' outside '<>' (§3.1.2.13), spaces in an
  // addr-spec (§3.1.2.14), non-token characters in a display name (§3.1.2.15).
  const std::vector<std::string_view> headers = {
      "Via: SIP/2.0/UDP pc.example.com;;branch=z9hG4bKx",
      "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKx,,",
      "Route: sip:p1.example.net;lr",  // Route needs name-addr (§20.34)
      "Contact: sip:payer@192.0.2.4?Subject=x",
      "Contact: <sip:payer @192.0.2.4>",
      "Contact: Payer, Inc. <sip:payer@192.0.2.4>",
      "From: Payer, Inc. <sip:payer@example.com>;tag=2",  // checked although repeated
      "Content-Type: application",
      "Date: Mon, 02 Jan 2006 15:04:05 EST",
      "Require: 100rel,,timer",
  };
  for (std::string_view header : headers) {
    SCOPED_TRACE(header);
    const std::string text = request_with("INVITE sip:merchant@example.net SIP/2.0", {header});
    const Result<Message> m = parse_message(text);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().status_code, 400);
    EXPECT_EQ(m.error().header_name, header.substr(0, header.find(':')));
  }
}

TEST(MessageErrors, OffsetAndHeaderName) {
  const std::string text = join_message({
      "OPTIONS sip:example.net SIP/2.0",                  // 0..32
      "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKe",  // 33
      "Max-Forwards: 7x",                                 // 82
      "Content-Length: 0",
  });
  const Result<Message> m = parse_message(text);
  ASSERT_FALSE(m.ok());
  const std::size_t line = text.find("Max-Forwards");
  EXPECT_EQ(m.error().header_name, "Max-Forwards");
  EXPECT_EQ(m.error().offset, line + 14);
  const std::string reason = m.error().to_string();
  EXPECT_NE(reason.find("Max-Forwards"), std::string::npos) << reason;
  EXPECT_NE(reason.find(std::to_string(line + 14)), std::string::npos) << reason;
}

TEST(MessageErrors, OffsetInsideFoldedValue) {
  const std::string text =
      request_with("INVITE sip:merchant@example.net SIP/2.0",
                   {"Contact: <sip:payer@192.0.2.4>,\r\n <sip:payer@bad host>"});
  const Result<Message> m = parse_message(text);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().header_name, "Contact");
  const std::size_t host = text.find("bad host");
  EXPECT_GE(m.error().offset, host);
  EXPECT_LE(m.error().offset, host + 8);
}

TEST(MessageErrors, CompactNameReportedAsWritten) {
  const std::string text = request_with("OPTIONS sip:example.net SIP/2.0", {"m: <sip:bad@>"});
  const Result<Message> m = parse_message(text);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().header_name, "m");
}

TEST(MessageSemantics, MissingRequiredHeaders) {
  // §8.1.1 and RFC 4475 §3.3.1: valid syntax, rejected with 400 above the parser.
  const std::vector<std::string_view> required = {"Via", "From", "To", "Call-ID", "CSeq"};
  const std::vector<std::string> lines = {
      "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKm", "From: <sip:payer@example.com>;tag=1",
      "To: <sip:merchant@example.net>", "Call-ID: missing-1", "CSeq: 1 OPTIONS"};
  for (std::size_t skip = 0; skip < required.size(); ++skip) {
    SCOPED_TRACE(required[skip]);
    std::string text = "OPTIONS sip:merchant@example.net SIP/2.0\r\n";
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (i != skip) text += lines[i] + "\r\n";
    }
    text += "Content-Length: 0\r\n\r\n";
    const Result<Message> m = parse_message(text);
    ASSERT_TRUE(m.ok()) << m.error().to_string();
    ASSERT_NE(m->semantic_error(), nullptr);
    EXPECT_EQ(m->semantic_error()->status_code, 400);
    EXPECT_EQ(m->semantic_error()->header_name, required[skip]);
  }
}

TEST(MessageSemantics, MissingMaxForwardsAccepted) {
  const std::string text = join_message({
      "OPTIONS sip:merchant@example.net SIP/2.0",
      "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKm",
      "From: <sip:payer@example.com>;tag=1",
      "To: <sip:merchant@example.net>",
      "Call-ID: missing-2",
      "CSeq: 1 OPTIONS",
      "Content-Length: 0",
  });
  const Message m = parse_ok(text);
  EXPECT_EQ(m.semantic_error(), nullptr);
  EXPECT_FALSE(m.max_forwards().has_value());
}

TEST(MessageSemantics, RepeatedSingleValueHeaderKeepsFirst) {
  // RFC 4475 §3.3.8: several values of a single-value header are an
  // application-layer error; the syntax of each is still checked.
  struct Case {
    std::string_view header;
    std::string_view name;
  };
  const std::vector<Case> cases = {
      {"From: <sip:other@example.com>;tag=2", "From"},
      {"t: <sip:other@example.net>", "t"},
      {"Call-ID: second-call-id", "Call-ID"},
      {"CSeq: 2 INVITE", "CSeq"},
      {"Max-Forwards: 10", "Max-Forwards"},
      {"Expires: 20", "Expires"},
      {"Content-Type: text/plain", "Content-Type"},
      {"User-Agent: second/1.0", "User-Agent"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.header);
    const std::string text = request_with(
        "INVITE sip:merchant@example.net SIP/2.0",
        {"Expires: 5", "Content-Type: application/sdp", "User-Agent: first/1.0", c.header});
    const Message m = parse_ok(text);
    ASSERT_NE(m.semantic_error(), nullptr);
    EXPECT_EQ(m.semantic_error()->header_name, c.name);
    EXPECT_EQ(m.semantic_error()->offset, text.find(c.header));
    EXPECT_EQ(m.from()->tag, "9fxced76sl");
    EXPECT_EQ(m.to()->uri.user, "merchant");
    EXPECT_EQ(m.call_id(), "3848276298220188511@pc.example.com");
    EXPECT_EQ(m.cseq()->number, 1u);
    EXPECT_EQ(m.max_forwards(), 70u);
    EXPECT_EQ(m.expires(), 5u);
    EXPECT_EQ(m.content_type()->subtype, "sdp");
    EXPECT_EQ(m.user_agent(), "first/1.0");
  }
}

TEST(MessageSemantics, RepeatedHeaderWithBadSyntaxIsError) {
  const std::string text =
      request_with("INVITE sip:merchant@example.net SIP/2.0", {"CSeq: many INVITE"});
  const Result<Message> m = parse_message(text);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().header_name, "CSeq");
}

TEST(MessageSemantics, CSeqMethodMismatchIsError) {
  // §8.1.1.5, RFC 4475 §3.1.2.17 and §3.1.2.18 (also for an unknown method).
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"INVITE", "ACK"}, {"PAYNOW", "INVITE"}, {"INVITE", "invite"}, {"CANCEL", "INVITE"}};
  for (const auto& [method, cseq_method] : cases) {
    SCOPED_TRACE(std::string(method) + " / " + std::string(cseq_method));
    const std::string text = join_message({
        std::string(method) + " sip:merchant@example.net SIP/2.0",
        "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKcs",
        "From: <sip:payer@example.com>;tag=1",
        "To: <sip:merchant@example.net>",
        "Call-ID: mismatch-1",
        "CSeq: 8 " + std::string(cseq_method),
        "Content-Length: 0",
    });
    const Result<Message> m = parse_message(text);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().status_code, 400);
    EXPECT_EQ(m.error().header_name, "CSeq");
    EXPECT_EQ(m.error().offset, text.find("CSeq"));
  }
}

TEST(MessageSemantics, RepeatedContentLengthIsError) {
  // Two values leave the body boundary undefined (RFC 4475 §3.3.9), even
  // when they agree.
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"Content-Length: 3", "Content-Length: 3"}, {"Content-Length: 3", "l: 5"}, {"l: 3", "l: 3"}};
  for (const auto& [first, second] : cases) {
    const std::string text =
        join_message({"MESSAGE sip:merchant@example.net SIP/2.0",
                      "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKcl",
                      "From: <sip:payer@example.com>;tag=1", "To: <sip:merchant@example.net>",
                      "Call-ID: cl-1", "CSeq: 1 MESSAGE", std::string(first), std::string(second)},
                     "abcde");
    SCOPED_TRACE(text);
    const Result<Message> m = parse_message(text);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().status_code, 400);
    EXPECT_EQ(m.error().offset, text.rfind(second));
    EXPECT_EQ(m.error().header_name, second.substr(0, second.find(':')));
  }
}

TEST(MessageParseInto, ReuseLeavesNoStaleValues) {
  const std::string big = request_with(
      "INVITE sip:merchant@example.net SIP/2.0",
      {"Via: SIP/2.0/TCP p2.example.net;branch=z9hG4bK2", "Contact: <sip:payer@192.0.2.4>",
       "Expires: 30", "Route: <sip:p1.example.net;lr>", "Supported: timer",
       "Content-Type: application/sdp", "User-Agent: payer-phone/2.1",
       "Authorization: Digest username=\"u\", realm=\"r\"", "Date: Sat, 13 Nov 2010 23:29:00 GMT",
       "Call-ID: duplicate"},
      "v=0\r\n");
  const std::string small = join_message({
      "SIP/2.0 100 Trying",
      "Via: SIP/2.0/UDP pc.example.com;branch=z9hG4bKsmall",
      "From: <sip:payer@example.com>;tag=1",
      "To: <sip:merchant@example.net>",
      "Call-ID: small-1",
      "CSeq: 1 INVITE",
      "Content-Length: 0",
  });
  Message m;
  ASSERT_FALSE(parse_message_into(big, m).has_value());
  ASSERT_NE(m.semantic_error(), nullptr);
  ASSERT_FALSE(parse_message_into(small, m).has_value());

  EXPECT_FALSE(m.is_request());
  EXPECT_EQ(m.status_code(), 100);
  EXPECT_EQ(m.headers().size(), 6u);
  EXPECT_EQ(m.vias().size(), 1u);
  EXPECT_TRUE(m.contacts().empty());
  EXPECT_TRUE(m.routes().empty());
  EXPECT_TRUE(m.supported().empty());
  EXPECT_TRUE(m.authorization().empty());
  EXPECT_EQ(m.call_id(), "small-1");
  EXPECT_FALSE(m.expires().has_value());
  EXPECT_FALSE(m.max_forwards().has_value());
  EXPECT_EQ(m.content_type(), nullptr);
  EXPECT_EQ(m.date(), nullptr);
  EXPECT_TRUE(m.user_agent().empty());
  EXPECT_EQ(m.content_length(), 0u);
  EXPECT_TRUE(m.body().empty());
  EXPECT_EQ(m.size_bytes(), small.size());
  EXPECT_EQ(m.semantic_error(), nullptr);
  EXPECT_EQ(m.method(), "");
}

TEST(MessageParseInto, ReuseAfterStarAndChallenges) {
  const std::string star =
      request_with("REGISTER sip:registrar.example.net SIP/2.0", {"Contact: *", "Expires: 0"});
  const std::string challenge =
      response_with("SIP/2.0 401 Unauthorized",
                    {"WWW-Authenticate: Digest realm=\"r\", nonce=\"n\"",
                     "Authentication-Info: nextnonce=\"m\"", "Server: shop/1", "Min-Expires: 60"});
  const std::string plain = response_with("SIP/2.0 200 OK");
  Message m;
  ASSERT_FALSE(parse_message_into(star, m).has_value());
  ASSERT_TRUE(m.contact_is_star());
  ASSERT_FALSE(parse_message_into(challenge, m).has_value());
  EXPECT_FALSE(m.contact_is_star());
  ASSERT_EQ(m.www_authenticate().size(), 1u);
  ASSERT_FALSE(parse_message_into(plain, m).has_value());
  EXPECT_TRUE(m.www_authenticate().empty());
  EXPECT_EQ(m.authentication_info(), nullptr);
  EXPECT_TRUE(m.server().empty());
  EXPECT_FALSE(m.min_expires().has_value());
  EXPECT_EQ(m.find_header("Server"), nullptr);
}

TEST(MessageParseInto, ErrorLeavesMessageCleared) {
  Message m;
  ASSERT_FALSE(parse_message_into(kInvite, m).has_value());
  const std::string broken = request_with("INVITE sip:merchant@example.net SIP/2.0", {"CSeq: x"});
  const std::optional<ParseError> error = parse_message_into(broken, m);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->header_name, "CSeq");
  EXPECT_TRUE(m.headers().empty());
  EXPECT_TRUE(m.vias().empty());
  EXPECT_EQ(m.from(), nullptr);
  EXPECT_TRUE(m.body().empty());
  EXPECT_EQ(m.size_bytes(), 0u);
}

// parse_message on a temporary string would leave the Message viewing freed
// bytes, so that call does not compile.
template <typename Bytes>
constexpr bool kParsesFrom = requires(Bytes bytes) {
  parse_message(std::move(bytes));
};
static_assert(!kParsesFrom<std::string>);
static_assert(kParsesFrom<std::string_view>);
static_assert(kParsesFrom<const std::string&>);
static_assert(kParsesFrom<const char*>);

TEST(MessageOwned, OutlivesInputString) {
  Result<Message> owned = ParseError{};
  {
    std::string text = kInvite;
    owned = parse_message_owned(text);
    std::fill(text.begin(), text.end(), 'X');
  }
  ASSERT_TRUE(owned.ok()) << owned.error().to_string();
  const Message copy = *owned;
  owned = parse_message_owned(std::string("garbage"));
  ASSERT_FALSE(owned.ok());
  EXPECT_EQ(copy.method(), "INVITE");
  EXPECT_EQ(copy.call_id(), "a84b4c76e66710@pc.example.com");
  EXPECT_EQ(copy.from()->tag, "1928301774");
  EXPECT_EQ(copy.vias()[0].branch, "z9hG4bKnashds8");
  EXPECT_EQ(copy.body(), "v=0\n");
  EXPECT_EQ(copy.headers()[0].value, "SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bKnashds8;rport");
}

TEST(MessageOwned, MovedMessageKeepsViews) {
  Result<Message> owned = parse_message_owned(kInvite);
  ASSERT_TRUE(owned.ok());
  Message moved = std::move(owned.value());
  EXPECT_EQ(moved.call_id(), "a84b4c76e66710@pc.example.com");
  EXPECT_NE(moved.call_id().data(), kInvite.data() + kInvite.find("a84b"));
}

}  // namespace
}  // namespace sippay::sip
