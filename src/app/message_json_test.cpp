#include "app/message_json.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sippay::app {
namespace {

using json = nlohmann::ordered_json;

json parse_to_json(const std::string& text) {
  auto message = sip::parse_message(text);
  EXPECT_TRUE(message.ok()) << (message.ok() ? "" : message.error().to_string());
  return message.ok() ? message_to_json(*message) : json();
}

const std::string kRegister =
    "REGISTER sip:pay.test SIP/2.0\r\n"
    "v: SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bK-reg;rport\r\n"
    "Max-Forwards: 70\r\n"
    "f: \"Alice\" <sip:alice@pay.test>;tag=a1\r\n"
    "t: <sip:alice@pay.test>\r\n"
    "i: reg-42@host\r\n"
    "CSeq: 2 REGISTER\r\n"
    "m: <sip:alice@192.0.2.4:5070;transport=tcp>;expires=600;q=0.5, <sip:alice@pay.test>\r\n"
    "X-Trace: keep  me\r\n"
    "l: 4\r\n"
    "\r\n"
    "abcd";

TEST(MessageJson, StartLineOfRequest) {
  const json j = parse_to_json(kRegister);
  EXPECT_EQ(j["type"], "request");
  EXPECT_EQ(j["start_line"]["method"], "REGISTER");
  EXPECT_EQ(j["start_line"]["request_uri"]["host"], "pay.test");
  EXPECT_EQ(j["start_line"]["version"], "SIP/2.0");
  EXPECT_EQ(j["body_length"], 4);
}

TEST(MessageJson, CompactViaParsed) {
  const json j = parse_to_json(kRegister);
  const json& via = j["headers"][0];
  EXPECT_EQ(via["name"], "v");
  EXPECT_EQ(via["canonical_name"], "Via");
  EXPECT_EQ(via["parsed"][0]["host"], "[2001:db8::9]");
  EXPECT_EQ(via["parsed"][0]["host_type"], "ipv6");
  EXPECT_EQ(via["parsed"][0]["port"], 5060);
  EXPECT_EQ(via["parsed"][0]["branch"], "z9hG4bK-reg");
  EXPECT_EQ(via["parsed"][0]["rport"], true);
}

TEST(MessageJson, ContactListElements) {
  const json j = parse_to_json(kRegister);
  const json& contact = j["headers"][6]["parsed"];
  ASSERT_EQ(contact.size(), 2u);
  EXPECT_EQ(contact[0]["uri"]["port"], 5070);
  EXPECT_EQ(contact[0]["expires"], 600);
  EXPECT_DOUBLE_EQ(contact[0]["q"].get<double>(), 0.5);
  EXPECT_EQ(contact[1]["uri"]["host"], "pay.test");
  EXPECT_FALSE(contact[1].contains("expires"));
}

TEST(MessageJson, FromDisplayNameAndTag) {
  const json j = parse_to_json(kRegister);
  const json& from = j["headers"][2]["parsed"];
  EXPECT_EQ(from["display_name"], "\"Alice\"");
  EXPECT_EQ(from["tag"], "a1");
  EXPECT_EQ(from["uri"]["user"], "alice");
}

TEST(MessageJson, UnknownHeaderKeptVerbatim) {
  const json j = parse_to_json(kRegister);
  const json& unknown = j["headers"][7];
  EXPECT_EQ(unknown["name"], "X-Trace");
  EXPECT_EQ(unknown["value"], "keep  me");
  EXPECT_FALSE(unknown.contains("parsed"));
  EXPECT_FALSE(unknown.contains("canonical_name"));
}

TEST(MessageJson, ResponseStartLine) {
  const json j = parse_to_json(
      "SIP/2.0 401 Unauthorized\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
      "From: <sip:a@pay.test>;tag=1\r\n"
      "To: <sip:a@pay.test>;tag=2\r\n"
      "Call-ID: c1\r\n"
      "CSeq: 1 REGISTER\r\n"
      "WWW-Authenticate: Digest realm=\"pay.test\", nonce=\"abc\", algorithm=SHA-256\r\n"
      "Content-Length: 0\r\n\r\n");
  EXPECT_EQ(j["type"], "response");
  EXPECT_EQ(j["start_line"]["status_code"], 401);
  EXPECT_EQ(j["start_line"]["reason_phrase"], "Unauthorized");
  const json& challenge = j["headers"][5]["parsed"][0];
  EXPECT_EQ(challenge["scheme"], "Digest");
  EXPECT_EQ(challenge["params"]["algorithm"], "SHA-256");
  EXPECT_EQ(challenge["params"]["realm"], "\"pay.test\"");
}

TEST(MessageJson, OtherSchemeUri) {
  const json j = parse_to_json(
      "OPTIONS im:merchant@pay.test SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
      "From: <sip:a@pay.test>;tag=1\r\n"
      "To: <im:merchant@pay.test>\r\n"
      "Call-ID: c1\r\n"
      "CSeq: 1 OPTIONS\r\n"
      "Content-Length: 0\r\n\r\n");
  const json& uri = j["start_line"]["request_uri"];
  EXPECT_EQ(uri["scheme"], "other");
  EXPECT_EQ(uri["scheme_text"], "im");
  EXPECT_EQ(uri["opaque"], "merchant@pay.test");
}

}  // namespace
}  // namespace sippay::app
