#include "sip/transport/response_destination.hpp"

#include <gtest/gtest.h>

#include "sip/transport/testing/transport_test_support.hpp"

namespace sippay::sip {
namespace {

struct Case {
  const char* name;
  const char* via;         // the request's top Via value
  const char* source;      // where the request came from
  std::uint64_t connection_id;
  const char* expected;    // the destination address
  const char* expected_tls_server_name;
};

ReceivedMessage received_request(const Case& test) {
  auto parsed = parse_message_owned(testing::make_request(test.via));
  EXPECT_TRUE(parsed.ok()) << test.name << ": " << (parsed ? "" : parsed.error().to_string());
  const auto source = parse_transport_address(test.source);
  EXPECT_TRUE(source.has_value()) << test.name;
  ReceivedMessage message{std::move(*parsed), *source, {}, test.connection_id};
  return message;
}

TEST(TransportResponseDestination, FollowsViaReceivedAndRport) {
  const Case cases[] = {
      // UDP without rport: the source address (the value `received` would get), sent-by port.
      {"udp sent-by port", "SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKa", "udp:192.0.2.1:40000", 0,
       "udp:192.0.2.1:5070", ""},
      {"udp default port", "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKa", "udp:192.0.2.1:40000", 0,
       "udp:192.0.2.1:5060", ""},
      {"udp sent-by name", "SIP/2.0/UDP pc.example.com:5070;branch=z9hG4bKa",
       "udp:198.51.100.9:40000", 0, "udp:198.51.100.9:5070", ""},
      {"udp received", "SIP/2.0/UDP 10.0.0.1:5070;received=198.51.100.9;branch=z9hG4bKa",
       "udp:198.51.100.9:40000", 0, "udp:198.51.100.9:5070", ""},
      // RFC 3581: an empty rport means the source port, a filled one its value.
      {"udp empty rport", "SIP/2.0/UDP 10.0.0.1:5070;rport;branch=z9hG4bKa",
       "udp:198.51.100.9:40000", 0, "udp:198.51.100.9:40000", ""},
      {"udp rport value", "SIP/2.0/UDP 10.0.0.1:5070;received=198.51.100.9;rport=41000;branch=z9hG4bKa",
       "udp:198.51.100.9:40000", 0, "udp:198.51.100.9:41000", ""},
      {"udp rport without sent-by port", "SIP/2.0/UDP 10.0.0.1;rport;branch=z9hG4bKa",
       "udp:198.51.100.9:40000", 0, "udp:198.51.100.9:40000", ""},
      {"udp maddr ignored", "SIP/2.0/UDP 10.0.0.1:5070;maddr=239.255.255.1;ttl=1;branch=z9hG4bKa",
       "udp:10.0.0.1:5070", 0, "udp:10.0.0.1:5070", ""},
      // IPv6 sources, sent-by and received (bare and bracketed).
      {"udp ipv6", "SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKa", "udp:[2001:db8::1]:40000", 0,
       "udp:[2001:db8::1]:5070", ""},
      {"udp ipv6 rport", "SIP/2.0/UDP [2001:db8::1]:5070;rport;branch=z9hG4bKa",
       "udp:[2001:db8::9]:40000", 0, "udp:[2001:db8::9]:40000", ""},
      {"udp ipv6 received bare", "SIP/2.0/UDP [2001:db8::1];received=2001:db8::9;branch=z9hG4bKa",
       "udp:[2001:db8::9]:40000", 0, "udp:[2001:db8::9]:5060", ""},
      {"udp ipv6 received bracketed",
       "SIP/2.0/UDP [2001:db8::1];received=[2001:db8::9];branch=z9hG4bKa",
       "udp:[2001:db8::9]:40000", 0, "udp:[2001:db8::9]:5060", ""},
      // Reliable transports: the same connection first; rport does not apply.
      {"tcp sent-by port", "SIP/2.0/TCP 192.0.2.1:5070;rport;branch=z9hG4bKa",
       "tcp:192.0.2.1:40000", 7, "tcp:192.0.2.1:5070", ""},
      {"tcp default port", "SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKa", "tcp:192.0.2.1:40000", 7,
       "tcp:192.0.2.1:5060", ""},
      {"tcp received", "SIP/2.0/TCP 10.0.0.1:5070;received=198.51.100.9;branch=z9hG4bKa",
       "tcp:198.51.100.9:40000", 7, "tcp:198.51.100.9:5070", ""},
      {"tls default port", "SIP/2.0/TLS pay.example.com;branch=z9hG4bKa",
       "tls:[2001:db8::1]:40000", 9, "tls:[2001:db8::1]:5061", "pay.example.com"},
      {"tls literal sent-by", "SIP/2.0/TLS 192.0.2.1:5071;branch=z9hG4bKa", "tls:192.0.2.1:40000",
       9, "tls:192.0.2.1:5071", ""},
  };
  for (const Case& test : cases) {
    const ReceivedMessage request = received_request(test);
    ASSERT_FALSE(request.message.vias().empty()) << test.name;
    const ResponseDestination destination = response_destination(request.message.vias()[0], request);
    EXPECT_EQ(destination.address.to_string(), test.expected) << test.name;
    EXPECT_EQ(destination.connection_id, test.connection_id) << test.name;
    EXPECT_EQ(destination.tls_server_name, test.expected_tls_server_name) << test.name;
  }
}

TEST(TransportResponseDestination, UnknownSourceUsesLiteralSentBy) {
  auto parsed = parse_message_owned(testing::make_request("SIP/2.0/UDP 192.0.2.5:5080;branch=z9hG4bKa"));
  ASSERT_TRUE(parsed.ok());
  ReceivedMessage request{std::move(*parsed), {}, {}, 0};
  const ResponseDestination destination = response_destination(request.message.vias()[0], request);
  EXPECT_EQ(destination.address.to_string(), "udp:192.0.2.5:5080");
}

}  // namespace
}  // namespace sippay::sip
