#include "sip/uri.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace sippay::sip {
namespace {

using namespace std::string_view_literals;

constexpr int kNoPort = -1;

struct SipCase {
  std::string_view text;
  UriScheme scheme;
  std::string_view user;      // "-" when the URI has no user part
  std::string_view password;  // "-" when the URI has no password
  std::string_view host;
  HostType host_type;
  int port;  // kNoPort when absent
  std::string_view params;
  std::string_view headers;
};

// Valid SIP and SIPS URIs, written from the RFC 3261 §25.1 grammar.
const std::vector<SipCase> kValidSip = {
    {"sip:alice@atlanta.com", UriScheme::kSip, "alice", "-", "atlanta.com", HostType::kHostname,
     kNoPort, "", ""},
    {"SIP:alice@atlanta.com", UriScheme::kSip, "alice", "-", "atlanta.com", HostType::kHostname,
     kNoPort, "", ""},
    {"sips:alice@atlanta.com", UriScheme::kSips, "alice", "-", "atlanta.com", HostType::kHostname,
     kNoPort, "", ""},
    {"sip:atlanta.com", UriScheme::kSip, "-", "-", "atlanta.com", HostType::kHostname, kNoPort, "",
     ""},
    {"sip:alice:secretword@atlanta.com;transport=tcp", UriScheme::kSip, "alice", "secretword",
     "atlanta.com", HostType::kHostname, kNoPort, ";transport=tcp", ""},
    {"sips:alice@atlanta.com?subject=project%20x&priority=urgent", UriScheme::kSips, "alice", "-",
     "atlanta.com", HostType::kHostname, kNoPort, "", "?subject=project%20x&priority=urgent"},
    {"sip:+1-212-555-1212:1234@gateway.com;user=phone", UriScheme::kSip, "+1-212-555-1212", "1234",
     "gateway.com", HostType::kHostname, kNoPort, ";user=phone", ""},
    {"sips:1212@gateway.com", UriScheme::kSips, "1212", "-", "gateway.com", HostType::kHostname,
     kNoPort, "", ""},
    {"sip:alice@192.0.2.4", UriScheme::kSip, "alice", "-", "192.0.2.4", HostType::kIpv4, kNoPort,
     "", ""},
    {"sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com", UriScheme::kSip, "-", "-",
     "atlanta.com", HostType::kHostname, kNoPort, ";method=REGISTER", "?to=alice%40atlanta.com"},
    {"sip:alice;day=tuesday@atlanta.com", UriScheme::kSip, "alice;day=tuesday", "-", "atlanta.com",
     HostType::kHostname, kNoPort, "", ""},
    {"sip:alice@atlanta.com:5060", UriScheme::kSip, "alice", "-", "atlanta.com",
     HostType::kHostname, 5060, "", ""},
    {"sip:[::1]", UriScheme::kSip, "-", "-", "[::1]", HostType::kIpv6, kNoPort, "", ""},
    {"sip:alice@[2001:db8::1]:5061;transport=tls", UriScheme::kSip, "alice", "-", "[2001:db8::1]",
     HostType::kIpv6, 5061, ";transport=tls", ""},
    {"sip:[2001:DB8:0:0:8:800:200C:417A]", UriScheme::kSip, "-", "-",
     "[2001:DB8:0:0:8:800:200C:417A]", HostType::kIpv6, kNoPort, "", ""},
    {"sip:[::ffff:192.0.2.1]:5070", UriScheme::kSip, "-", "-", "[::ffff:192.0.2.1]",
     HostType::kIpv6, 5070, "", ""},
    {"sip:[1:2:3:4:5:6:192.0.2.1]", UriScheme::kSip, "-", "-", "[1:2:3:4:5:6:192.0.2.1]",
     HostType::kIpv6, kNoPort, "", ""},
    {"sip:[::]", UriScheme::kSip, "-", "-", "[::]", HostType::kIpv6, kNoPort, "", ""},
    {"sip:[1::]", UriScheme::kSip, "-", "-", "[1::]", HostType::kIpv6, kNoPort, "", ""},
    {"sip:[1:2:3:4:5:6:7::]", UriScheme::kSip, "-", "-", "[1:2:3:4:5:6:7::]", HostType::kIpv6,
     kNoPort, "", ""},
    {"sip:[::2:3:4:5:6:7:8]", UriScheme::kSip, "-", "-", "[::2:3:4:5:6:7:8]", HostType::kIpv6,
     kNoPort, "", ""},
    {"sip:[::1.2.3.4]", UriScheme::kSip, "-", "-", "[::1.2.3.4]", HostType::kIpv6, kNoPort, "", ""},
    {"sip:host.example.com.", UriScheme::kSip, "-", "-", "host.example.com.", HostType::kHostname,
     kNoPort, "", ""},
    {"sip:a-b.c--d.example", UriScheme::kSip, "-", "-", "a-b.c--d.example", HostType::kHostname,
     kNoPort, "", ""},
    {"sip:x", UriScheme::kSip, "-", "-", "x", HostType::kHostname, kNoPort, "", ""},
    {"sip:1.2.3.4.example.com", UriScheme::kSip, "-", "-", "1.2.3.4.example.com",
     HostType::kHostname, kNoPort, "", ""},
    {"sip:255.255.255.255", UriScheme::kSip, "-", "-", "255.255.255.255", HostType::kIpv4, kNoPort,
     "", ""},
    {"sip:0.0.0.0:0", UriScheme::kSip, "-", "-", "0.0.0.0", HostType::kIpv4, 0, "", ""},
    {"sip:010.001.0.1", UriScheme::kSip, "-", "-", "010.001.0.1", HostType::kIpv4, kNoPort, "", ""},
    {"sip:alice:@atlanta.com", UriScheme::kSip, "alice", "", "atlanta.com", HostType::kHostname,
     kNoPort, "", ""},
    {"sip:%61lice@atlanta.com", UriScheme::kSip, "%61lice", "-", "atlanta.com", HostType::kHostname,
     kNoPort, "", ""},
    {"sip:a%00b@host", UriScheme::kSip, "a%00b", "-", "host", HostType::kHostname, kNoPort, "", ""},
    {"sip:&=+$,;?/-_.!~*'()@host", UriScheme::kSip, "&=+$,;?/-_.!~*'()", "-", "host",
     HostType::kHostname, kNoPort, "", ""},
    {"sip:u:&=+$,-_.!~*'()%20@host", UriScheme::kSip, "u", "&=+$,-_.!~*'()%20", "host",
     HostType::kHostname, kNoPort, "", ""},
    {"sip:host;lr", UriScheme::kSip, "-", "-", "host", HostType::kHostname, kNoPort, ";lr", ""},
    {"sip:host;a=[::1]:5060/+$&;b%41=%42", UriScheme::kSip, "-", "-", "host", HostType::kHostname,
     kNoPort, ";a=[::1]:5060/+$&;b%41=%42", ""},
    {"sip:host?subject=", UriScheme::kSip, "-", "-", "host", HostType::kHostname, kNoPort, "",
     "?subject="},
    {"sip:host?a=[]/?:+$&b%41=%42", UriScheme::kSip, "-", "-", "host", HostType::kHostname, kNoPort,
     "", "?a=[]/?:+$&b%41=%42"},
    {"sip:host:65535", UriScheme::kSip, "-", "-", "host", HostType::kHostname, 65535, "", ""},
    {"sip:host:005060;lr", UriScheme::kSip, "-", "-", "host", HostType::kHostname, 5060, ";lr", ""},
    {"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", UriScheme::kSip, "-",
     "-", "biloxi.com", HostType::kHostname, kNoPort, ";transport=tcp;method=REGISTER",
     "?to=sip:bob%40biloxi.com"},
    {"sip:alice@AtLanTa.CoM;Transport=UDP", UriScheme::kSip, "alice", "-", "AtLanTa.CoM",
     HostType::kHostname, kNoPort, ";Transport=UDP", ""},
    // Around the edges of the common form that parse_uri reads in one pass.
    {"sip:merchant-gw.pay.test:5061;transport=tls;lr", UriScheme::kSip, "-", "-",
     "merchant-gw.pay.test", HostType::kHostname, 5061, ";transport=tls;lr", ""},
    {"sip:alice@198.51.100.7:40721;transport=tls", UriScheme::kSip, "alice", "-", "198.51.100.7",
     HostType::kIpv4, 40721, ";transport=tls", ""},
    {"SiPs:a.b-c_d@h9.Example;x;y=z", UriScheme::kSips, "a.b-c_d", "-", "h9.Example",
     HostType::kHostname, kNoPort, ";x;y=z", ""},
    {"sip:host:0000080", UriScheme::kSip, "-", "-", "host", HostType::kHostname, 80, "", ""},
    {"sip:host:5060@x", UriScheme::kSip, "host", "5060", "x", HostType::kHostname, kNoPort, "", ""},
    {"sip:h;a=b@c", UriScheme::kSip, "h;a=b", "-", "c", HostType::kHostname, kNoPort, "", ""},
    {"sip:9.example:1;a", UriScheme::kSip, "-", "-", "9.example", HostType::kHostname, 1, ";a", ""},
};

void expect_sip_case(const SipCase& expected, const Uri& uri) {
  EXPECT_EQ(uri.scheme, expected.scheme);
  EXPECT_EQ(uri.text, expected.text);
  EXPECT_EQ(uri.scheme_text, expected.text.substr(0, expected.text.find(':')));
  EXPECT_EQ(uri.has_user, expected.user != "-");
  if (expected.user != "-") {
    EXPECT_EQ(uri.user, expected.user);
  }
  EXPECT_EQ(uri.has_password, expected.password != "-");
  if (expected.password != "-") {
    EXPECT_EQ(uri.password, expected.password);
  }
  EXPECT_EQ(uri.host, expected.host);
  EXPECT_EQ(uri.host_type, expected.host_type);
  EXPECT_EQ(uri.has_port, expected.port != kNoPort);
  if (expected.port != kNoPort) {
    EXPECT_EQ(uri.port, expected.port);
  }
  EXPECT_EQ(uri.params.raw(), expected.params);
  EXPECT_EQ(uri.params.style(), ParamList::Style::kUri);
  EXPECT_EQ(uri.headers.raw(), expected.headers);
  EXPECT_EQ(uri.headers.style(), ParamList::Style::kUriHeaders);
  EXPECT_TRUE(uri.opaque.empty());
  EXPECT_TRUE(uri.is_sip_or_sips());
}

TEST(UriSip, ValidForms) {
  for (const SipCase& expected : kValidSip) {
    SCOPED_TRACE(expected.text);
    const Result<Uri> uri = parse_uri(expected.text);
    ASSERT_TRUE(uri.ok()) << uri.error().reason;
    expect_sip_case(expected, *uri);
  }
}

TEST(UriSip, ParseIntoResetsTarget) {
  Uri uri;
  ASSERT_FALSE(parse_uri_into("sips:a:b@h.example:5;x=y?h=v", 0, uri).has_value());
  ASSERT_FALSE(parse_uri_into("sip:c", 0, uri).has_value());
  EXPECT_EQ(uri.scheme, UriScheme::kSip);
  EXPECT_FALSE(uri.has_user);
  EXPECT_FALSE(uri.has_password);
  EXPECT_EQ(uri.host, "c");
  EXPECT_FALSE(uri.has_port);
  EXPECT_TRUE(uri.params.empty());
  EXPECT_TRUE(uri.headers.empty());

  const auto error = parse_uri_into("sip:a@", 100, uri);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, 106U);
}

TEST(UriSip, ParamsAndHeadersIterate) {
  const Result<Uri> uri = parse_uri(
      "sip:alice@atlanta.com;transport=tcp;lr;maddr=239.255.255.1"
      "?subject=project%20x&priority=urgent");
  ASSERT_TRUE(uri.ok()) << uri.error().reason;
  EXPECT_EQ(uri->params.size(), 3U);
  const auto transport = uri->params.find("TRANSPORT");
  ASSERT_TRUE(transport.has_value());
  EXPECT_EQ(transport->value, "tcp");
  const auto lr = uri->params.find("lr");
  ASSERT_TRUE(lr.has_value());
  EXPECT_FALSE(lr->has_value);
  EXPECT_EQ(uri->params.find("maddr")->value, "239.255.255.1");

  EXPECT_EQ(uri->headers.size(), 2U);
  const auto subject = uri->headers.find("Subject");
  ASSERT_TRUE(subject.has_value());
  EXPECT_EQ(subject->value, "project%20x");
  EXPECT_EQ(unescape(subject->value), "project x");
  EXPECT_EQ(uri->headers.find("priority")->value, "urgent");
}

TEST(UriSip, ViewsPointIntoInput) {
  const std::string text = "sip:bob:pw@biloxi.com:5060;lr?x=1";
  const Result<Uri> uri = parse_uri(text);
  ASSERT_TRUE(uri.ok()) << uri.error().reason;
  EXPECT_EQ(uri->text.data(), text.data());
  EXPECT_EQ(uri->user.data(), text.data() + 4);
  EXPECT_EQ(uri->password.data(), text.data() + 8);
  EXPECT_EQ(uri->host.data(), text.data() + 11);
  EXPECT_EQ(uri->params.raw().data(), text.data() + 26);
  EXPECT_EQ(uri->headers.raw().data(), text.data() + 29);
}

struct InvalidCase {
  std::string_view text;
  std::string_view reason;  // a part of the expected reason
  std::size_t offset;       // position of the error in `text`
};

void expect_invalid(const InvalidCase& expected) {
  SCOPED_TRACE(expected.text);
  constexpr std::size_t kBase = 1000;
  const Result<Uri> uri = parse_uri(expected.text, kBase);
  ASSERT_FALSE(uri.ok());
  EXPECT_NE(uri.error().reason.find(expected.reason), std::string::npos)
      << "reason: " << uri.error().reason;
  EXPECT_EQ(uri.error().offset, kBase + expected.offset) << "reason: " << uri.error().reason;
  EXPECT_EQ(uri.error().status_code, 400);
  EXPECT_EQ(uri.error().reason.find_first_of("\r\n"), std::string::npos);
}

TEST(UriSip, InvalidUserinfo) {
  const std::vector<InvalidCase> cases = {
      {"sip:@atlanta.com", "empty user part", 4},
      {"sip::pw@atlanta.com", "empty user part", 4},
      {"sip:al#ice@atlanta.com", "invalid character '#' in user part of URI: escape it as %23", 6},
      {"sip:al\"ice@atlanta.com", "invalid character '\"' in user part", 6},
      {"sip:alice:pa:ss@atlanta.com", "invalid character ':' in password", 12},
      {"sip:alice:p;w@atlanta.com", "invalid character ';' in password", 11},
      {"sip:alice@atlanta.com@biloxi.com", "invalid character '@' in host", 21},
      {"sip:alice smith@atlanta.com", "invalid space in user part of URI: escape it as %20", 9},
  };
  for (const InvalidCase& c : cases) expect_invalid(c);
}

TEST(UriSip, InvalidHosts) {
  const std::vector<InvalidCase> cases = {
      {"sip:", "missing host", 4},
      {"sip:alice@", "missing host", 10},
      {"sip:alice@:5060", "missing host", 10},
      {"sip:;lr", "missing host", 4},
      {"sip:256.1.1.1", "invalid host \"256.1.1.1\" in URI: an IPv4 address must be", 4},
      {"sip:1.2.3", "an IPv4 address must be four numbers", 4},
      {"sip:1.2.3.4.", "an IPv4 address must be four numbers", 4},
      {"sip:1.2.3.4.5", "an IPv4 address must be four numbers", 4},
      {"sip:1.2.3.1000", "an IPv4 address must be four numbers", 4},
      {"sip:-host.com", "a label starts with '-'", 4},
      {"sip:host-.com", "a label ends with '-'", 4},
      {"sip:host.com-", "a label ends with '-'", 4},
      {"sip:host..com", "a label is empty", 4},
      {"sip:.host", "a label is empty", 4},
      {"sip:example.123", "the last label must start with a letter", 4},
      {"sip:ho_st", "invalid character '_' in host", 6},
      {"sip:_host", "invalid character '_' in host", 4},
      {"sip:alice@host%41", "invalid character '%' in host", 14},
      {"sip:alice@atlanta.com>", "invalid character '>' in host", 21},
  };
  for (const InvalidCase& c : cases) expect_invalid(c);
}

TEST(UriSip, InvalidIpv6) {
  const std::vector<InvalidCase> cases = {
      {"sip:[1::2::3]", "invalid IPv6 address \"1::2::3\" in URI: it contains '::' more than once",
       5},
      {"sip:[12345::]", "a group has more than 4 hex digits", 5},
      {"sip:[::1", "missing ']' after IPv6 address", 4},
      {"sip:[1:2:3:4:5:6:7]", "it does not have 8 groups", 5},
      {"sip:[1:2:3:4:5:6:7:8:9]", "it has more than 8 groups", 5},
      {"sip:[1:2:3:4:5:6:7:8::]", "'::' must replace at least one group", 5},
      {"sip:[::1:2:3:4:5:6:7:8]", "'::' must replace at least one group", 5},
      {"sip:[:1::]", "it starts with a single ':'", 5},
      {"sip:[1:]", "it ends with a single ':'", 5},
      {"sip:[1:::2]", "a group is empty", 5},
      {"sip:[]", "the address is empty", 5},
      {"sip:[1.2.3.4]", "it does not have 8 groups", 5},
      {"sip:[::1.2.3.256]", "the IPv4 part is invalid", 5},
      {"sip:[::1.2.3]", "the IPv4 part is invalid", 5},
      {"sip:[1:2:3:4:5:6:7:1.2.3.4]", "too many groups before the IPv4 part", 5},
      {"sip:[g::]", "invalid character 'g' in IPv6 address", 5},
      {"sip:[fe80::1%eth0]", "invalid character '%' in IPv6 address", 12},
      {"sip:[::1]x", "invalid character 'x' in host", 9},
      {"sip:[::1]]", "invalid character ']' in host", 9},
  };
  for (const InvalidCase& c : cases) expect_invalid(c);
}

TEST(UriSip, InvalidPorts) {
  const std::vector<InvalidCase> cases = {
      {"sip:host:65536", "invalid port \"65536\" in URI: must be 0 to 65535", 9},
      {"sip:host:99999", "invalid port \"99999\" in URI: must be 0 to 65535", 9},
      {"sip:host:99999999999999999999999", "must be 0 to 65535", 9},
      {"sip:host:", "missing port number after ':'", 9},
      {"sip:host:;lr", "missing port number after ':'", 9},
      {"sip:host:5o60", "invalid character 'o' in port", 10},
      {"sip:host:-1", "invalid character '-' in port", 9},
      {"sip:host:5060:5061", "invalid character ':' in port", 13},
      {"sip:[::1]:x", "invalid character 'x' in port", 10},
  };
  for (const InvalidCase& c : cases) expect_invalid(c);
}

TEST(UriSip, InvalidParamsAndHeaders) {
  const std::vector<InvalidCase> cases = {
      {"sip:host;", "empty parameter name", 9},
      {"sip:host;=x", "empty parameter name", 9},
      {"sip:host;;lr", "empty parameter name", 9},
      {"sip:host;a=", "empty value for URI parameter \"a\"", 11},
      {"sip:host;a=;b", "empty value for URI parameter \"a\"", 11},
      {"sip:host;a=b=c", "invalid character '=' in parameter of URI: escape it as %3D", 12},
      {"sip:host;a b", "invalid space in parameter of URI", 10},
      {"sip:host;a\"b", "invalid character '\"' in parameter of URI", 10},
      {"sip:host?", "empty header name", 9},
      {"sip:host?=x", "empty header name", 9},
      {"sip:host?a=b&", "empty header name", 13},
      {"sip:host?a=b&&c=d", "empty header name", 13},
      {"sip:host?subject", "missing '=' after header name \"subject\"", 16},
      {"sip:host?subject&a=b", "missing '=' after header name \"subject\"", 16},
      {"sip:host?a=b;c=d", "invalid character ';' in header value", 12},
      {"sip:host?a=b#c", "invalid character '#' in header value of URI: escape it as %23", 12},
      {"sip:host?a=b c", "invalid space in header value", 12},
  };
  for (const InvalidCase& c : cases) expect_invalid(c);
}

TEST(UriEscape, ValidEscapesStayInViews) {
  const Result<Uri> uri = parse_uri("sip:%41l%69ce:p%2Aw@host;n%41me=v%41l?h%41=%00");
  ASSERT_TRUE(uri.ok()) << uri.error().reason;
  EXPECT_EQ(uri->user, "%41l%69ce");
  EXPECT_EQ(unescape(uri->user), "Alice");
  EXPECT_EQ(uri->password, "p%2Aw");
  EXPECT_EQ(unescape(uri->password), "p*w");
  EXPECT_EQ(uri->params.find("n%41me")->value, "v%41l");
  const auto header = uri->headers.find("h%41");
  ASSERT_TRUE(header.has_value());
  EXPECT_EQ(unescape(header->value), std::string(1, '\0'));
}

TEST(UriEscape, MalformedEscapesRejected) {
  const std::vector<InvalidCase> cases = {
      {"sip:%4@host", "invalid escape \"%4@\" in URI: '%' must be followed by two hex digits", 4},
      {"sip:host?a=%4", "invalid escape \"%4\"", 11},
      {"sip:host;a=%", "invalid escape \"%\"", 11},
      {"sip:%zz@host", "invalid escape \"%zz\"", 4},
      {"sip:%g1@host", "invalid escape \"%g1\"", 4},
      {"sip:u:%1@host", "invalid escape \"%1@\"", 6},
      {"sip:host;a=%4", "invalid escape \"%4\"", 11},
      {"sip:host;%zz", "invalid escape \"%zz\"", 9},
      {"sip:host?a=%", "invalid escape \"%\"", 11},
      {"sip:host?%x1=b", "invalid escape \"%x1\"", 9},
      {"sip:a%0\n@host", R"(invalid escape "%0\x0A")", 5},
  };
  for (const InvalidCase& c : cases) expect_invalid(c);
}

TEST(UriEscape, UnescapeDecodes) {
  EXPECT_EQ(unescape("%41%62c"), "Abc");
  EXPECT_EQ(unescape("project%20x"), "project x");
  EXPECT_EQ(unescape("%3b%3B"), ";;");
  EXPECT_EQ(unescape("%00"), std::string(1, '\0'));
  EXPECT_EQ(unescape("%FF").size(), 1U);
  EXPECT_EQ(static_cast<unsigned char>(unescape("%FF")[0]), 0xFF);
  EXPECT_EQ(unescape("plain"), "plain");
  EXPECT_EQ(unescape(""), "");
}

// Bytes that may appear nowhere in a URI: whitespace, controls, DEL and
// non-ASCII bytes.
std::vector<char> forbidden_bytes() {
  std::vector<char> bytes;
  for (int byte = 0; byte <= 0x20; ++byte) bytes.push_back(static_cast<char>(byte));
  for (int byte : {0x7F, 0x80, 0xA0, 0xC3, 0xFF}) bytes.push_back(static_cast<char>(byte));
  return bytes;
}

TEST(UriControlCharacters, RejectedInEveryPart) {
  // Each template has a '|' where the byte goes.
  const std::vector<std::string_view> templates = {
      "|sip:alice@host",
      "sip|:alice@host",
      "sip:|alice@host",
      "sip:al|ice:pw@host;p=v?h=v",
      "sip:alice:p|w@host;p=v?h=v",
      "sip:alice:pw|@host;p=v?h=v",
      "sip:alice:pw@|host;p=v?h=v",
      "sip:alice:pw@ho|st;p=v?h=v",
      "sip:alice:pw@host|;p=v?h=v",
      "sip:[::|1]",
      "sip:[::1]|",
      "sip:host:50|60",
      "sip:host;p|=v?h=v",
      "sip:host;p=|v?h=v",
      "sip:host;p=v|?h=v",
      "sip:host;p=v?h|=v",
      "sip:host;p=v?h=|v",
      "sip:host;p=v?h=v|",
      "sips:alice@host|",
      "tel:+1-201-|555-0123",
      "tel:+1|;ext=1",
      "tel:+1;ex|t=1",
      "tel:+1;ext=1|",
      "tel:+1;isub=1|",
      "tel:1234;phone-context=exam|ple.com",
      "im:alice|@atlanta.com",
      "http://x/|",
  };
  for (std::string_view pattern : templates) {
    const std::size_t position = pattern.find('|');
    for (char byte : forbidden_bytes()) {
      std::string text(pattern);
      text[position] = byte;
      SCOPED_TRACE(::testing::Message() << "template " << pattern << ", byte 0x" << std::hex
                                        << static_cast<int>(static_cast<unsigned char>(byte)));
      const Result<Uri> uri = parse_uri(text);
      ASSERT_FALSE(uri.ok());
      EXPECT_EQ(uri.error().offset, position) << uri.error().reason;
      EXPECT_EQ(uri.error().reason.find_first_of(std::string_view("\r\n\0", 3)), std::string::npos);
    }
  }
}

TEST(UriControlCharacters, NamedInReason) {
  const std::vector<InvalidCase> cases = {
      {"sip:alice@host\r\n", "invalid carriage return (CR) in host", 14},
      {"sip:alice@host\n", "invalid line feed (LF) in host", 14},
      {"sip:al\tice@host", "invalid tab in user part", 6},
      {"sip:al\x01ice@host", "invalid control character 0x01 in user part", 6},
      {"sip:al\x7Fice@host", "invalid control character 0x7F in user part", 6},
      {"sip:alic\xC3\xA9@host", "invalid non-ASCII byte 0xC3 in user part", 8},
      {"sip:host;a=b "sv, "invalid space in parameter of URI", 12},
      {"sip:host\0"sv, "invalid NUL byte in host", 8},
  };
  for (const InvalidCase& c : cases) expect_invalid(c);
}

TEST(UriScheme, InvalidSchemes) {
  const std::vector<InvalidCase> cases = {
      {"", "empty URI", 0},
      {"sip", "missing ':' after the scheme in URI \"sip\"", 3},
      {"alice@atlanta.com", "invalid character '@' in scheme", 5},
      {"1sip:host", "the scheme must start with a letter", 0},
      {":host", "the scheme must start with a letter", 0},
      {"si p:host", "invalid space in scheme", 2},
      {"s_p:host", "invalid character '_' in scheme", 1},
  };
  for (const InvalidCase& c : cases) expect_invalid(c);
}

struct TelCase {
  std::string_view text;
  std::string_view number;
  std::string_view params;
};

const std::vector<TelCase> kValidTel = {
    {"tel:+1-201-555-0123", "+1-201-555-0123", ""},
    {"TEL:+12015550123", "+12015550123", ""},
    {"tel:+1(201)555.0123", "+1(201)555.0123", ""},
    {"tel:7042;phone-context=example.com", "7042", ";phone-context=example.com"},
    {"tel:863-1234;phone-context=+1-914-555", "863-1234", ";phone-context=+1-914-555"},
    {"tel:+1-201-555-0123;ext=1234", "+1-201-555-0123", ";ext=1234"},
    {"tel:*21#;phone-context=example.com.", "*21#", ";phone-context=example.com."},
    {"tel:aBc-1;phone-context=example.com", "aBc-1", ";phone-context=example.com"},
    {"tel:+358-555-1234567;postd=pp22", "+358-555-1234567", ";postd=pp22"},
    {"tel:+1;isub=12@3?x,y=z", "+1", ";isub=12@3?x,y=z"},
    {"tel:+1;a-b=[x]:/&+$%41;flag", "+1", ";a-b=[x]:/&+$%41;flag"},
    {"tel:1;ext=2;phone-context=+3;x=y", "1", ";ext=2;phone-context=+3;x=y"},
};

TEST(UriTel, ValidNumbers) {
  for (const TelCase& expected : kValidTel) {
    SCOPED_TRACE(expected.text);
    const Result<Uri> uri = parse_uri(expected.text);
    ASSERT_TRUE(uri.ok()) << uri.error().reason;
    EXPECT_EQ(uri->scheme, UriScheme::kTel);
    EXPECT_EQ(uri->scheme_text, expected.text.substr(0, 3));
    EXPECT_TRUE(uri->has_user);
    EXPECT_EQ(uri->user, expected.number);
    EXPECT_EQ(uri->params.raw(), expected.params);
    EXPECT_EQ(uri->params.style(), ParamList::Style::kUri);
    EXPECT_TRUE(uri->headers.empty());
    EXPECT_TRUE(uri->host.empty());
    EXPECT_EQ(uri->host_type, HostType::kNone);
    EXPECT_FALSE(uri->has_port);
    EXPECT_FALSE(uri->is_sip_or_sips());
  }
}

TEST(UriTel, ParamsIterate) {
  const Result<Uri> uri = parse_uri("tel:863-1234;phone-context=+1-914-555;ext=22;isub=a@b");
  ASSERT_TRUE(uri.ok()) << uri.error().reason;
  EXPECT_EQ(uri->params.size(), 3U);
  EXPECT_EQ(uri->params.find("Phone-Context")->value, "+1-914-555");
  EXPECT_EQ(uri->params.find("ext")->value, "22");
  EXPECT_EQ(uri->params.find("isub")->value, "a@b");
}

TEST(UriTel, InvalidNumbers) {
  const std::vector<InvalidCase> cases = {
      {"tel:", "missing telephone number in tel URI", 4},
      {"tel:;phone-context=example.com", "missing telephone number", 4},
      {"tel:+", "invalid telephone number \"+\" in tel URI: it has no digits", 4},
      {"tel:+-().", "it has no digits", 4},
      {"tel:--;phone-context=example.com", "it has no digits", 4},
      {"tel:1234", "local number \"1234\" in tel URI requires a phone-context parameter", 4},
      {"tel:1234;ext=5", "requires a phone-context parameter", 4},
      {"tel:+12a", "invalid character 'a' in telephone number", 7},
      {"tel:+1 234", "invalid space in telephone number", 6},
      {"tel:12g;phone-context=x.com", "invalid character 'g' in telephone number", 6},
      {"tel:+1;", "empty parameter name after ';' in tel URI", 7},
      {"tel:+1;;a", "empty parameter name", 7},
      {"tel:+1;=2", "empty parameter name", 7},
      {"tel:+1;a_b=c", "invalid character '_' in parameter name of URI", 8},
      {"tel:+1;a=", "empty value for tel URI parameter \"a\"", 9},
      {"tel:+1;a=b=c", "invalid character '=' in parameter value of URI", 10},
      {"tel:+1;ext", "missing value for tel URI parameter \"ext\"", 10},
      {"tel:+1;ext=12a", "invalid ext \"12a\" in tel URI: must be digits", 11},
      {"tel:+1;ext=-", "invalid ext \"-\"", 11},
      {"tel:12;phone-context=", "empty value for tel URI parameter \"phone-context\"", 21},
      {"tel:12;phone-context=-bad.com", "invalid phone-context \"-bad.com\"", 21},
      {"tel:12;phone-context=+", "invalid phone-context \"+\"", 21},
      {"tel:12;phone-context=1.2.3.4", "invalid phone-context \"1.2.3.4\"", 21},
      {"tel:12;phone-context=ex%41mple.com", "invalid phone-context", 21},
      {"tel:+1;x=%4", "invalid escape \"%4\"", 9},
      {"tel:+1?x=y", "invalid character '?' in telephone number", 6},
  };
  for (const InvalidCase& c : cases) expect_invalid(c);
}

struct OtherCase {
  std::string_view text;
  std::string_view scheme_text;
  std::string_view opaque;
};

const std::vector<OtherCase> kValidOther = {
    {"im:alice@atlanta.com", "im", "alice@atlanta.com"},
    {"IM:alice@atlanta.com", "IM", "alice@atlanta.com"},
    {"http://www.example.com/a/b?c=d&e#frag", "http", "//www.example.com/a/b?c=d&e#frag"},
    {"http://[2001:db8::1]:8080/", "http", "//[2001:db8::1]:8080/"},
    {"urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "urn",
     "uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"},
    {"mailto:alice@example.com?subject=hi%20there", "mailto",
     "alice@example.com?subject=hi%20there"},
    {"x-my.scheme+v1:!$&'()*+,;=:@/?", "x-my.scheme+v1", "!$&'()*+,;=:@/?"},
};

TEST(UriOther, ValidAbsoluteUris) {
  for (const OtherCase& expected : kValidOther) {
    SCOPED_TRACE(expected.text);
    const Result<Uri> uri = parse_uri(expected.text);
    ASSERT_TRUE(uri.ok()) << uri.error().reason;
    EXPECT_EQ(uri->scheme, UriScheme::kOther);
    EXPECT_EQ(uri->scheme_text, expected.scheme_text);
    EXPECT_EQ(uri->opaque, expected.opaque);
    EXPECT_FALSE(uri->has_user);
    EXPECT_TRUE(uri->host.empty());
    EXPECT_TRUE(uri->params.empty());
    EXPECT_TRUE(uri->headers.empty());
  }
}

TEST(UriOther, InvalidAbsoluteUris) {
  const std::vector<InvalidCase> cases = {
      {"im:", "missing text after \"im:\" in URI", 3},
      {"http://x y", "invalid space in URI: escape it as %20", 8},
      {"im:alice<", "invalid character '<' in URI", 8},
      {"im:\"alice\"", "invalid character '\"' in URI", 3},
      {"im:a{b}", "invalid character '{' in URI", 4},
      {"im:a%zz", "invalid escape \"%zz\"", 4},
      {"im:a%", "invalid escape \"%\"", 4},
  };
  for (const InvalidCase& c : cases) expect_invalid(c);
}

struct EquivalenceCase {
  std::string_view a;
  std::string_view b;
};

void expect_equivalence(const EquivalenceCase& pair, bool equivalent) {
  SCOPED_TRACE(::testing::Message() << pair.a << " vs " << pair.b);
  const Result<Uri> a = parse_uri(pair.a);
  const Result<Uri> b = parse_uri(pair.b);
  ASSERT_TRUE(a.ok()) << a.error().reason;
  ASSERT_TRUE(b.ok()) << b.error().reason;
  EXPECT_EQ(uri_equivalent(*a, *b), equivalent);
  EXPECT_EQ(uri_equivalent(*b, *a), equivalent);
}

TEST(UriEquivalent, Rfc3261EqualPairs) {
  // The equivalent pairs of RFC 3261 §19.1.4.
  const std::vector<EquivalenceCase> pairs = {
      {"sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"},
      {"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"},
      {"sip:carol@chicago.com", "sip:carol@chicago.com;security=on"},
      {"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"},
      {"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
       "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"},
      {"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
       "sip:alice@atlanta.com?priority=urgent&subject=project%20x"},
  };
  for (const EquivalenceCase& pair : pairs) expect_equivalence(pair, true);
}

TEST(UriEquivalent, Rfc3261NotEqualPairs) {
  // The non-equivalent pairs of RFC 3261 §19.1.4, and its example of why
  // equivalence is not transitive.
  const std::vector<EquivalenceCase> pairs = {
      {"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"},
      {"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"},
      {"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"},
      {"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"},
      {"sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"},
  };
  for (const EquivalenceCase& pair : pairs) expect_equivalence(pair, false);
}

TEST(UriEquivalent, MoreEqualSipPairs) {
  const std::vector<EquivalenceCase> pairs = {
      {"SIPS:alice@atlanta.com", "sips:alice@ATLANTA.COM"},
      {"sip:alice@atlanta.com", "sip:alice@atlanta.com"},
      {"sip:%6C%69@host", "sip:li@host"},
      {"sip:%6c@host", "sip:%6C@host"},
      {"sip:alice:%70w@host", "sip:alice:pw@host"},
      {"sip:host;lr", "sip:host;LR"},
      {"sip:host;maddr=EXAMPLE.com;ttl=5", "sip:host;ttl=5;maddr=example.COM"},
      {"sip:host;user=PHONE;method=invite", "sip:host;method=INVITE;user=phone"},
      {"sip:host;%6Cr=%6Fn", "sip:host;lr=on"},
      {"sip:host;transport=%74cp", "sip:host;TRANSPORT=TCP"},
      {"sip:host?Subject=Hi&Priority=urgent", "sip:host?priority=URGENT&subject=hi"},
      {"sip:host?a=1&a=2", "sip:host?a=2&a=1"},
      {"sip:[::1]", "sip:[0:0:0:0:0:0:0:1]"},
      {"sip:[2001:DB8::1]:5060", "sip:[2001:db8:0::0001]:5060"},
      {"sip:[::ffff:192.0.2.1]", "sip:[::FFFF:C000:201]"},
      {"sip:alice@host:05060", "sip:alice@host:5060"},
  };
  for (const EquivalenceCase& pair : pairs) expect_equivalence(pair, true);
}

TEST(UriEquivalent, MoreNotEqualSipPairs) {
  const std::vector<EquivalenceCase> pairs = {
      {"sip:alice@atlanta.com", "sips:alice@atlanta.com"},
      {"sip:alice@atlanta.com", "sip:atlanta.com"},
      {"sip:alice@atlanta.com", "sip:Alice@atlanta.com"},
      {"sip:alice@host", "sip:alice:pw@host"},
      {"sip:alice:pw@host", "sip:alice:PW@host"},
      {"sip:alice:@host", "sip:alice@host"},
      // ';' is reserved, so its escape is a different character (§19.1.4).
      {"sip:a%3Bb@host", "sip:a;b@host"},
      {"sip:host", "sip:host;user=phone"},
      {"sip:host", "sip:host;ttl=1"},
      {"sip:host", "sip:host;method=INVITE"},
      {"sip:host", "sip:host;maddr=192.0.2.1"},
      {"sip:host;maddr=192.0.2.1", "sip:host;maddr=192.0.2.2"},
      {"sip:host;transport=tcp", "sip:host;transport=udp"},
      {"sip:host;lr", "sip:host;lr=on"},
      {"sip:host:5060", "sip:host:5061"},
      {"sip:host.example.com", "sip:host.example.com."},
      {"sip:[::1]", "sip:[::2]"},
      {"sip:[::ffff:192.0.2.1]", "sip:192.0.2.1"},
      {"sip:host?a=1", "sip:host"},
      {"sip:host?a=1", "sip:host?a=2"},
      {"sip:host?a=1", "sip:host?b=1"},
      {"sip:host?a=1&a=1", "sip:host?a=1"},
      {"sip:host?a=1&a=1&a=2", "sip:host?a=1&a=2&a=2"},
      {"sip:host?a=x%3Fy", "sip:host?a=x?y"},
      {"sip:alice@host", "tel:+1;x=alice"},
      {"sip:alice@host", "im:alice@host"},
  };
  for (const EquivalenceCase& pair : pairs) expect_equivalence(pair, false);
}

TEST(UriEquivalent, TelPairs) {
  const std::vector<EquivalenceCase> equal = {
      {"tel:+1-201-555-0123", "tel:+12015550123"},
      {"tel:+1.201.555.0123", "TEL:+1(201)555-0123"},
      {"tel:7042;phone-context=example.com", "tel:7042;phone-context=EXAMPLE.COM"},
      {"tel:abc;phone-context=example.com", "tel:ABC;phone-context=example.com"},
      {"tel:1234;phone-context=+1-914", "tel:12-34;phone-context=+1914"},
      {"tel:+1;a=1;b=x", "tel:+1;b=X;a=1"},
      {"tel:+1;ext=1-2", "tel:+1;EXT=12"},
  };
  for (const EquivalenceCase& pair : equal) expect_equivalence(pair, true);

  const std::vector<EquivalenceCase> not_equal = {
      {"tel:+1234", "tel:1234;phone-context=example.com"},
      {"tel:+1234", "tel:+1235"},
      {"tel:+1234", "tel:+12345"},
      {"tel:+1234;ext=1", "tel:+1234"},
      {"tel:+1234;ext=1", "tel:+1234;ext=2"},
      {"tel:+1234;a", "tel:+1234;a=1"},
      {"tel:1234;phone-context=example.com", "tel:1234;phone-context=example.net"},
      {"tel:1234;phone-context=+1", "tel:1234;phone-context=+2"},
      {"tel:+1;a=1", "tel:+1;b=1"},
  };
  for (const EquivalenceCase& pair : not_equal) expect_equivalence(pair, false);
}

TEST(UriEquivalent, RepeatedParamNames) {
  expect_equivalence({"sip:host;a=1;a=2", "sip:host;a=1;a=2"}, true);
  expect_equivalence({"sip:host;a=1;a=2", "sip:host;a=2;a=1"}, true);
  expect_equivalence({"sip:host;a=1;a=2", "sip:host;a=1"}, false);
  expect_equivalence({"tel:+1;a=1;a=2", "tel:+1;a=2;a=1"}, true);
  expect_equivalence({"tel:+1;a=1;a=2", "tel:+1;a=1"}, false);
}

// The text of `count` parameters "pI=vI", each after `separator` (';' for
// uri-parameters, '&' for headers), in increasing order of I, or in
// decreasing order with the names upper-cased.
std::string many_params(int count, char separator, bool reversed) {
  std::string text;
  for (int k = 0; k < count; ++k) {
    const int i = reversed ? count - 1 - k : k;
    text += separator;
    text += (reversed ? "P" : "p") + std::to_string(i) + "=v" + std::to_string(i);
  }
  return text;
}

bool equivalent_texts(const std::string& a, const std::string& b) {
  const Result<Uri> uri_a = parse_uri(a);
  const Result<Uri> uri_b = parse_uri(b);
  EXPECT_TRUE(uri_a.ok()) << uri_a.error().reason;
  EXPECT_TRUE(uri_b.ok()) << uri_b.error().reason;
  if (!uri_a.ok() || !uri_b.ok()) return false;
  EXPECT_EQ(uri_equivalent(*uri_a, *uri_b), uri_equivalent(*uri_b, *uri_a));
  return uri_equivalent(*uri_a, *uri_b);
}

TEST(UriEquivalent, ManySipParams) {
  // 3,000 parameters in opposite orders. The comparison sorts them, so its
  // time grows as n log n; comparing each with every other would take
  // millions of steps here.
  constexpr int kCount = 3000;
  const std::string forward = "sip:host" + many_params(kCount, ';', false);
  const std::string backward = "sip:host" + many_params(kCount, ';', true);
  EXPECT_TRUE(equivalent_texts(forward, backward));

  std::string changed = backward;
  changed.replace(changed.find("=v1500;"), 7, "=v9999;");
  EXPECT_FALSE(equivalent_texts(forward, changed));

  // A parameter in one URI only is ignored, unless §19.1.4 always compares it.
  EXPECT_TRUE(equivalent_texts(forward + ";extra=1", backward));
  EXPECT_FALSE(equivalent_texts(forward + ";transport=tcp", backward));
  EXPECT_TRUE(equivalent_texts(forward + ";transport=tcp", backward + ";TRANSPORT=TCP"));
}

TEST(UriEquivalent, ManySipHeaders) {
  constexpr int kCount = 3000;
  const std::string forward = "sip:host?x=0" + many_params(kCount, '&', false);
  const std::string backward = "sip:host?x=0" + many_params(kCount, '&', true);
  EXPECT_TRUE(equivalent_texts(forward, backward));
  // Headers are a multiset: one more copy of a header makes a difference.
  EXPECT_FALSE(equivalent_texts(forward + "&p7=v7", backward));
  EXPECT_FALSE(equivalent_texts(forward, backward.substr(0, backward.rfind('&'))));
}

TEST(UriEquivalent, ManyTelParams) {
  constexpr int kCount = 3000;
  const std::string forward = "tel:+1-201-555-0123;ext=1-2" + many_params(kCount, ';', false);
  const std::string backward = "tel:+12015550123" + many_params(kCount, ';', true) + ";EXT=12";
  EXPECT_TRUE(equivalent_texts(forward, backward));
  EXPECT_FALSE(equivalent_texts(forward + ";extra=1", backward));
  EXPECT_FALSE(equivalent_texts(forward, backward + ";p1=v2"));
}

TEST(UriEquivalent, OtherSchemePairs) {
  expect_equivalence({"IM:alice@atlanta.com", "im:alice@atlanta.com"}, true);
  expect_equivalence({"http://x/a", "HTTP://x/a"}, true);
  expect_equivalence({"im:Alice@atlanta.com", "im:alice@atlanta.com"}, false);
  expect_equivalence({"im:alice@atlanta.com", "pres:alice@atlanta.com"}, false);
  expect_equivalence({"im:%61", "im:a"}, false);
}

TEST(UriToString, CanonicalForm) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"SIP:Alice@AtLanTa.CoM:05060;Transport=TCP?Subject=Hi",
       "sip:Alice@atlanta.com:5060;Transport=TCP?Subject=Hi"},
      {"SiPs:%41:PW@[2001:DB8::1]", "sips:%41:PW@[2001:db8::1]"},
      {"sip:HOST", "sip:host"},
      {"sip:alice:@host", "sip:alice:@host"},
      {"TEL:+1-201-555-0123;EXT=1", "tel:+1-201-555-0123;EXT=1"},
      {"tel:ABC;phone-context=Example.COM", "tel:ABC;phone-context=Example.COM"},
      {"IM:Alice@Atlanta.com", "im:Alice@Atlanta.com"},
      {"HTTP://WWW.Example.com/%7E", "http://WWW.Example.com/%7E"},
  };
  for (const auto& [input, canonical] : cases) {
    SCOPED_TRACE(input);
    const Result<Uri> uri = parse_uri(input);
    ASSERT_TRUE(uri.ok()) << uri.error().reason;
    EXPECT_EQ(to_string(*uri), canonical);
  }
}

TEST(UriToString, AppendKeepsExistingText) {
  const Result<Uri> uri = parse_uri("sip:bob@biloxi.com");
  ASSERT_TRUE(uri.ok()) << uri.error().reason;
  std::string out = "To: <";
  append_uri(out, *uri);
  out += ">";
  EXPECT_EQ(out, "To: <sip:bob@biloxi.com>");
}

void expect_round_trip(std::string_view text) {
  SCOPED_TRACE(text);
  const Result<Uri> first = parse_uri(text);
  ASSERT_TRUE(first.ok()) << first.error().reason;
  const std::string printed = to_string(*first);
  const Result<Uri> second = parse_uri(printed);
  ASSERT_TRUE(second.ok()) << "reparsing " << printed << ": " << second.error().reason;
  EXPECT_TRUE(uri_equivalent(*first, *second)) << printed;
  EXPECT_TRUE(uri_equivalent(*second, *first)) << printed;
  EXPECT_EQ(to_string(*second), printed);
  EXPECT_EQ(second->scheme, first->scheme);
  EXPECT_EQ(second->user, first->user);
  EXPECT_EQ(second->password, first->password);
  EXPECT_EQ(second->host_type, first->host_type);
  EXPECT_EQ(second->port, first->port);
  EXPECT_EQ(second->params.raw(), first->params.raw());
  EXPECT_EQ(second->headers.raw(), first->headers.raw());
  EXPECT_EQ(second->opaque, first->opaque);
}

TEST(UriRoundTrip, EveryValidCase) {
  for (const SipCase& c : kValidSip) expect_round_trip(c.text);
  for (const TelCase& c : kValidTel) expect_round_trip(c.text);
  for (const OtherCase& c : kValidOther) expect_round_trip(c.text);
}

TEST(UriError, OffsetAddsBase) {
  const Result<Uri> uri = parse_uri("sip:host:99999", 40);
  ASSERT_FALSE(uri.ok());
  EXPECT_EQ(uri.error().reason, "invalid port \"99999\" in URI: must be 0 to 65535");
  EXPECT_EQ(uri.error().offset, 49U);
  EXPECT_EQ(uri.error().status_code, 400);
}

TEST(UriError, LongValueShortenedInReason) {
  const std::string text = "sip:host:" + std::string(200, '9');
  const Result<Uri> uri = parse_uri(text);
  ASSERT_FALSE(uri.ok());
  EXPECT_LT(uri.error().reason.size(), 120U) << uri.error().reason;
  EXPECT_NE(uri.error().reason.find("...\""), std::string::npos) << uri.error().reason;
}

}  // namespace
}  // namespace sippay::sip
