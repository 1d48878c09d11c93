// UDP transport over real sockets on 127.0.0.1 and ::1.
#include <gtest/gtest.h>

#include <array>
#include <asio/ip/udp.hpp>

#include "sip/transport/testing/transport_test_support.hpp"

namespace sippay::sip {
namespace {

using testing::loopback;
using testing::make_request;
using testing::make_response;
using testing::RecordingTransport;
using testing::run_until;
using testing::SendResult;

TransportSettings udp_settings(bool ipv6 = false) {
  TransportSettings settings;
  settings.listen = {loopback(TransportProtocol::kUdp, ipv6)};
  return settings;
}

std::string via_from(const TransportAddress& address, std::string_view params = "") {
  std::string host = address.address.is_v6() ? "[" + address.address.to_string() + "]"
                                              : address.address.to_string();
  return "SIP/2.0/UDP " + host + ":" + std::to_string(address.port) +
         ";branch=z9hG4bKudp" + std::string(params);
}

void exchange_request_and_response(bool ipv6) {
  asio::io_context io;
  RecordingTransport client(io, udp_settings(ipv6));
  RecordingTransport server(io, udp_settings(ipv6));
  ASSERT_FALSE(client.layer.start());
  ASSERT_FALSE(server.layer.start());
  const TransportAddress client_address = client.address(TransportProtocol::kUdp);
  const TransportAddress server_address = server.address(TransportProtocol::kUdp);
  ASSERT_NE(server_address.port, 0);

  SendResult sent;
  client.layer.send_request(make_request(via_from(client_address)), server_address, "",
                            sent.handler());
  ASSERT_TRUE(run_until(io, [&] { return sent.done(); }));
  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
  EXPECT_FALSE(*sent.error);
  const ReceivedMessage& request = server.received.front();
  EXPECT_TRUE(request.message.is_request());
  EXPECT_EQ(request.source, client_address);
  EXPECT_EQ(request.local, server_address);
  EXPECT_EQ(request.connection_id, 0u);

  SendResult answered;
  server.layer.send_response(make_response(request.message), request, answered.handler());
  ASSERT_TRUE(run_until(io, [&] { return answered.done(); }));
  ASSERT_TRUE(run_until(io, [&] { return !client.received.empty(); }));
  EXPECT_FALSE(*answered.error);
  EXPECT_EQ(client.received.front().message.status_code(), 200);
  EXPECT_EQ(client.received.front().source, server_address);
}

TEST(TransportUdp, RequestAndResponseIpv4) { exchange_request_and_response(false); }

TEST(TransportUdp, RequestAndResponseIpv6) { exchange_request_and_response(true); }

TEST(TransportUdp, EmptyRportSendsResponseToSourcePort) {
  asio::io_context io;
  RecordingTransport server(io, udp_settings());
  ASSERT_FALSE(server.layer.start());
  asio::ip::udp::socket peer(io, asio::ip::udp::endpoint(asio::ip::address_v4::loopback(), 0));

  // The Via names port 9, where nothing listens; rport must win.
  const std::string request =
      make_request("SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bKrport");
  const auto server_endpoint = asio::ip::udp::endpoint(
      server.address(TransportProtocol::kUdp).address, server.address(TransportProtocol::kUdp).port);
  peer.send_to(asio::buffer(request), server_endpoint);
  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));

  const ReceivedMessage& received = server.received.front();
  server.layer.send_response(make_response(received.message), received, nullptr);
  std::array<char, 2048> buffer{};
  std::size_t size = 0;
  asio::ip::udp::endpoint sender;
  peer.async_receive_from(asio::buffer(buffer), sender,
                          [&](std::error_code error, std::size_t n) {
                            EXPECT_FALSE(error);
                            size = n;
                          });
  ASSERT_TRUE(run_until(io, [&] { return size > 0; }));
  EXPECT_TRUE(std::string_view(buffer.data(), size).starts_with("SIP/2.0 200 OK\r\n"));
  EXPECT_EQ(sender, server_endpoint);
}

TEST(TransportUdp, DropsDatagramThatFailsToParse) {
  asio::io_context io;
  RecordingTransport server(io, udp_settings());
  ASSERT_FALSE(server.layer.start());
  asio::ip::udp::socket peer(io, asio::ip::udp::endpoint(asio::ip::address_v4::loopback(), 0));
  const TransportAddress server_address = server.address(TransportProtocol::kUdp);
  const asio::ip::udp::endpoint server_endpoint(server_address.address, server_address.port);

  peer.send_to(asio::buffer(std::string("NOT SIP AT ALL\r\n\r\n")), server_endpoint);
  peer.send_to(asio::buffer(make_request("SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKok")),
               server_endpoint);
  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
  EXPECT_EQ(server.received.size(), 1u);
  EXPECT_EQ(server.layer.stats().datagrams_dropped, 1u);
  EXPECT_EQ(server.layer.stats().messages_received, 1u);
}

TEST(TransportUdp, ParseErrorHandlerCanAnswerSource) {
  asio::io_context io;
  RecordingTransport server(io, udp_settings());
  std::string bytes;
  int status = 0;
  server.layer.on_parse_error([&](const UnparsableMessage& message) {
    bytes = std::string(message.bytes);
    status = message.error->status_code;
    server.layer.send_to_source("SIP/2.0 400 Bad Request\r\n\r\n", message, nullptr);
  });
  ASSERT_FALSE(server.layer.start());
  asio::ip::udp::socket peer(io, asio::ip::udp::endpoint(asio::ip::address_v4::loopback(), 0));
  const TransportAddress server_address = server.address(TransportProtocol::kUdp);
  const std::string broken = "NOT SIP AT ALL\r\n\r\n";

  peer.send_to(asio::buffer(broken), asio::ip::udp::endpoint(server_address.address, server_address.port));

  ASSERT_TRUE(run_until(io, [&] { return !bytes.empty(); }));
  EXPECT_EQ(bytes, broken);
  EXPECT_EQ(status, 400);
  ASSERT_TRUE(run_until(io, [&] { return peer.available() > 0; }));
  std::array<char, 256> reply{};
  asio::ip::udp::endpoint from;
  const std::size_t size = peer.receive_from(asio::buffer(reply), from);
  EXPECT_EQ(std::string_view(reply.data(), size), "SIP/2.0 400 Bad Request\r\n\r\n");
  EXPECT_EQ(from.port(), server_address.port);
}

TEST(TransportUdp, IgnoresCrlfKeepAlive) {
  asio::io_context io;
  RecordingTransport server(io, udp_settings());
  ASSERT_FALSE(server.layer.start());
  asio::ip::udp::socket peer(io, asio::ip::udp::endpoint(asio::ip::address_v4::loopback(), 0));
  const TransportAddress server_address = server.address(TransportProtocol::kUdp);
  const asio::ip::udp::endpoint server_endpoint(server_address.address, server_address.port);

  peer.send_to(asio::buffer(std::string("\r\n\r\n")), server_endpoint);
  peer.send_to(asio::buffer(std::string("\r\n")), server_endpoint);
  peer.send_to(asio::buffer(make_request("SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKok")),
               server_endpoint);
  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
  EXPECT_EQ(server.received.size(), 1u);
  EXPECT_EQ(server.layer.stats().datagrams_dropped, 0u);
}

TEST(TransportUdp, LargeRequestGoesOverTcp) {
  asio::io_context io;
  TransportSettings server_settings;
  server_settings.listen = {loopback(TransportProtocol::kUdp), loopback(TransportProtocol::kTcp)};
  RecordingTransport server(io, server_settings);
  RecordingTransport client(io, udp_settings());
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  const std::string small = make_request(via_from(client.address(TransportProtocol::kUdp)));
  const std::string large = make_request(
      "SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKlarge", "call-large", 1500);
  EXPECT_EQ(client.layer.protocol_for_request(TransportProtocol::kUdp, small.size()),
            TransportProtocol::kUdp);
  EXPECT_EQ(client.layer.protocol_for_request(TransportProtocol::kUdp, 1300),
            TransportProtocol::kUdp);
  EXPECT_EQ(client.layer.protocol_for_request(TransportProtocol::kUdp, 1301),
            TransportProtocol::kTcp);
  EXPECT_EQ(client.layer.protocol_for_request(TransportProtocol::kTls, large.size()),
            TransportProtocol::kTls);
  const TransportProtocol chosen =
      client.layer.protocol_for_request(TransportProtocol::kUdp, large.size());
  ASSERT_EQ(chosen, TransportProtocol::kTcp);

  // The caller sends to the same host and port with the protocol chosen.
  TransportAddress destination = server.address(TransportProtocol::kTcp);
  destination.protocol = chosen;
  SendResult sent;
  client.layer.send_request(large, destination, "", sent.handler());
  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
  EXPECT_EQ(server.received.front().source.protocol, TransportProtocol::kTcp);
  EXPECT_EQ(server.received.front().message.body().size(), 1500u);
}

TEST(TransportUdp, NoSocketOfFamilyReportsError) {
  asio::io_context io;
  RecordingTransport client(io, udp_settings(false));
  ASSERT_FALSE(client.layer.start());
  SendResult sent;
  client.layer.send_request(make_request("SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKv6"),
                            {TransportProtocol::kUdp, asio::ip::address_v6::loopback(), 9}, "",
                            sent.handler());
  ASSERT_TRUE(run_until(io, [&] { return sent.done(); }));
  EXPECT_EQ(*sent.error, TransportError::kNoTransport);
}

TEST(TransportUdp, SendAfterStopReportsError) {
  asio::io_context io;
  RecordingTransport client(io, udp_settings());
  ASSERT_FALSE(client.layer.start());
  client.layer.stop();
  SendResult sent;
  client.layer.send_request("x", {TransportProtocol::kUdp, asio::ip::address_v4::loopback(), 9},
                            "", sent.handler());
  ASSERT_TRUE(run_until(io, [&] { return sent.done(); }));
  EXPECT_EQ(*sent.error, TransportError::kStopped);
}

TEST(TransportUdp, NoHandlerAfterLayerDestroyed) {
  asio::io_context io;
  bool called = false;
  {
    RecordingTransport client(io, udp_settings());
    ASSERT_FALSE(client.layer.start());
    client.layer.stop();
    // The failure is posted, and the layer is gone before it runs.
    client.layer.send_request("x", {TransportProtocol::kUdp, asio::ip::address_v4::loopback(), 9},
                              "", [&called](std::error_code) { called = true; });
  }
  // Returns as soon as the io_context runs out of work.
  io.run_for(std::chrono::seconds(5));
  EXPECT_FALSE(called);
}

TEST(TransportUdp, ListensOnSeveralAddresses) {
  asio::io_context io;
  TransportSettings settings;
  settings.listen = {loopback(TransportProtocol::kUdp), loopback(TransportProtocol::kUdp, true),
                     loopback(TransportProtocol::kTcp), loopback(TransportProtocol::kTcp, true)};
  RecordingTransport server(io, settings);
  ASSERT_FALSE(server.layer.start());
  const auto addresses = server.layer.local_addresses();
  ASSERT_EQ(addresses.size(), 4u);
  for (const auto& address : addresses) {
    EXPECT_NE(address.port, 0) << address.to_string();
  }

  RecordingTransport client4(io, udp_settings(false));
  RecordingTransport client6(io, udp_settings(true));
  ASSERT_FALSE(client4.layer.start());
  ASSERT_FALSE(client6.layer.start());
  client4.layer.send_request(make_request(via_from(client4.address(TransportProtocol::kUdp))),
                             addresses[0], "", nullptr);
  client6.layer.send_request(make_request(via_from(client6.address(TransportProtocol::kUdp))),
                             addresses[1], "", nullptr);
  ASSERT_TRUE(run_until(io, [&] { return server.received.size() == 2; }));
}

TEST(TransportUdp, BindFailureIsReported) {
  asio::io_context io;
  RecordingTransport first(io, udp_settings());
  ASSERT_FALSE(first.layer.start());
  TransportSettings settings;
  settings.listen = {first.address(TransportProtocol::kUdp)};
  RecordingTransport second(io, settings);
  EXPECT_EQ(second.layer.start(), asio::error::address_in_use);
}

TEST(TransportUdp, LocalAddressForWildcardSocket) {
  asio::io_context io;
  TransportSettings settings;
  settings.listen = {{TransportProtocol::kUdp, asio::ip::address_v4::any(), 0}};
  RecordingTransport server(io, settings);
  ASSERT_FALSE(server.layer.start());
  const auto local =
      server.layer.local_address_for(TransportProtocol::kUdp, asio::ip::address_v4::loopback());
  ASSERT_TRUE(local.has_value());
  EXPECT_EQ(local->address, asio::ip::address_v4::loopback());
  EXPECT_EQ(local->port, server.address(TransportProtocol::kUdp).port);
  EXPECT_FALSE(server.layer
                   .local_address_for(TransportProtocol::kTcp, asio::ip::address_v4::loopback())
                   .has_value());
}

}  // namespace
}  // namespace sippay::sip
