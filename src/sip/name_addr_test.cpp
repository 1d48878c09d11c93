// From, To, Route, Record-Route and Contact (RFC 3261 §20.10, §20.20,
// §20.30, §20.34, §20.39, grammar §25.1).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/headers.hpp"
#include "sip/scanner.hpp"

namespace sippay::sip {
namespace {

struct InvalidCase {
  std::string_view value;
  std::size_t offset;
  std::string_view reason_part;  // a word the reason must contain
};

NameAddr parse_from_to_ok(std::string_view value) {
  auto result = parse_from_to(value, 0);
  if (!result.ok()) {
    ADD_FAILURE() << "value: " << value << "\nerror: " << result.error().to_string();
    return {};
  }
  return *result;
}

// ---------------------------------------------------------------- From, To

TEST(NameAddr, QuotedDisplayNameWithEscapes) {
  const NameAddr a = parse_from_to_ok(R"("A \"B\" C" <sip:alice@atlanta.com>;tag=1928301774)");
  EXPECT_EQ(a.display_name, R"("A \"B\" C")");
  EXPECT_EQ(unquote(a.display_name), R"(A "B" C)");
  EXPECT_TRUE(a.bracketed);
  EXPECT_EQ(a.uri.scheme, UriScheme::kSip);
  EXPECT_EQ(a.uri.user, "alice");
  EXPECT_EQ(a.uri.host, "atlanta.com");
  EXPECT_TRUE(a.has_tag);
  EXPECT_EQ(a.tag, "1928301774");
  EXPECT_EQ(a.params.size(), 1U);
  EXPECT_EQ(a.text, R"("A \"B\" C" <sip:alice@atlanta.com>;tag=1928301774)");
}

TEST(NameAddr, QuotedDisplayNameUtf8AndBackslash) {
  const NameAddr a = parse_from_to_ok("\"J\xC3\xB3zef \\\\ K\" <sip:j@example.pl>");
  EXPECT_EQ(unquote(a.display_name), "J\xC3\xB3zef \\ K");
  EXPECT_EQ(a.uri.host, "example.pl");
}

TEST(NameAddr, EmptyQuotedDisplayName) {
  const NameAddr a = parse_from_to_ok(R"("" <sip:bob@biloxi.com>)");
  EXPECT_EQ(a.display_name, R"("")");
  EXPECT_EQ(a.uri.user, "bob");
}

TEST(NameAddr, TokenDisplayNameOfSeveralWords) {
  const NameAddr a = parse_from_to_ok("Bob  Smith\tJr. <sip:bob@biloxi.com>;tag=a6c85cf");
  EXPECT_EQ(a.display_name, "Bob  Smith\tJr.");
  EXPECT_EQ(a.uri.user, "bob");
  EXPECT_EQ(a.tag, "a6c85cf");
}

TEST(NameAddr, TokenDisplayNameWithoutSpaceBeforeAngle) {
  const NameAddr a = parse_from_to_ok("Bob<sip:bob@biloxi.com>");
  EXPECT_EQ(a.display_name, "Bob");
  EXPECT_TRUE(a.bracketed);
  EXPECT_EQ(a.uri.host, "biloxi.com");
}

TEST(NameAddr, QuotedDisplayNameWithoutSpaceBeforeAngle) {
  const NameAddr a = parse_from_to_ok(R"("Bob"<sip:bob@biloxi.com>)");
  EXPECT_EQ(a.display_name, R"("Bob")");
  EXPECT_EQ(a.uri.host, "biloxi.com");
}

TEST(NameAddr, NoDisplayName) {
  const NameAddr a = parse_from_to_ok("<sip:bob@biloxi.com>");
  EXPECT_EQ(a.display_name, "");
  EXPECT_TRUE(a.bracketed);
  EXPECT_FALSE(a.has_tag);
  EXPECT_TRUE(a.params.empty());
}

TEST(NameAddr, AddrSpecTagBelongsToHeader) {
  const NameAddr a = parse_from_to_ok("sip:bob@biloxi.com;tag=a6c85cf;x-extra=1");
  EXPECT_FALSE(a.bracketed);
  EXPECT_EQ(a.display_name, "");
  EXPECT_EQ(a.uri.text, "sip:bob@biloxi.com");
  EXPECT_TRUE(a.uri.params.empty());
  EXPECT_EQ(a.tag, "a6c85cf");
  EXPECT_EQ(a.params.size(), 2U);
  EXPECT_TRUE(a.params.contains("x-extra"));
}

TEST(NameAddr, AddrSpecBeforeFoldedParams) {
  const NameAddr a = parse_from_to_ok("sip:bob@biloxi.com\r\n ;tag=a6c85cf");
  EXPECT_EQ(a.uri.text, "sip:bob@biloxi.com");
  EXPECT_EQ(a.tag, "a6c85cf");
}

TEST(NameAddr, BracketedUriParamsBelongToUri) {
  const NameAddr a = parse_from_to_ok("<sip:a@b.example.com;lr>;tag=x");
  EXPECT_EQ(a.uri.text, "sip:a@b.example.com;lr");
  EXPECT_TRUE(a.uri.params.contains("lr"));
  EXPECT_FALSE(a.uri.params.contains("tag"));
  EXPECT_EQ(a.tag, "x");
  EXPECT_EQ(a.params.size(), 1U);
  EXPECT_FALSE(a.params.contains("lr"));
}

TEST(NameAddr, BracketedUriMayHoldHeadersAndCommas) {
  const NameAddr a = parse_from_to_ok("<sip:a,b@example.com?subject=hi>");
  EXPECT_EQ(a.uri.user, "a,b");
  EXPECT_FALSE(a.uri.headers.empty());
}

TEST(NameAddr, OtherSchemes) {
  NameAddr a = parse_from_to_ok("<http://example.com/x>");
  EXPECT_EQ(a.uri.scheme, UriScheme::kOther);
  EXPECT_EQ(a.uri.scheme_text, "http");
  EXPECT_EQ(a.uri.text, "http://example.com/x");

  a = parse_from_to_ok("tel:+1234");
  EXPECT_EQ(a.uri.scheme, UriScheme::kTel);
  EXPECT_EQ(a.uri.user, "+1234");
  EXPECT_FALSE(a.bracketed);

  a = parse_from_to_ok("tel:+1234;tag=9");
  EXPECT_EQ(a.uri.user, "+1234");
  EXPECT_EQ(a.tag, "9");
}

TEST(NameAddr, TagNameIgnoresCase) {
  const NameAddr a = parse_from_to_ok("<sip:bob@biloxi.com>;TAG=abc");
  EXPECT_TRUE(a.has_tag);
  EXPECT_EQ(a.tag, "abc");
}

TEST(NameAddr, FoldedLinesAndSpaces) {
  const NameAddr a = parse_from_to_ok("\"Bob\"\r\n <sip:bob@biloxi.com>\r\n\t; tag = 1 ;x=\"a b\"");
  EXPECT_EQ(a.display_name, R"("Bob")");
  EXPECT_EQ(a.tag, "1");
  EXPECT_EQ(a.params.find("x")->value, R"("a b")");
}

TEST(NameAddr, ErrorOffsetAddsBase) {
  const auto result = parse_from_to("<sip:a@b.com>;tag=1;tag=2", 500);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().offset, 520U);
}

const std::vector<InvalidCase> kInvalidFromTo = {
    {"", 0, "address"},
    {R"("Alice <sip:a@b.com>)", 0, "unterminated"},
    {R"("Alice\" <sip:a@b.com>)", 0, "unterminated"},
    {"A, B <sip:x@y.com>", 1, "display name"},
    {"A@B <sip:x@y.com>", 1, "display name"},
    {"Alice", 5, "'<'"},
    {R"("Alice")", 7, "'<'"},
    {R"("Alice" sip:a@b.com)", 8, "display name"},
    {R"("Alice" Smith <sip:a@b.com>)", 8, "display name"},
    {"Bob\x01 <sip:a@b.com>", 3, "display name"},
    {"\"Bob\x01\" <sip:a@b.com>", 0, "control character"},
    {"\"Bob\r\" <sip:a@b.com>", 0, "line break"},
    {"< sip:a@b.com>", 1, "whitespace"},
    {"<sip:a@b.com >", 12, "whitespace"},
    {"<sip:a@b.com\r\n >", 14, "whitespace"},
    {"<sip:a@b.com", 1, "'>'"},
    {"<>", 1, "empty"},
    {"<<sip:a@b.com>", 1, "scheme"},
    {"<sip:a@b.com>>", 13, "unexpected"},
    {"<sip:a@b.com> junk", 14, "unexpected"},
    {"<sip:a@b.com>, <sip:c@d.com>", 13, "unexpected"},
    {"sip:a@b.com?subject=x", 0, "'<'"},
    {"sip:a@b.com,sip:c@d.com", 0, "'<'"},
    {"sip:", 4, "host"},
    {"<sip:a@b.com>;tag=1;tag=2", 20, "duplicate tag"},
    {"<sip:a@b.com>;tag", 14, "tag"},
    {"<sip:a@b.com>;tag=\"x\"", 14, "tag"},
    {"<sip:a@b.com>;tag=[::1]", 14, "tag"},
    {"<sip:a@b.com>;", 14, "parameter name"},
    {"<sip:a@b.com>;;tag=1", 14, "parameter name"},
    {"<sip:a@b.com>;tag=1\r", 19, "unexpected"},
    {"<sip:a@b.com>\r\n;tag=1", 13, "unexpected"},
};

TEST(NameAddr, InvalidValues) {
  for (const InvalidCase& c : kInvalidFromTo) {
    const auto result = parse_from_to(c.value, 0);
    if (result.ok()) {
      ADD_FAILURE() << "accepted: " << c.value;
      continue;
    }
    EXPECT_EQ(result.error().offset, c.offset)
        << "value: " << c.value << "\nerror: " << result.error().reason;
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string(c.reason_part), result.error().reason)
        << "value: " << c.value;
  }
}

// -------------------------------------------------------- Route, Record-Route

TEST(Route, SeveralBracketedElements) {
  std::vector<NameAddr> routes;
  const auto error = parse_route(
      "<sip:p1.example.com;lr>,\r\n <sip:p2.example.com;lr;transport=tcp> , \"Edge\" "
      "<sip:[2001:db8::1]:5061;lr>;x=1",
      0, routes);
  ASSERT_FALSE(error.has_value()) << error->to_string();
  ASSERT_EQ(routes.size(), 3U);
  EXPECT_EQ(routes[0].uri.host, "p1.example.com");
  EXPECT_TRUE(routes[0].uri.params.contains("lr"));
  EXPECT_TRUE(routes[0].bracketed);
  EXPECT_EQ(routes[0].text, "<sip:p1.example.com;lr>");
  EXPECT_EQ(routes[1].uri.host, "p2.example.com");
  EXPECT_EQ(routes[1].uri.params.find("transport")->value, "tcp");
  EXPECT_EQ(routes[2].display_name, R"("Edge")");
  EXPECT_EQ(routes[2].uri.host, "[2001:db8::1]");
  EXPECT_EQ(routes[2].uri.port, 5061);
  EXPECT_EQ(routes[2].params.find("x")->value, "1");
}

TEST(Route, AppendsToExistingList) {
  std::vector<NameAddr> routes;
  ASSERT_FALSE(parse_route("<sip:p1.example.com;lr>", 0, routes).has_value());
  ASSERT_FALSE(parse_route("<sip:p2.example.com;lr>", 0, routes).has_value());
  ASSERT_EQ(routes.size(), 2U);
  EXPECT_EQ(routes[1].uri.host, "p2.example.com");
}

const std::vector<InvalidCase> kInvalidRoute = {
    {"", 0, "address"},
    {"sip:p1.example.com;lr", 0, "'<'"},
    {"sip:p1.example.com", 0, "'<'"},
    {"<sip:p1.example.com;lr>, sip:p2.example.com;lr", 25, "'<'"},
    {"tel:+1234", 0, "'<'"},
    {"<sip:p1.example.com;lr>,", 24, "address"},
    {"@<sip:p1.example.com>", 0, "address"},
    {"<sip:p1.example.com;lr>,,<sip:p2.example.com>", 24, "address"},
    {"<sip:p1.example.com;lr> <sip:p2.example.com>", 24, "unexpected"},
    {"<sip:p1.example.com;lr", 1, "'>'"},
};

TEST(Route, InvalidValues) {
  for (const InvalidCase& c : kInvalidRoute) {
    std::vector<NameAddr> routes;
    const auto error = parse_route(c.value, 0, routes);
    if (!error.has_value()) {
      ADD_FAILURE() << "accepted: " << c.value;
      continue;
    }
    EXPECT_EQ(error->offset, c.offset) << "value: " << c.value << "\nerror: " << error->reason;
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string(c.reason_part), error->reason)
        << "value: " << c.value;
  }
}

// ------------------------------------------------------------------ Contact

struct ContactResult {
  std::optional<ParseError> error;
  std::vector<Contact> contacts;
  bool star = false;
};

ContactResult parse_contact_value(std::string_view value) {
  ContactResult result;
  result.error = parse_contact(value, 0, result.contacts, result.star);
  return result;
}

TEST(Contact, Star) {
  const ContactResult r = parse_contact_value("*");
  ASSERT_FALSE(r.error.has_value()) << r.error->to_string();
  EXPECT_TRUE(r.star);
  EXPECT_TRUE(r.contacts.empty());
}

TEST(Contact, ListWithQAndExpires) {
  const ContactResult r = parse_contact_value(
      "\"Mr. Watson\" <sip:watson@worcester.bell-telephone.com>;q=0.7; expires=3600,\r\n "
      "\"Mr. Watson\" <mailto:watson@bell-telephone.com> ;q=0.1");
  ASSERT_FALSE(r.error.has_value()) << r.error->to_string();
  EXPECT_FALSE(r.star);
  ASSERT_EQ(r.contacts.size(), 2U);
  EXPECT_EQ(unquote(r.contacts[0].address.display_name), "Mr. Watson");
  EXPECT_EQ(r.contacts[0].address.uri.host, "worcester.bell-telephone.com");
  EXPECT_EQ(r.contacts[0].q_thousandths, 700);
  ASSERT_TRUE(r.contacts[0].expires.has_value());
  EXPECT_EQ(*r.contacts[0].expires, 3600U);
  EXPECT_EQ(r.contacts[1].address.uri.scheme, UriScheme::kOther);
  EXPECT_EQ(r.contacts[1].address.uri.scheme_text, "mailto");
  EXPECT_EQ(r.contacts[1].q_thousandths, 100);
  EXPECT_FALSE(r.contacts[1].expires.has_value());
}

TEST(Contact, BareUrisInList) {
  const ContactResult r =
      parse_contact_value("sip:a@b.example.com;expires=60, sip:c@d.example.com");
  ASSERT_FALSE(r.error.has_value()) << r.error->to_string();
  ASSERT_EQ(r.contacts.size(), 2U);
  EXPECT_EQ(r.contacts[0].address.uri.text, "sip:a@b.example.com");
  EXPECT_TRUE(r.contacts[0].address.uri.params.empty());
  EXPECT_EQ(r.contacts[0].expires, 60U);
  EXPECT_EQ(r.contacts[1].address.uri.text, "sip:c@d.example.com");
  EXPECT_EQ(r.contacts[1].q_thousandths, -1);
}

TEST(Contact, QValueBounds) {
  const std::vector<std::pair<std::string_view, int>> cases = {
      {"0", 0},       {"0.", 0},   {"0.0", 0},   {"0.001", 1},  {"0.5", 500},
      {"0.999", 999}, {"1", 1000}, {"1.", 1000}, {"1.0", 1000}, {"1.000", 1000},
  };
  for (const auto& [q, thousandths] : cases) {
    const std::string value = "<sip:a@b.example.com>;q=" + std::string(q);
    const ContactResult r = parse_contact_value(value);
    if (r.error.has_value()) {
      ADD_FAILURE() << "rejected: " << value << "\nerror: " << r.error->reason;
      continue;
    }
    ASSERT_EQ(r.contacts.size(), 1U);
    EXPECT_EQ(r.contacts[0].q_thousandths, thousandths) << value;
  }
}

TEST(Contact, ExpiresBounds) {
  ContactResult r = parse_contact_value("<sip:a@b.example.com>;expires=0");
  ASSERT_FALSE(r.error.has_value());
  EXPECT_EQ(r.contacts[0].expires, 0U);
  r = parse_contact_value("<sip:a@b.example.com>;expires=4294967295");
  ASSERT_FALSE(r.error.has_value());
  EXPECT_EQ(r.contacts[0].expires, 4294967295U);
}

TEST(Contact, ExtensionParamsKept) {
  const ContactResult r =
      parse_contact_value("<sip:a@b.example.com>;+sip.instance=\"<urn:uuid:1>\";reg-id=1");
  ASSERT_FALSE(r.error.has_value()) << r.error->to_string();
  ASSERT_EQ(r.contacts.size(), 1U);
  EXPECT_EQ(r.contacts[0].address.params.find("+sip.instance")->value, "\"<urn:uuid:1>\"");
  EXPECT_EQ(r.contacts[0].address.params.find("reg-id")->value, "1");
}

const std::vector<InvalidCase> kInvalidContact = {
    {"", 0, "address"},
    {"<sip:a@b.example.com>;q=1.001", 22, "q value"},
    {"<sip:a@b.example.com>;q=2", 22, "q value"},
    {"<sip:a@b.example.com>;q=1.5", 22, "q value"},
    {"<sip:a@b.example.com>;q=0.0001", 22, "q value"},
    {"<sip:a@b.example.com>;q=.5", 22, "q value"},
    {"<sip:a@b.example.com>;q=-0.5", 22, "q value"},
    {"<sip:a@b.example.com>;q=0.5x", 22, "q value"},
    {"<sip:a@b.example.com>;q=\"0.5\"", 22, "q value"},
    {"<sip:a@b.example.com>;q", 22, "q value"},
    {"<sip:a@b.example.com>;q=0.5;q=0.7", 28, "duplicate"},
    {"<sip:a@b.example.com>;expires=4294967296", 22, "expires"},
    {"<sip:a@b.example.com>;expires=99999999999999999999999", 22, "expires"},
    {"<sip:a@b.example.com>;expires=-1", 22, "expires"},
    {"<sip:a@b.example.com>;expires=1h", 22, "expires"},
    {"<sip:a@b.example.com>;expires", 22, "expires"},
    {"<sip:a@b.example.com>;expires=60;expires=0", 33, "duplicate"},
    {"*, <sip:a@b.example.com>", 0, "'*'"},
    {"<sip:a@b.example.com>, *", 23, "'*'"},
    {"*;expires=0", 0, "'*'"},
    {"**", 0, "'*'"},
    {"<sip:a@b.example.com>,", 22, "address"},
    {"sip:a@b.example.com?x=y", 0, "'<'"},
};

TEST(Contact, InvalidValues) {
  for (const InvalidCase& c : kInvalidContact) {
    const ContactResult r = parse_contact_value(c.value);
    if (!r.error.has_value()) {
      ADD_FAILURE() << "accepted: " << c.value;
      continue;
    }
    EXPECT_EQ(r.error->offset, c.offset) << "value: " << c.value << "\nerror: " << r.error->reason;
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string(c.reason_part), r.error->reason)
        << "value: " << c.value;
  }
}

}  // namespace
}  // namespace sippay::sip
