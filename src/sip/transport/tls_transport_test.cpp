// TLS transport over real sockets on 127.0.0.1, with certificates made by
// the test PKI at test time.
#include <gtest/gtest.h>

#include <asio/ip/tcp.hpp>

#include "sip/transport/testing/test_pki.hpp"
#include "sip/transport/testing/transport_test_support.hpp"

namespace sippay::sip {
namespace {

using namespace std::chrono_literals;
using testing::CertificateFiles;
using testing::CertificateSpec;
using testing::loopback;
using testing::make_request;
using testing::make_response;
using testing::RecordingTransport;
using testing::run_until;
using testing::SendResult;
using testing::TestPki;

const std::string kVia = "SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bKtls";

class TransportTls : public ::testing::Test {
 protected:
  TransportSettings server_settings(const CertificateFiles& files,
                                    bool require_client_certificate = false) {
    TransportSettings settings;
    settings.listen = {loopback(TransportProtocol::kTls)};
    settings.tls = TlsSettings{files.certificate_file, files.private_key_file, pki_.ca_file(),
                               require_client_certificate, true};
    return settings;
  }

  // A client that trusts `ca_file` and listens on TLS only when it has a certificate.
  TransportSettings client_settings(const std::string& ca_file,
                                    const CertificateFiles* own = nullptr) {
    TransportSettings settings;
    TlsSettings tls;
    tls.ca_file = ca_file;
    if (own != nullptr) {
      tls.certificate_file = own->certificate_file;
      tls.private_key_file = own->private_key_file;
      settings.listen = {loopback(TransportProtocol::kTls)};
    }
    settings.tls = tls;
    return settings;
  }

  // Sends one request from `client` to `server` and runs until it is
  // delivered or the send fails.
  SendResult send(RecordingTransport& client, RecordingTransport& server,
                  const std::string& server_name) {
    SendResult sent;
    client.layer.send_request(make_request(kVia), server.address(TransportProtocol::kTls),
                              server_name, sent.handler());
    EXPECT_TRUE(run_until(io_, [&] { return sent.done(); }));
    if (sent.error && !*sent.error) {
      EXPECT_TRUE(run_until(io_, [&] { return !server.received.empty(); }));
    }
    return sent;
  }

  asio::io_context io_;
  TestPki pki_;
  CertificateFiles server_files_ = pki_.issue(
      "server", {"sip.example.test", {"sip.example.test"}, {"127.0.0.1", "::1"}, {}});
};

TEST_F(TransportTls, HandshakeWithCertificateFromTestCa) {
  RecordingTransport server(io_, server_settings(server_files_));
  RecordingTransport client(io_, client_settings(pki_.ca_file()));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  const SendResult by_name = send(client, server, "sip.example.test");
  ASSERT_TRUE(by_name.done());
  EXPECT_FALSE(*by_name.error) << by_name.error->message();
  ASSERT_EQ(server.received.size(), 1u);
  EXPECT_EQ(server.received.front().source.protocol, TransportProtocol::kTls);
  EXPECT_NE(server.received.front().connection_id, 0u);
}

TEST_F(TransportTls, AddressTargetMatchesIpSubjectAltName) {
  RecordingTransport server(io_, server_settings(server_files_));
  RecordingTransport client(io_, client_settings(pki_.ca_file()));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  const SendResult sent = send(client, server, "");
  EXPECT_FALSE(*sent.error) << sent.error->message();
  EXPECT_EQ(server.received.size(), 1u);
}

TEST_F(TransportTls, ResponseReturnsOnSameConnection) {
  RecordingTransport server(io_, server_settings(server_files_));
  RecordingTransport client(io_, client_settings(pki_.ca_file()));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());
  ASSERT_FALSE(*send(client, server, "sip.example.test").error);

  const ReceivedMessage& request = server.received.front();
  SendResult answered;
  server.layer.send_response(make_response(request.message), request, answered.handler());
  ASSERT_TRUE(run_until(io_, [&] { return !client.received.empty(); }));
  EXPECT_FALSE(*answered.error);
  EXPECT_EQ(client.received.front().message.status_code(), 200);
  EXPECT_EQ(client.layer.open_connections(), 1u);
  EXPECT_EQ(server.layer.open_connections(), 1u);
}

TEST_F(TransportTls, RejectsCertificateForOtherHost) {
  RecordingTransport server(io_, server_settings(server_files_));
  RecordingTransport client(io_, client_settings(pki_.ca_file()));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  const SendResult sent = send(client, server, "other.example.test");
  ASSERT_TRUE(sent.done());
  EXPECT_TRUE(*sent.error);
  EXPECT_TRUE(server.received.empty());
  EXPECT_EQ(client.layer.stats().tls_handshake_failures, 1u);
  EXPECT_EQ(client.layer.open_connections(), 0u);
}

TEST_F(TransportTls, RejectsUntrustedCa) {
  TestPki other_pki("other test CA");
  const CertificateFiles other_files =
      other_pki.issue("server", {"sip.example.test", {"sip.example.test"}, {"127.0.0.1"}, {}});
  TransportSettings settings = server_settings(other_files);
  settings.tls->ca_file = other_pki.ca_file();
  RecordingTransport server(io_, settings);
  RecordingTransport client(io_, client_settings(pki_.ca_file()));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  const SendResult sent = send(client, server, "sip.example.test");
  ASSERT_TRUE(sent.done());
  EXPECT_TRUE(*sent.error);
  EXPECT_TRUE(server.received.empty());
  EXPECT_EQ(client.layer.stats().tls_handshake_failures, 1u);
}

TEST_F(TransportTls, SipUriSubjectAltNameMatches) {
  // The sip URI names the SIP domain; the dNSName is then not an identity.
  const CertificateFiles files = pki_.issue(
      "sip-uri", {"", {"host.example.test"}, {}, {"sip:pay.example.test"}});
  RecordingTransport server(io_, server_settings(files));
  RecordingTransport client(io_, client_settings(pki_.ca_file()));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  const SendResult domain = send(client, server, "pay.example.test");
  EXPECT_FALSE(*domain.error) << domain.error->message();
  const SendResult host = send(client, server, "host.example.test");
  EXPECT_TRUE(*host.error);
  EXPECT_EQ(server.received.size(), 1u);
}

TEST_F(TransportTls, MutualTlsRejectsClientWithoutCertificate) {
  RecordingTransport server(io_, server_settings(server_files_, true));
  RecordingTransport client(io_, client_settings(pki_.ca_file()));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  SendResult sent;
  client.layer.send_request(make_request(kVia), server.address(TransportProtocol::kTls),
                            "sip.example.test", sent.handler());
  // With TLS 1.3 the client's handshake ends before the server checks the
  // client, so the client may see the send succeed and then the close.
  ASSERT_TRUE(run_until(io_, [&] { return server.layer.stats().tls_handshake_failures == 1; }));
  ASSERT_TRUE(run_until(io_, [&] { return client.layer.open_connections() == 0; }));
  EXPECT_TRUE(server.received.empty());
  EXPECT_EQ(server.layer.open_connections(), 0u);
}

TEST_F(TransportTls, MutualTlsAcceptsClientCertificate) {
  const CertificateFiles client_files =
      pki_.issue("client", {"client.example.test", {"client.example.test"}, {"127.0.0.1"}, {}});
  RecordingTransport server(io_, server_settings(server_files_, true));
  RecordingTransport client(io_, client_settings(pki_.ca_file(), &client_files));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  const SendResult sent = send(client, server, "sip.example.test");
  EXPECT_FALSE(*sent.error) << sent.error->message();
  EXPECT_EQ(server.received.size(), 1u);
  EXPECT_EQ(server.layer.stats().tls_handshake_failures, 0u);
}

TEST_F(TransportTls, AliasReusesInboundConnection) {
  const CertificateFiles client_files =
      pki_.issue("client", {"client.example.test", {}, {"127.0.0.1"}, {}});
  RecordingTransport server(io_, server_settings(server_files_, true));
  RecordingTransport client(io_, client_settings(pki_.ca_file(), &client_files));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());
  const TransportAddress client_listener = client.address(TransportProtocol::kTls);

  // RFC 5923: the alias parameter offers the connection for requests back.
  const std::string via = "SIP/2.0/TLS 127.0.0.1:" + std::to_string(client_listener.port) +
                          ";branch=z9hG4bKalias;alias";
  SendResult sent;
  client.layer.send_request(make_request(via), server.address(TransportProtocol::kTls),
                            "sip.example.test", sent.handler());
  ASSERT_TRUE(run_until(io_, [&] { return !server.received.empty(); }));

  server.layer.send_request(make_request("SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bKback"),
                            client_listener, "", nullptr);
  ASSERT_TRUE(run_until(io_, [&] { return !client.received.empty(); }));
  EXPECT_EQ(server.layer.open_connections(), 1u);
  EXPECT_EQ(client.layer.open_connections(), 1u);
  EXPECT_EQ(client.layer.stats().connections_accepted, 0u);
}

TEST_F(TransportTls, ListenerWithoutCertificateFailsToStart) {
  TransportSettings settings;
  settings.listen = {loopback(TransportProtocol::kTls)};
  settings.tls = TlsSettings{};
  settings.tls->ca_file = pki_.ca_file();
  RecordingTransport server(io_, settings);
  EXPECT_EQ(server.layer.start(), TransportError::kInvalidSettings);

  TransportSettings without_tls;
  without_tls.listen = {loopback(TransportProtocol::kTls)};
  RecordingTransport other(io_, without_tls);
  EXPECT_EQ(other.layer.start(), TransportError::kTlsNotConfigured);
}

TEST_F(TransportTls, MissingCertificateFileFailsToStart) {
  CertificateFiles missing{server_files_.certificate_file + ".missing",
                           server_files_.private_key_file};
  RecordingTransport server(io_, server_settings(missing));
  EXPECT_TRUE(server.layer.start());
}

TEST_F(TransportTls, HandshakeTimeoutClosesSilentClient) {
  TransportSettings settings = server_settings(server_files_);
  settings.connect_timeout = 200ms;
  RecordingTransport server(io_, settings);
  ASSERT_FALSE(server.layer.start());
  const TransportAddress listener = server.address(TransportProtocol::kTls);

  // A client that connects and never starts the handshake.
  asio::ip::tcp::socket silent(io_);
  silent.connect({listener.address, listener.port});
  std::array<char, 64> buffer{};
  bool closed = false;
  silent.async_read_some(asio::buffer(buffer), [&](std::error_code error, std::size_t) {
    closed = static_cast<bool>(error);
  });
  ASSERT_TRUE(run_until(io_, [&] { return closed; }));
  EXPECT_EQ(server.layer.open_connections(), 0u);
}

TEST_F(TransportTls, HandshakeTimeoutFailsSendToSilentServer) {
  // A server that accepts and never responds to the ClientHello.
  asio::ip::tcp::acceptor silent(io_, {asio::ip::address_v4::loopback(), 0});
  asio::ip::tcp::socket held(io_);
  silent.async_accept(held, [](std::error_code) {});

  TransportSettings settings = client_settings(pki_.ca_file());
  settings.connect_timeout = 200ms;
  RecordingTransport client(io_, settings);
  ASSERT_FALSE(client.layer.start());
  SendResult sent;
  client.layer.send_request(make_request(kVia),
                            {TransportProtocol::kTls, asio::ip::address_v4::loopback(),
                             silent.local_endpoint().port()},
                            "sip.example.test", sent.handler());
  ASSERT_TRUE(run_until(io_, [&] { return sent.done(); }));
  EXPECT_EQ(*sent.error, asio::error::timed_out);
  EXPECT_EQ(client.layer.open_connections(), 0u);
}

}  // namespace
}  // namespace sippay::sip
