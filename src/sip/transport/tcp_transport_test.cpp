// TCP transport over real sockets on 127.0.0.1 and ::1.
#include <gtest/gtest.h>

#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include "sip/transport/testing/transport_test_support.hpp"

namespace sippay::sip {
namespace {

using namespace std::chrono_literals;
using testing::loopback;
using testing::make_request;
using testing::make_response;
using testing::RecordingTransport;
using testing::run_until;
using testing::SendResult;

TransportSettings tcp_settings(bool ipv6 = false) {
  TransportSettings settings;
  settings.listen = {loopback(TransportProtocol::kTcp, ipv6)};
  return settings;
}

const std::string kVia = "SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKtcp";

// A plain TCP peer driven by the test, reading into `received` until the
// server closes the connection.
struct RawClient {
  RawClient(asio::io_context& io, const TransportAddress& server) : socket(io) {
    socket.connect({server.address, server.port});
  }

  void write(std::string_view bytes) { asio::write(socket, asio::buffer(bytes)); }

  void start_reading() {
    socket.async_read_some(asio::buffer(buffer), [this](std::error_code error, std::size_t size) {
      if (error) {
        closed = true;
        return;
      }
      received.append(buffer.data(), size);
      start_reading();
    });
  }

  asio::ip::tcp::socket socket;
  std::array<char, 4096> buffer{};
  std::string received;
  bool closed = false;
};

TEST(TransportTcp, ReceivesOneMessage) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings());
  ASSERT_FALSE(server.layer.start());
  RawClient client(io, server.address(TransportProtocol::kTcp));
  client.write(make_request(kVia));

  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
  const ReceivedMessage& message = server.received.front();
  EXPECT_EQ(message.message.method(), "OPTIONS");
  EXPECT_EQ(message.source.protocol, TransportProtocol::kTcp);
  EXPECT_EQ(message.source.port, client.socket.local_endpoint().port());
  EXPECT_EQ(message.local, server.address(TransportProtocol::kTcp));
  EXPECT_NE(message.connection_id, 0u);
  EXPECT_EQ(server.layer.open_connections(), 1u);
}

TEST(TransportTcp, ReceivesTwoPipelinedMessages) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings());
  ASSERT_FALSE(server.layer.start());
  RawClient client(io, server.address(TransportProtocol::kTcp));
  client.write(make_request(kVia, "first", 5) + make_request(kVia, "second", 0));

  ASSERT_TRUE(run_until(io, [&] { return server.received.size() == 2; }));
  EXPECT_EQ(server.received[0].message.call_id(), "first");
  EXPECT_EQ(server.received[0].message.body(), "xxxxx");
  EXPECT_EQ(server.received[1].message.call_id(), "second");
  EXPECT_EQ(server.received[0].connection_id, server.received[1].connection_id);
}

TEST(TransportTcp, ReassemblesMessageSplitAcrossWrites) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings());
  ASSERT_FALSE(server.layer.start());
  RawClient client(io, server.address(TransportProtocol::kTcp));
  ASSERT_TRUE(run_until(io, [&] { return server.layer.open_connections() == 1; }));

  const std::string message = make_request(kVia, "split", 40);
  for (std::size_t offset = 0; offset < message.size(); offset += 7) {
    client.write(std::string_view(message).substr(offset, 7));
    io.poll();  // lets the server read each piece on its own
    EXPECT_TRUE(server.received.empty() || offset + 7 >= message.size());
  }
  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
  EXPECT_EQ(server.received.front().message.call_id(), "split");
  EXPECT_EQ(server.received.front().message.body().size(), 40u);
}

TEST(TransportTcp, AnswersPingWithCrlf) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings());
  ASSERT_FALSE(server.layer.start());
  RawClient client(io, server.address(TransportProtocol::kTcp));
  client.start_reading();
  client.write("\r\n\r\n");

  ASSERT_TRUE(run_until(io, [&] { return client.received.size() >= 2; }));
  EXPECT_EQ(client.received, "\r\n");
  EXPECT_TRUE(server.received.empty());
}

TEST(TransportTcp, ResponseReturnsOnRequestConnection) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings());
  ASSERT_FALSE(server.layer.start());
  RawClient client(io, server.address(TransportProtocol::kTcp));
  client.start_reading();
  // The Via names port 9, where nothing listens: only the open connection works.
  client.write(make_request(kVia));
  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));

  SendResult sent;
  const ReceivedMessage& request = server.received.front();
  server.layer.send_response(make_response(request.message), request, sent.handler());
  ASSERT_TRUE(run_until(io, [&] { return sent.done(); }));
  ASSERT_TRUE(run_until(io, [&] { return !client.received.empty(); }));
  EXPECT_FALSE(*sent.error);
  EXPECT_TRUE(client.received.starts_with("SIP/2.0 200 OK\r\n"));
  EXPECT_EQ(server.layer.open_connections(), 1u);
}

TEST(TransportTcp, ParseErrorAnsweredOnConnection) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings());
  std::string bytes;
  server.layer.on_parse_error([&](const UnparsableMessage& message) {
    bytes = std::string(message.bytes);
    server.layer.send_to_source("SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n", message, nullptr);
  });
  ASSERT_FALSE(server.layer.start());
  RawClient client(io, server.address(TransportProtocol::kTcp));
  client.start_reading();
  std::string broken = make_request(kVia);
  broken.replace(broken.find("Max-Forwards: 70"), 16, "Max-Forwards: xy");

  client.write(broken);

  ASSERT_TRUE(run_until(io, [&] { return !client.received.empty(); }));
  EXPECT_EQ(bytes, broken);
  EXPECT_TRUE(client.received.starts_with("SIP/2.0 400 Bad Request\r\n"));
  EXPECT_TRUE(server.received.empty());
}

TEST(TransportTcp, ResponseAfterCloseConnectsToSentBy) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings());
  RecordingTransport client(io, tcp_settings());
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());
  const TransportAddress client_address = client.address(TransportProtocol::kTcp);

  // A raw peer sends a request naming the client transport's listener as
  // sent-by, then closes: the response must open a new connection there.
  {
    RawClient raw(io, server.address(TransportProtocol::kTcp));
    raw.write(make_request("SIP/2.0/TCP 127.0.0.1:" + std::to_string(client_address.port) +
                           ";branch=z9hG4bKreopen"));
    ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
  }
  ASSERT_TRUE(run_until(io, [&] { return server.layer.open_connections() == 0; }));

  const ReceivedMessage& request = server.received.front();
  SendResult sent;
  server.layer.send_response(make_response(request.message), request, sent.handler());
  ASSERT_TRUE(run_until(io, [&] { return !client.received.empty(); }));
  EXPECT_FALSE(*sent.error);
  EXPECT_EQ(client.received.front().message.status_code(), 200);
}

TEST(TransportTcp, LaterRequestReusesConnection) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings());
  RecordingTransport client(io, tcp_settings());
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());
  const TransportAddress destination = server.address(TransportProtocol::kTcp);

  SendResult first;
  SendResult second;
  client.layer.send_request(make_request(kVia, "one"), destination, "", first.handler());
  client.layer.send_request(make_request(kVia, "two"), destination, "", second.handler());
  ASSERT_TRUE(run_until(io, [&] { return server.received.size() == 2; }));
  EXPECT_FALSE(*first.error);
  EXPECT_FALSE(*second.error);
  EXPECT_EQ(server.received[0].connection_id, server.received[1].connection_id);
  EXPECT_EQ(client.layer.open_connections(), 1u);
  EXPECT_EQ(server.layer.open_connections(), 1u);

  // The response comes back over that connection, not a new one.
  server.layer.send_response(make_response(server.received[0].message), server.received[0],
                             nullptr);
  ASSERT_TRUE(run_until(io, [&] { return !client.received.empty(); }));
  EXPECT_EQ(client.received.front().source, destination);
  EXPECT_EQ(client.layer.open_connections(), 1u);
  EXPECT_EQ(server.layer.open_connections(), 1u);
  EXPECT_EQ(server.layer.stats().connections_accepted, 1u);
}

TEST(TransportTcp, RequestAndResponseIpv6) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings(true));
  RecordingTransport client(io, tcp_settings(true));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  client.layer.send_request(make_request("SIP/2.0/TCP [::1]:9;branch=z9hG4bKv6"),
                            server.address(TransportProtocol::kTcp), "", nullptr);
  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
  EXPECT_TRUE(server.received.front().source.address.is_v6());
  server.layer.send_response(make_response(server.received[0].message), server.received[0],
                             nullptr);
  ASSERT_TRUE(run_until(io, [&] { return !client.received.empty(); }));
}

TEST(TransportTcp, IdleTimeoutClosesConnection) {
  asio::io_context io;
  TransportSettings settings = tcp_settings();
  settings.connection_idle_timeout = 200ms;
  RecordingTransport server(io, settings);
  ASSERT_FALSE(server.layer.start());
  RawClient client(io, server.address(TransportProtocol::kTcp));
  client.start_reading();
  client.write(make_request(kVia));
  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));

  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until(io, [&] { return client.closed; }));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  EXPECT_EQ(server.layer.open_connections(), 0u);
  EXPECT_EQ(server.layer.stats().idle_timeouts, 1u);
}

TEST(TransportTcp, RejectsInboundBeyondMaxConnections) {
  asio::io_context io;
  TransportSettings settings = tcp_settings();
  settings.max_connections = 1;
  RecordingTransport server(io, settings);
  ASSERT_FALSE(server.layer.start());

  RawClient first(io, server.address(TransportProtocol::kTcp));
  first.write(make_request(kVia, "first"));
  ASSERT_TRUE(run_until(io, [&] { return server.received.size() == 1; }));

  RawClient second(io, server.address(TransportProtocol::kTcp));
  second.start_reading();
  ASSERT_TRUE(run_until(io, [&] { return second.closed; }));
  EXPECT_EQ(server.layer.stats().connections_rejected, 1u);
  EXPECT_EQ(server.layer.open_connections(), 1u);
}

TEST(TransportTcp, OutboundEvictsLongestIdleAtLimit) {
  asio::io_context io;
  RecordingTransport server_a(io, tcp_settings());
  RecordingTransport server_b(io, tcp_settings());
  TransportSettings settings = tcp_settings();
  settings.max_connections = 1;
  RecordingTransport client(io, settings);
  ASSERT_FALSE(server_a.layer.start());
  ASSERT_FALSE(server_b.layer.start());
  ASSERT_FALSE(client.layer.start());

  SendResult to_a;
  client.layer.send_request(make_request(kVia, "a"), server_a.address(TransportProtocol::kTcp),
                            "", to_a.handler());
  ASSERT_TRUE(run_until(io, [&] { return to_a.done(); }));
  ASSERT_TRUE(run_until(io, [&] { return !server_a.received.empty(); }));

  SendResult to_b;
  client.layer.send_request(make_request(kVia, "b"), server_b.address(TransportProtocol::kTcp),
                            "", to_b.handler());
  ASSERT_TRUE(run_until(io, [&] { return to_b.done(); }));
  ASSERT_TRUE(run_until(io, [&] { return !server_b.received.empty(); }));
  EXPECT_FALSE(*to_b.error);
  EXPECT_EQ(client.layer.stats().connections_evicted, 1u);
  EXPECT_EQ(client.layer.open_connections(), 1u);
  ASSERT_TRUE(run_until(io, [&] { return server_a.layer.open_connections() == 0; }));
}

TEST(TransportTcp, OutboundFailsAtLimitWithoutIdleConnection) {
  asio::io_context io;
  RecordingTransport server_a(io, tcp_settings());
  RecordingTransport server_b(io, tcp_settings());
  TransportSettings settings = tcp_settings();
  settings.max_connections = 1;
  RecordingTransport client(io, settings);
  ASSERT_FALSE(server_a.layer.start());
  ASSERT_FALSE(server_b.layer.start());
  ASSERT_FALSE(client.layer.start());

  // The first connection is still connecting, so it is not idle.
  SendResult to_a;
  SendResult to_b;
  client.layer.send_request(make_request(kVia, "a"), server_a.address(TransportProtocol::kTcp),
                            "", to_a.handler());
  client.layer.send_request(make_request(kVia, "b"), server_b.address(TransportProtocol::kTcp),
                            "", to_b.handler());
  ASSERT_TRUE(run_until(io, [&] { return to_a.done(); }));
  ASSERT_TRUE(run_until(io, [&] { return to_b.done(); }));
  EXPECT_FALSE(*to_a.error);
  EXPECT_EQ(*to_b.error, TransportError::kConnectionLimit);
}

TEST(TransportTcp, FramingErrorClosesConnection) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings());
  ASSERT_FALSE(server.layer.start());
  RawClient client(io, server.address(TransportProtocol::kTcp));
  client.start_reading();
  // No Content-Length: a stream cannot be framed without it.
  client.write("OPTIONS sip:x@example.net SIP/2.0\r\nVia: " + kVia + "\r\n\r\n");

  ASSERT_TRUE(run_until(io, [&] { return client.closed; }));
  EXPECT_TRUE(server.received.empty());
  EXPECT_EQ(server.layer.stats().framing_errors, 1u);
  EXPECT_EQ(server.layer.open_connections(), 0u);
}

TEST(TransportTcp, UnparsableFramedMessageIsDropped) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings());
  ASSERT_FALSE(server.layer.start());
  RawClient client(io, server.address(TransportProtocol::kTcp));
  // Framed by Content-Length, but the start line is not SIP.
  client.write("HELLO\r\nContent-Length: 0\r\n\r\n" + make_request(kVia, "after"));

  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
  EXPECT_EQ(server.received.front().message.call_id(), "after");
  EXPECT_EQ(server.layer.stats().stream_messages_dropped, 1u);
  EXPECT_EQ(server.layer.open_connections(), 1u);
}

TEST(TransportTcp, ConnectToClosedPortReportsError) {
  asio::io_context io;
  RecordingTransport client(io, tcp_settings());
  ASSERT_FALSE(client.layer.start());
  // Bind a port and close it, so nothing listens there.
  asio::ip::tcp::acceptor probe(io, {asio::ip::address_v4::loopback(), 0});
  const std::uint16_t closed_port = probe.local_endpoint().port();
  probe.close();

  SendResult sent;
  client.layer.send_request(make_request(kVia),
                            {TransportProtocol::kTcp, asio::ip::address_v4::loopback(), closed_port},
                            "", sent.handler());
  ASSERT_TRUE(run_until(io, [&] { return sent.done(); }));
  EXPECT_EQ(*sent.error, asio::error::connection_refused);
  EXPECT_EQ(client.layer.open_connections(), 0u);
}

TEST(TransportTcp, StopFailsQueuedSends) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings());
  RecordingTransport client(io, tcp_settings());
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  SendResult sent;
  client.layer.send_request(make_request(kVia), server.address(TransportProtocol::kTcp), "",
                            sent.handler());
  client.layer.stop();  // before the connection opened
  ASSERT_TRUE(run_until(io, [&] { return sent.done(); }));
  EXPECT_EQ(*sent.error, TransportError::kStopped);
  EXPECT_EQ(client.layer.open_connections(), 0u);
}

TEST(TransportTcp, DestroyingLayerWithOpenConnectionIsSafe) {
  asio::io_context io;
  RecordingTransport server(io, tcp_settings());
  ASSERT_FALSE(server.layer.start());
  bool called = false;
  {
    RecordingTransport client(io, tcp_settings());
    ASSERT_FALSE(client.layer.start());
    client.layer.send_request(make_request(kVia), server.address(TransportProtocol::kTcp), "",
                              [&called](std::error_code) { called = true; });
  }
  // The client is gone: its coroutines wind down without calling handlers.
  io.run_for(200ms);
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace sippay::sip
