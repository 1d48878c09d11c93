// TransportLayer::on_connection_closed over real sockets on 127.0.0.1: the
// id send_request returns, and the reason each kind of close reports.
#include <gtest/gtest.h>

#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/socket_base.hpp>

#include "sip/transport/testing/test_pki.hpp"
#include "sip/transport/testing/transport_test_support.hpp"

namespace sippay::sip {
namespace {

using namespace std::chrono_literals;
using testing::loopback;
using testing::make_request;
using testing::RecordingTransport;
using testing::run_until;
using testing::SendResult;

const std::string kVia = "SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKclose";

TransportSettings listening_on(TransportProtocol protocol) {
  TransportSettings settings;
  settings.listen = {loopback(protocol)};
  return settings;
}

struct Closed {
  std::uint64_t connection_id = 0;
  std::error_code reason;
};

// Records every close `transport` reports in `closes`.
void record_closes(RecordingTransport& transport, std::vector<Closed>& closes) {
  transport.layer.on_connection_closed([&closes](std::uint64_t id, std::error_code reason) {
    closes.push_back({id, reason});
  });
}

TEST(TransportConnectionClosed, PeerCloseReportedWithSendId) {
  asio::io_context io;
  RecordingTransport server(io, listening_on(TransportProtocol::kTcp));
  RecordingTransport client(io, listening_on(TransportProtocol::kTcp));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());
  std::vector<Closed> client_closes;
  std::vector<Closed> server_closes;
  record_closes(client, client_closes);
  record_closes(server, server_closes);

  const std::uint64_t id = client.layer.send_request(
      make_request(kVia), server.address(TransportProtocol::kTcp), "", nullptr);
  EXPECT_NE(id, 0u);
  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
  EXPECT_TRUE(client_closes.empty());

  // A second request to the same peer reuses the connection and its id.
  EXPECT_EQ(client.layer.send_request(make_request(kVia, "second"),
                                      server.address(TransportProtocol::kTcp), "", nullptr),
            id);
  ASSERT_TRUE(run_until(io, [&] { return server.received.size() == 2; }));

  server.layer.stop();
  ASSERT_TRUE(run_until(io, [&] { return !client_closes.empty(); }));
  ASSERT_TRUE(run_until(io, [&] { return !server_closes.empty(); }));
  ASSERT_EQ(client_closes.size(), 1u);
  EXPECT_EQ(client_closes[0].connection_id, id);
  EXPECT_EQ(client_closes[0].reason, TransportError::kConnectionClosed);
  ASSERT_EQ(server_closes.size(), 1u);
  EXPECT_EQ(server_closes[0].connection_id, server.received[0].connection_id);
  EXPECT_EQ(server_closes[0].reason, TransportError::kStopped);
  EXPECT_EQ(client.layer.open_connections(), 0u);
}

// A peer that aborts the connection (SO_LINGER 0 sends RST) is reported
// with the system's error.
TEST(TransportConnectionClosed, ResetReportedAsSystemError) {
  asio::io_context io;
  RecordingTransport client(io, listening_on(TransportProtocol::kTcp));
  ASSERT_FALSE(client.layer.start());
  std::vector<Closed> closes;
  record_closes(client, closes);
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::address_v4::loopback(), 0});
  asio::ip::tcp::socket peer(io);
  std::array<char, 16> start{};
  bool request_arrived = false;
  acceptor.async_accept(peer, [&](std::error_code error) {
    ASSERT_FALSE(error) << error.message();
    asio::async_read(peer, asio::buffer(start), [&](std::error_code read_error, std::size_t) {
      request_arrived = !read_error;
    });
  });

  const std::uint64_t id = client.layer.send_request(
      make_request(kVia), {TransportProtocol::kTcp, asio::ip::address_v4::loopback(),
                           acceptor.local_endpoint().port()},
      "", nullptr);
  ASSERT_TRUE(run_until(io, [&] { return request_arrived; }));
  peer.set_option(asio::socket_base::linger(true, 0));
  peer.close();

  ASSERT_TRUE(run_until(io, [&] { return !closes.empty(); }));
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].connection_id, id);
  EXPECT_EQ(closes[0].reason, asio::error::connection_reset);
}

// A connection that never opens is reported too, after its queued send
// failed with the same error.
TEST(TransportConnectionClosed, RefusedConnectReportedOnce) {
  asio::io_context io;
  RecordingTransport client(io, listening_on(TransportProtocol::kTcp));
  ASSERT_FALSE(client.layer.start());
  std::vector<Closed> closes;
  record_closes(client, closes);
  asio::ip::tcp::acceptor probe(io, {asio::ip::address_v4::loopback(), 0});
  const std::uint16_t closed_port = probe.local_endpoint().port();
  probe.close();

  SendResult sent;
  const std::uint64_t id = client.layer.send_request(
      make_request(kVia), {TransportProtocol::kTcp, asio::ip::address_v4::loopback(), closed_port},
      "", sent.handler());
  ASSERT_TRUE(run_until(io, [&] { return sent.done(); }));
  ASSERT_TRUE(run_until(io, [&] { return !closes.empty(); }));
  EXPECT_EQ(*sent.error, asio::error::connection_refused);
  run_until(io, [] { return false; }, 50ms);
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(closes[0].connection_id, id);
  EXPECT_EQ(closes[0].reason, asio::error::connection_refused);
}

TEST(TransportConnectionClosed, UdpSendHasNoConnection) {
  asio::io_context io;
  RecordingTransport server(io, listening_on(TransportProtocol::kUdp));
  RecordingTransport client(io, listening_on(TransportProtocol::kUdp));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  EXPECT_EQ(client.layer.send_request(make_request("SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKudp"),
                                      server.address(TransportProtocol::kUdp), "", nullptr),
            0u);
  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
}

TEST(TransportConnectionClosed, SendFailingAtOnceHasNoConnection) {
  asio::io_context io;
  RecordingTransport client(io, listening_on(TransportProtocol::kTcp));
  ASSERT_FALSE(client.layer.start());
  client.layer.stop();

  SendResult sent;
  EXPECT_EQ(client.layer.send_request(make_request(kVia), loopback(TransportProtocol::kTcp), "",
                                      sent.handler()),
            0u);
  ASSERT_TRUE(run_until(io, [&] { return sent.done(); }));
  EXPECT_EQ(*sent.error, TransportError::kStopped);
}

// TLS closes without close_notify (see StreamConnection::close_socket), so
// the peer reads a truncated stream, which is reported as a closed
// connection like a TCP FIN.
TEST(TransportConnectionClosed, TlsPeerCloseReportedAsClosed) {
  asio::io_context io;
  testing::TestPki pki;
  const testing::CertificateFiles files =
      pki.issue("server", {"server", {}, {"127.0.0.1"}, {}});
  TransportSettings server_settings = listening_on(TransportProtocol::kTls);
  server_settings.tls = TlsSettings{files.certificate_file, files.private_key_file, pki.ca_file()};
  TransportSettings client_settings;
  client_settings.tls = TlsSettings{"", "", pki.ca_file()};
  RecordingTransport server(io, server_settings);
  RecordingTransport client(io, client_settings);
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());
  std::vector<Closed> closes;
  record_closes(client, closes);

  const std::uint64_t id = client.layer.send_request(
      make_request("SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bKtls"),
      server.address(TransportProtocol::kTls), "127.0.0.1", nullptr);
  ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
  server.layer.stop();

  ASSERT_TRUE(run_until(io, [&] { return !closes.empty(); }));
  EXPECT_EQ(closes[0].connection_id, id);
  EXPECT_EQ(closes[0].reason, TransportError::kConnectionClosed);
}

TEST(TransportConnectionClosed, NoReportAfterDestruction) {
  asio::io_context io;
  RecordingTransport server(io, listening_on(TransportProtocol::kTcp));
  ASSERT_FALSE(server.layer.start());
  bool reported = false;
  {
    RecordingTransport client(io, listening_on(TransportProtocol::kTcp));
    ASSERT_FALSE(client.layer.start());
    client.layer.on_connection_closed([&reported](std::uint64_t, std::error_code) { reported = true; });
    client.layer.send_request(make_request(kVia), server.address(TransportProtocol::kTcp), "",
                              nullptr);
    ASSERT_TRUE(run_until(io, [&] { return !server.received.empty(); }));
    // The close is posted inside stop() and would run after the scope ends.
    client.layer.stop();
  }
  run_until(io, [] { return false; }, 200ms);
  EXPECT_FALSE(reported);
}

}  // namespace
}  // namespace sippay::sip
