#include <gtest/gtest.h>

#include "sip/transport/transport.hpp"

namespace sippay::sip {
namespace {

TEST(TransportAddress, ParsesIpv4WithPort) {
  const auto address = parse_transport_address("udp:127.0.0.1:5090");
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->protocol, TransportProtocol::kUdp);
  EXPECT_EQ(address->address, asio::ip::make_address("127.0.0.1"));
  EXPECT_EQ(address->port, 5090);
}

TEST(TransportAddress, ParsesBracketedIpv6) {
  const auto address = parse_transport_address("tcp:[::1]:5090");
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->protocol, TransportProtocol::kTcp);
  EXPECT_EQ(address->address, asio::ip::make_address("::1"));
  EXPECT_EQ(address->port, 5090);
}

TEST(TransportAddress, ProtocolIgnoresCase) {
  const auto address = parse_transport_address("TLS:0.0.0.0:5061");
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->protocol, TransportProtocol::kTls);
}

TEST(TransportAddress, MissingPortIsDefaultPort) {
  EXPECT_EQ(parse_transport_address("udp:10.0.0.1")->port, 5060);
  EXPECT_EQ(parse_transport_address("tcp:[::1]")->port, 5060);
  EXPECT_EQ(parse_transport_address("tls:[::1]")->port, 5061);
}

TEST(TransportAddress, PortZeroParses) {
  const auto address = parse_transport_address("udp:127.0.0.1:0");
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(address->port, 0);
}

TEST(TransportAddress, RejectsInvalidText) {
  for (const char* text : {"", "udp", "udp:", "sctp:127.0.0.1:5060", "udp:example.com:5060",
                           "udp:127.0.0.1:65536", "udp:127.0.0.1:-1", "udp:127.0.0.1:50x",
                           "udp:127.0.0.1:", "tcp:::1:5060", "tcp:[::1", "tcp:[::1]5060",
                           "tcp:[127.0.0.1]:5060x", "udp:1.2.3:5060"}) {
    EXPECT_FALSE(parse_transport_address(text).has_value()) << text;
  }
}

TEST(TransportAddress, ToStringRoundTrips) {
  for (const char* text : {"udp:127.0.0.1:5060", "tcp:[::1]:5090", "tls:0.0.0.0:5061",
                           "tls:[2001:db8::7]:1"}) {
    const auto address = parse_transport_address(text);
    ASSERT_TRUE(address.has_value()) << text;
    EXPECT_EQ(address->to_string(), text);
  }
}

TEST(TransportAddress, ViaTokensAndDefaults) {
  EXPECT_EQ(to_via_token(TransportProtocol::kUdp), "UDP");
  EXPECT_EQ(to_via_token(TransportProtocol::kTcp), "TCP");
  EXPECT_EQ(to_via_token(TransportProtocol::kTls), "TLS");
  EXPECT_FALSE(is_reliable(TransportProtocol::kUdp));
  EXPECT_TRUE(is_reliable(TransportProtocol::kTcp));
  EXPECT_TRUE(is_reliable(TransportProtocol::kTls));
  EXPECT_EQ(default_port(TransportProtocol::kUdp), 5060);
  EXPECT_EQ(default_port(TransportProtocol::kTcp), 5060);
  EXPECT_EQ(default_port(TransportProtocol::kTls), 5061);
}

TEST(TransportAddress, ErrorCategoryNamesErrors) {
  const std::error_code error = TransportError::kConnectionLimit;
  EXPECT_EQ(error.category().name(), std::string("sip.transport"));
  EXPECT_EQ(error.message(), "connection limit reached and no connection is idle");
}

}  // namespace
}  // namespace sippay::sip
