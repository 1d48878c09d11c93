// Matching of responses to client transactions (RFC 3261 §17.1.3) and of
// requests to server transactions (§17.2.3), on messages parsed by the codec.
#include "sip/transaction/transaction_key.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "sip/message.hpp"

namespace sippay::sip {
namespace {

Message parse(const std::string& text) {
  Result<Message> parsed = parse_message_owned(text);
  EXPECT_TRUE(parsed.ok()) << parsed.error().to_string() << "\n" << text;
  return parsed.ok() ? std::move(parsed).value() : Message{};
}

// The fields that matching reads. Each test changes some of them.
struct Fields {
  std::string method = "MESSAGE";
  std::string request_uri = "sip:merchant@example.net";
  std::string via = "SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bK776asdhds";
  std::string from_tag = "1928301774";
  std::string to_tag;  // none in a first request
  std::string call_id = "a84b4c76e66710@pc.example.com";
  std::string cseq = "314159 MESSAGE";
};

std::string request_text(const Fields& fields) {
  std::string text = fields.method + " " + fields.request_uri + " SIP/2.0\r\n";
  if (!fields.via.empty()) text += "Via: " + fields.via + "\r\n";
  text += "Max-Forwards: 70\r\n";
  text += "From: <sip:payer@example.com>;tag=" + fields.from_tag + "\r\n";
  text += "To: <sip:merchant@example.net>";
  if (!fields.to_tag.empty()) text += ";tag=" + fields.to_tag;
  text += "\r\n";
  text += "Call-ID: " + fields.call_id + "\r\n";
  if (!fields.cseq.empty()) text += "CSeq: " + fields.cseq + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  return text;
}

std::string server_key(const Fields& fields) {
  return server_transaction_key(parse(request_text(fields)));
}

std::string response_text(std::string_view via, std::string_view cseq) {
  std::string text = "SIP/2.0 200 OK\r\n";
  if (!via.empty()) text += "Via: " + std::string(via) + "\r\n";
  text += "From: <sip:payer@example.com>;tag=1928301774\r\n";
  text += "To: <sip:merchant@example.net>;tag=a6c85cf\r\n";
  text += "Call-ID: a84b4c76e66710@pc.example.com\r\n";
  if (!cseq.empty()) text += "CSeq: " + std::string(cseq) + "\r\n";
  text += "Content-Length: 0\r\n\r\n";
  return text;
}

std::string client_key(std::string_view via, std::string_view cseq) {
  return client_transaction_key(parse(response_text(via, cseq)));
}

constexpr std::string_view kVia =
    "SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bK776asdhds;received=192.0.2.1";

TEST(ClientTransactionKey, ResponseMatchesRequestBranchAndMethod) {
  EXPECT_EQ(client_key(kVia, "314159 MESSAGE"),
            client_transaction_key("z9hG4bK776asdhds", "MESSAGE"));
}

TEST(ClientTransactionKey, IgnoresCSeqNumberAndSentBy) {
  // §17.1.3 reads only the branch and the CSeq method.
  EXPECT_EQ(client_key("SIP/2.0/TCP other.example.org:5070;branch=z9hG4bK776asdhds", "1 MESSAGE"),
            client_transaction_key("z9hG4bK776asdhds", "MESSAGE"));
}

TEST(ClientTransactionKey, CSeqMethodSeparatesTransactions) {
  // A CANCEL shares its branch with the request it cancels.
  EXPECT_NE(client_key(kVia, "314159 CANCEL"),
            client_transaction_key("z9hG4bK776asdhds", "MESSAGE"));
  EXPECT_EQ(client_key(kVia, "314159 CANCEL"),
            client_transaction_key("z9hG4bK776asdhds", "CANCEL"));
}

TEST(ClientTransactionKey, BranchSeparatesTransactions) {
  EXPECT_NE(client_key("SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bK776asdhdt", "1 MESSAGE"),
            client_transaction_key("z9hG4bK776asdhds", "MESSAGE"));
}

TEST(ClientTransactionKey, ReadsOnlyTopVia) {
  const std::string two_vias =
      "SIP/2.0/UDP pc.example.com;branch=z9hG4bKtop, SIP/2.0/UDP proxy.example.com;branch=z9hG4bKnext";
  EXPECT_EQ(client_key(two_vias, "1 MESSAGE"), client_transaction_key("z9hG4bKtop", "MESSAGE"));
}

TEST(ClientTransactionKey, EmptyWithoutViaCSeqOrBranch) {
  EXPECT_EQ(client_key("", "1 MESSAGE"), "");
  EXPECT_EQ(client_key(kVia, ""), "");
  EXPECT_EQ(client_key("SIP/2.0/UDP pc.example.com:5060", "1 MESSAGE"), "");
}

TEST(ServerTransactionKey, RetransmissionMatches) {
  EXPECT_EQ(server_key(Fields{}), server_key(Fields{}));
  EXPECT_FALSE(server_key(Fields{}).empty());
}

TEST(ServerTransactionKey, SentByHostIgnoresCase) {
  Fields upper;
  upper.via = "SIP/2.0/UDP PC.Example.COM:5060;branch=z9hG4bK776asdhds";
  EXPECT_EQ(server_key(upper), server_key(Fields{}));

  Fields ipv6_lower;
  ipv6_lower.via = "SIP/2.0/UDP [2001:db8::a]:5060;branch=z9hG4bK776asdhds";
  Fields ipv6_upper;
  ipv6_upper.via = "SIP/2.0/UDP [2001:DB8::A]:5060;branch=z9hG4bK776asdhds";
  EXPECT_EQ(server_key(ipv6_lower), server_key(ipv6_upper));
}

TEST(ServerTransactionKey, SentByHostAndPortSeparate) {
  Fields other_host;
  other_host.via = "SIP/2.0/UDP pc2.example.com:5060;branch=z9hG4bK776asdhds";
  EXPECT_NE(server_key(other_host), server_key(Fields{}));

  Fields other_port;
  other_port.via = "SIP/2.0/UDP pc.example.com:5070;branch=z9hG4bK776asdhds";
  EXPECT_NE(server_key(other_port), server_key(Fields{}));
}

TEST(ServerTransactionKey, BranchSeparates) {
  Fields other_branch;
  other_branch.via = "SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bK776asdhdt";
  EXPECT_NE(server_key(other_branch), server_key(Fields{}));
}

TEST(ServerTransactionKey, MagicCookieIgnoresOtherFields) {
  // With an RFC 3261 branch, only branch, sent-by and method count.
  Fields changed;
  changed.request_uri = "sip:other@example.net";
  changed.from_tag = "other";
  changed.call_id = "other@pc.example.com";
  changed.cseq = "1 MESSAGE";
  changed.via = "SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bK776asdhds;rport";
  EXPECT_EQ(server_key(changed), server_key(Fields{}));
}

TEST(ServerTransactionKey, MethodSeparates) {
  Fields options;
  options.method = "OPTIONS";
  options.cseq = "314159 OPTIONS";
  EXPECT_NE(server_key(options), server_key(Fields{}));

  Fields cancel;
  cancel.method = "CANCEL";
  cancel.cseq = "314159 CANCEL";
  EXPECT_NE(server_key(cancel), server_key(Fields{}));
}

TEST(ServerTransactionKey, AckMatchesInvite) {
  Fields invite;
  invite.method = "INVITE";
  invite.cseq = "314159 INVITE";
  Fields ack = invite;
  ack.method = "ACK";
  ack.cseq = "314159 ACK";
  ack.to_tag = "a6c85cf";
  EXPECT_EQ(server_key(ack), server_key(invite));

  Fields cancel = invite;
  cancel.method = "CANCEL";
  cancel.cseq = "314159 CANCEL";
  EXPECT_NE(server_key(cancel), server_key(invite));
}

// RFC 2543 requests carry no magic cookie, so §17.2.3 matches them on the
// Request-URI, tags, Call-ID, CSeq and the top Via.
Fields rfc2543_fields() {
  Fields fields;
  fields.via = "SIP/2.0/UDP pc.example.com:5060";
  return fields;
}

TEST(ServerTransactionKey, Rfc2543RetransmissionMatches) {
  EXPECT_EQ(server_key(rfc2543_fields()), server_key(rfc2543_fields()));
  EXPECT_FALSE(server_key(rfc2543_fields()).empty());
}

TEST(ServerTransactionKey, Rfc2543BranchWithoutCookieFallsBack) {
  Fields first = rfc2543_fields();
  first.via = "SIP/2.0/UDP pc.example.com:5060;branch=776asdhds";
  Fields other_call = first;
  other_call.call_id = "other@pc.example.com";
  EXPECT_NE(server_key(other_call), server_key(first));
}

TEST(ServerTransactionKey, Rfc2543EachFieldSeparates) {
  const std::string base = server_key(rfc2543_fields());
  struct Change {
    const char* field;
    void (*apply)(Fields&);
  };
  const Change changes[] = {
      {"Request-URI", [](Fields& f) { f.request_uri = "sip:other@example.net"; }},
      {"From tag", [](Fields& f) { f.from_tag = "other"; }},
      {"To tag", [](Fields& f) { f.to_tag = "other"; }},
      {"Call-ID", [](Fields& f) { f.call_id = "other@pc.example.com"; }},
      {"CSeq number", [](Fields& f) { f.cseq = "314160 MESSAGE"; }},
      {"method", [](Fields& f) {
         f.method = "OPTIONS";
         f.cseq = "314159 OPTIONS";
       }},
      {"top Via host", [](Fields& f) { f.via = "SIP/2.0/UDP pc2.example.com:5060"; }},
      {"top Via port", [](Fields& f) { f.via = "SIP/2.0/UDP pc.example.com:5070"; }},
      {"top Via transport", [](Fields& f) { f.via = "SIP/2.0/TCP pc.example.com:5060"; }},
  };
  for (const Change& change : changes) {
    Fields fields = rfc2543_fields();
    change.apply(fields);
    EXPECT_NE(server_key(fields), base) << change.field;
  }
}

TEST(ServerTransactionKey, Rfc2543KeyDiffersFromCookieKey) {
  Fields cookie;
  cookie.via = "SIP/2.0/UDP pc.example.com:5060;branch=z9hG4bK776asdhds";
  Fields no_cookie = cookie;
  no_cookie.via = "SIP/2.0/UDP pc.example.com:5060;branch=776asdhds";
  EXPECT_NE(server_key(cookie), server_key(no_cookie));
}

TEST(ServerTransactionKey, EmptyWithoutViaOrCSeq) {
  Fields no_via;
  no_via.via.clear();
  EXPECT_EQ(server_key(no_via), "");

  Fields no_cseq;
  no_cseq.cseq.clear();
  EXPECT_EQ(server_key(no_cseq), "");

  Fields rfc2543_no_cseq = rfc2543_fields();
  rfc2543_no_cseq.cseq.clear();
  EXPECT_EQ(server_key(rfc2543_no_cseq), "");
}

}  // namespace
}  // namespace sippay::sip
