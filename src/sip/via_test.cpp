// Via (RFC 3261 §20.42, grammar §25.1; rport from RFC 3581).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/headers.hpp"

namespace sippay::sip {
namespace {

std::vector<Via> parse_ok(std::string_view value) {
  std::vector<Via> vias;
  const std::optional<ParseError> error = parse_via(value, 0, vias);
  EXPECT_FALSE(error.has_value()) << "value: " << value << "\nerror: " << error->to_string();
  return vias;
}

TEST(Via, MinimalWithBranch) {
  const auto vias = parse_ok("SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds");
  ASSERT_EQ(vias.size(), 1U);
  const Via& via = vias[0];
  EXPECT_EQ(via.protocol_name, "SIP");
  EXPECT_EQ(via.protocol_version, "2.0");
  EXPECT_EQ(via.transport, "UDP");
  EXPECT_EQ(via.host, "pc33.atlanta.com");
  EXPECT_EQ(via.host_type, HostType::kHostname);
  EXPECT_FALSE(via.has_port);
  EXPECT_TRUE(via.has_branch);
  EXPECT_EQ(via.branch, "z9hG4bK776asdhds");
  EXPECT_FALSE(via.has_rport);
  EXPECT_EQ(via.ttl, -1);
  EXPECT_EQ(via.received, "");
  EXPECT_EQ(via.maddr, "");
  EXPECT_EQ(via.params.size(), 1U);
  EXPECT_EQ(via.text, "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bK776asdhds");
}

TEST(Via, EveryKnownParam) {
  const auto vias = parse_ok(
      "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;received=198.51.100.7;rport=5061"
      ";maddr=224.2.0.1;ttl=16;comp=sigcomp;x-ext");
  ASSERT_EQ(vias.size(), 1U);
  const Via& via = vias[0];
  EXPECT_EQ(via.host, "192.0.2.1");
  EXPECT_EQ(via.host_type, HostType::kIpv4);
  EXPECT_TRUE(via.has_port);
  EXPECT_EQ(via.port, 5060);
  EXPECT_EQ(via.branch, "z9hG4bKabc");
  EXPECT_EQ(via.received, "198.51.100.7");
  EXPECT_TRUE(via.has_rport);
  EXPECT_EQ(via.rport, 5061);
  EXPECT_EQ(via.maddr, "224.2.0.1");
  EXPECT_EQ(via.ttl, 16);

  EXPECT_EQ(via.params.size(), 7U);
  const auto comp = via.params.find("comp");
  ASSERT_TRUE(comp.has_value());
  EXPECT_EQ(comp->value, "sigcomp");
  const auto extension = via.params.find("x-ext");
  ASSERT_TRUE(extension.has_value());
  EXPECT_FALSE(extension->has_value);
}

TEST(Via, ParamNamesIgnoreCase) {
  const auto vias = parse_ok("SIP/2.0/TCP host.example.com;BRANCH=z9hG4bK1;RPort;TTL=1");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].branch, "z9hG4bK1");
  EXPECT_TRUE(vias[0].has_rport);
  EXPECT_EQ(vias[0].ttl, 1);
}

TEST(Via, RportWithoutValue) {
  const auto vias = parse_ok("SIP/2.0/UDP host.example.com;rport;branch=z9hG4bK1");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_TRUE(vias[0].has_rport);
  EXPECT_EQ(vias[0].rport, 0);
  EXPECT_EQ(vias[0].branch, "z9hG4bK1");
}

TEST(Via, RportBounds) {
  auto vias = parse_ok("SIP/2.0/UDP h.example.com;rport=1");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].rport, 1);
  vias = parse_ok("SIP/2.0/UDP h.example.com;rport=65535");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].rport, 65535);
}

TEST(Via, TtlBounds) {
  auto vias = parse_ok("SIP/2.0/UDP h.example.com;ttl=0");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].ttl, 0);
  vias = parse_ok("SIP/2.0/UDP h.example.com;ttl=255");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].ttl, 255);
}

// §25.1 writes via-received as IPv4address / IPv6address, the IPv6 form
// without brackets.
TEST(Via, ReceivedBareIpv6) {
  const auto vias = parse_ok("SIP/2.0/UDP [2001:db8::1]:5060;received=2001:db8::9;branch=z9hG4bK1");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].received, "2001:db8::9");
  EXPECT_EQ(vias[0].branch, "z9hG4bK1");
  const auto received = vias[0].params.find("received");
  ASSERT_TRUE(received.has_value());
  EXPECT_EQ(received->value, "2001:db8::9");
}

TEST(Via, ReceivedBareIpv6WithIpv4Tail) {
  const auto vias = parse_ok("SIP/2.0/UDP h.example.com;received=::ffff:192.0.2.1");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].received, "::ffff:192.0.2.1");
}

TEST(Via, ReceivedBracketedIpv6) {
  const auto vias = parse_ok("SIP/2.0/UDP h.example.com;received=[2001:db8::9]");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].received, "[2001:db8::9]");
}

TEST(Via, MaddrIpv6Reference) {
  const auto vias = parse_ok("SIP/2.0/UDP h.example.com;maddr=[ff02::1]");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].maddr, "[ff02::1]");
}

TEST(Via, Ipv6SentBy) {
  const auto vias = parse_ok("SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].host, "[2001:db8::1]");
  EXPECT_EQ(vias[0].host_type, HostType::kIpv6);
  EXPECT_TRUE(vias[0].has_port);
  EXPECT_EQ(vias[0].port, 5060);
}

TEST(Via, Ipv6SentByWithoutPort) {
  const auto vias = parse_ok("SIP/2.0/TLS [::1]");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].host, "[::1]");
  EXPECT_FALSE(vias[0].has_port);
}

TEST(Via, WhitespaceAroundSeparators) {
  const auto vias =
      parse_ok("SIP / 2.0 / TCP   host.example.com : 5070 ; branch = z9hG4bK1 ;rport ; ttl= 3");
  ASSERT_EQ(vias.size(), 1U);
  const Via& via = vias[0];
  EXPECT_EQ(via.protocol_name, "SIP");
  EXPECT_EQ(via.protocol_version, "2.0");
  EXPECT_EQ(via.transport, "TCP");
  EXPECT_EQ(via.host, "host.example.com");
  EXPECT_EQ(via.port, 5070);
  EXPECT_EQ(via.branch, "z9hG4bK1");
  EXPECT_TRUE(via.has_rport);
  EXPECT_EQ(via.ttl, 3);
  EXPECT_EQ(via.params.size(), 3U);
}

TEST(Via, FoldedLines) {
  const auto vias = parse_ok("SIP/2.0/UDP\r\n host.example.com\r\n\t;branch=z9hG4bK1;\r\n rport");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].host, "host.example.com");
  EXPECT_EQ(vias[0].branch, "z9hG4bK1");
  EXPECT_TRUE(vias[0].has_rport);
}

TEST(Via, CommaSeparatedList) {
  const auto vias = parse_ok(
      "SIP/2.0/UDP a.example.com;branch=z9hG4bK1 ,SIP/2.0/TCP b.example.com:5061;branch=z9hG4bK2"
      ",\r\n SIP/2.0/TLS [::1]");
  ASSERT_EQ(vias.size(), 3U);
  EXPECT_EQ(vias[0].host, "a.example.com");
  EXPECT_EQ(vias[0].branch, "z9hG4bK1");
  EXPECT_EQ(vias[0].text, "SIP/2.0/UDP a.example.com;branch=z9hG4bK1");
  EXPECT_EQ(vias[1].transport, "TCP");
  EXPECT_EQ(vias[1].host, "b.example.com");
  EXPECT_EQ(vias[1].port, 5061);
  EXPECT_EQ(vias[1].branch, "z9hG4bK2");
  EXPECT_EQ(vias[2].transport, "TLS");
  EXPECT_EQ(vias[2].host, "[::1]");
  EXPECT_FALSE(vias[2].has_branch);
}

TEST(Via, AppendsToExistingList) {
  std::vector<Via> vias;
  ASSERT_FALSE(parse_via("SIP/2.0/UDP a.example.com", 0, vias).has_value());
  ASSERT_FALSE(parse_via("SIP/2.0/UDP b.example.com", 0, vias).has_value());
  ASSERT_EQ(vias.size(), 2U);
  EXPECT_EQ(vias[0].host, "a.example.com");
  EXPECT_EQ(vias[1].host, "b.example.com");
}

TEST(Via, UnknownTransportAndProtocol) {
  const auto vias = parse_ok("SIP/2.0/X-NEW-TRANSPORT h.example.com, XSIP/3.0/WSS h.example.com");
  ASSERT_EQ(vias.size(), 2U);
  EXPECT_EQ(vias[0].transport, "X-NEW-TRANSPORT");
  EXPECT_EQ(vias[1].protocol_name, "XSIP");
  EXPECT_EQ(vias[1].protocol_version, "3.0");
  EXPECT_EQ(vias[1].transport, "WSS");
}

TEST(Via, ExtensionParamValues) {
  const auto vias = parse_ok(R"(SIP/2.0/UDP h.example.com;x="quoted \" value";y=[::1];z=a.b-c)");
  ASSERT_EQ(vias.size(), 1U);
  const ParamList& params = vias[0].params;
  ASSERT_EQ(params.size(), 3U);
  EXPECT_EQ(params.find("x")->value, R"("quoted \" value")");
  EXPECT_EQ(params.find("y")->value, "[::1]");
  EXPECT_EQ(params.find("z")->value, "a.b-c");
}

TEST(Via, PortZeroAndMax) {
  auto vias = parse_ok("SIP/2.0/UDP h.example.com:0");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_TRUE(vias[0].has_port);
  EXPECT_EQ(vias[0].port, 0);
  vias = parse_ok("SIP/2.0/UDP h.example.com:65535");
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].port, 65535);
}

struct InvalidCase {
  std::string_view value;
  std::size_t offset;
  std::string_view reason_part;  // a word the reason must contain
};

// Offsets count from the start of the value.
const std::vector<InvalidCase> kInvalid = {
    {"", 0, "protocol name"},
    {"SIP/2.0 h.example.com", 7, "transport"},
    {"SIP/2.0/ h.example.com", 22, "host"},
    {"SIP//UDP h.example.com", 4, "protocol version"},
    {"SIP/2.0/UDP", 11, "host"},
    {"SIP/2.0/UDPh.example.com", 24, "host"},
    {"SIP/2.0/UDP ;branch=z9hG4bK1", 12, "host"},
    {"SIP/2.0/UDP :5060", 12, "host"},
    {"SIP/2.0/UDP -h.example.com", 12, "host"},
    {"SIP/2.0/UDP h.example.com:65536", 26, "port"},
    {"SIP/2.0/UDP h.example.com:99999999999999999999", 26, "port"},
    {"SIP/2.0/UDP h.example.com:", 26, "port"},
    {"SIP/2.0/UDP h.example.com:50a", 28, "unexpected"},
    {"SIP/2.0/UDP 2001:db8::1", 12, "host"},
    {"SIP/2.0/UDP [2001:db8::1:5060", 12, "host"},
    {"SIP/2.0/UDP [2001:db8::1]:", 26, "port"},
    {"SIP/2.0/UDP h.example.com;ttl=256", 26, "ttl"},
    {"SIP/2.0/UDP h.example.com;ttl=0255", 26, "ttl"},
    {"SIP/2.0/UDP h.example.com;ttl=-1", 26, "ttl"},
    {"SIP/2.0/UDP h.example.com;ttl", 26, "ttl"},
    {"SIP/2.0/UDP h.example.com;received=1.2.3", 26, "received"},
    {"SIP/2.0/UDP h.example.com;received=256.1.1.1", 26, "received"},
    {"SIP/2.0/UDP h.example.com;received=host.example.com", 26, "received"},
    {"SIP/2.0/UDP h.example.com;received=\"192.0.2.1\"", 26, "received"},
    {"SIP/2.0/UDP h.example.com;received=2001:db8::1::2", 26, "received"},
    {"SIP/2.0/UDP h.example.com;received", 26, "received"},
    {"SIP/2.0/UDP h.example.com;maddr=-bad", 26, "maddr"},
    {"SIP/2.0/UDP h.example.com;maddr", 26, "maddr"},
    {"SIP/2.0/UDP h.example.com;branch", 26, "branch"},
    {"SIP/2.0/UDP h.example.com;branch=\"z9hG4bK1\"", 26, "branch"},
    {"SIP/2.0/UDP h.example.com;branch=z9hG4bK1;branch=z9hG4bK2", 42, "duplicate"},
    {"SIP/2.0/UDP h.example.com;rport;rport=5060", 32, "duplicate"},
    {"SIP/2.0/UDP h.example.com;received=192.0.2.1;received=192.0.2.2", 45, "duplicate"},
    {"SIP/2.0/UDP h.example.com;maddr=224.2.0.1;maddr=224.2.0.2", 42, "duplicate"},
    {"SIP/2.0/UDP h.example.com;ttl=1;ttl=2", 32, "duplicate"},
    {"SIP/2.0/UDP h.example.com;rport=0", 26, "rport"},
    {"SIP/2.0/UDP h.example.com;rport=65536", 26, "rport"},
    {"SIP/2.0/UDP h.example.com;rport=abc", 26, "rport"},
    {"SIP/2.0/UDP h.example.com;;branch=z9hG4bK1", 26, "parameter name"},
    {"SIP/2.0/UDP h.example.com;", 26, "parameter name"},
    {"SIP/2.0/UDP h.example.com;x=", 28, "value"},
    {"SIP/2.0/UDP h.example.com;x=@", 28, "value"},
    {"SIP/2.0/UDP h.example.com;x=\"open", 28, "quoted string"},
    {"SIP/2.0/UDP h.example.com;x=[::1", 28, "IPv6"},
    {"SIP/2.0/UDP h.example.com,", 26, "protocol name"},
    {"SIP/2.0/UDP h.example.com, ", 27, "protocol name"},
    {",SIP/2.0/UDP h.example.com", 0, "protocol name"},
    {"SIP/2.0/UDP h.example.com junk", 26, "unexpected"},
    {"SIP/2.0/UDP h.example.com;branch=z9hG4bK1 junk", 42, "unexpected"},
    {"SIP/2.0/UDP h.example.com;branch=z9hG4bK1\"", 41, "unexpected"},
    {"SIP/2.0/UDP h.example.com;branch=z9\rhG4bK1", 35, "unexpected"},
    {"SIP/2.0/UDP h.example.com\r;branch=z9hG4bK1", 25, "unexpected"},
    {"SIP/2.0/UDP\r h.example.com", 11, "host"},
    {"SIP/2.0/UDP\n h.example.com", 11, "host"},
    {"SIP/2.0/UDP h.example.com;\r\nbranch=z9hG4bK1", 26, "parameter name"},
    {"SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n", 41, "unexpected"},
    {std::string_view("SIP/2.0/UDP h.example.com\0", 26), 25, "unexpected"},
};

TEST(Via, InvalidValues) {
  for (const InvalidCase& c : kInvalid) {
    std::vector<Via> vias;
    const std::optional<ParseError> error = parse_via(c.value, 0, vias);
    if (!error.has_value()) {
      ADD_FAILURE() << "accepted: " << c.value;
      continue;
    }
    EXPECT_EQ(error->offset, c.offset) << "value: " << c.value << "\nerror: " << error->reason;
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string(c.reason_part), error->reason)
        << "value: " << c.value;
    EXPECT_EQ(error->status_code, 400) << "value: " << c.value;
  }
}

TEST(Via, ErrorOffsetAddsBase) {
  std::vector<Via> vias;
  const auto error = parse_via("SIP/2.0/UDP h.example.com:65536", 1000, vias);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->offset, 1026U);
}

TEST(Via, ErrorInSecondElementKeepsFirst) {
  std::vector<Via> vias;
  const auto error =
      parse_via("SIP/2.0/UDP a.example.com, SIP/2.0/UDP b.example.com;ttl=300", 0, vias);
  ASSERT_TRUE(error.has_value());
  ASSERT_EQ(vias.size(), 1U);
  EXPECT_EQ(vias[0].host, "a.example.com");
  EXPECT_EQ(error->offset, 53U);
  EXPECT_PRED_FORMAT2(::testing::IsSubstring, std::string("ttl"), error->reason);
}

TEST(Via, ViewsPointIntoInput) {
  const std::string text = "SIP/2.0/UDP h.example.com:5060;branch=z9hG4bK1;received=192.0.2.1";
  std::vector<Via> vias;
  ASSERT_FALSE(parse_via(text, 0, vias).has_value());
  ASSERT_EQ(vias.size(), 1U);
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  for (std::string_view view : {vias[0].host, vias[0].branch, vias[0].received, vias[0].text}) {
    EXPECT_GE(view.data(), begin);
    EXPECT_LE(view.data() + view.size(), end);
  }
}

}  // namespace
}  // namespace sippay::sip
