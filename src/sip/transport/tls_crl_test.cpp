// Revocation checks of TLS peers against a CRL file, with real handshakes
// on 127.0.0.1 and a CA, certificates and CRLs made by the test PKI.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sip/transport/testing/test_pki.hpp"
#include "sip/transport/testing/transport_test_support.hpp"
#include "sip/transport/tls_context.hpp"
#include "sip/transport/tls_crl.hpp"

namespace sippay::sip {
namespace {

using namespace std::chrono_literals;
using testing::CertificateFiles;
using testing::loopback;
using testing::make_request;
using testing::RecordingTransport;
using testing::run_until;
using testing::SendResult;
using testing::TestPki;

const std::string kVia = "SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bKcrl";
const std::string kServerName = "sip.example.test";

class TransportTlsCrl : public ::testing::Test {
 protected:
  // A mutual TLS server that checks client certificates against `crl_file`.
  TransportSettings server_settings(const std::string& crl_file) {
    TransportSettings settings;
    settings.listen = {loopback(TransportProtocol::kTls)};
    settings.tls = TlsSettings{server_files_.certificate_file, server_files_.private_key_file, pki_.ca_file()};
    settings.tls->require_client_certificate = true;
    settings.tls->crl_file = crl_file;
    return settings;
  }

  // A client with the certificate `own` that checks the server against `crl_file`.
  TransportSettings client_settings(const CertificateFiles& own, const std::string& crl_file) {
    TransportSettings settings;
    settings.tls = TlsSettings{own.certificate_file, own.private_key_file, pki_.ca_file()};
    settings.tls->crl_file = crl_file;
    return settings;
  }

  // Sends one request and runs until the server delivers it or a handshake
  // fails on either side. Returns whether the server delivered it.
  bool delivered(RecordingTransport& client, RecordingTransport& server) {
    const std::size_t received_before = server.received.size();
    const std::uint64_t server_failures = server.layer.stats().tls_handshake_failures;
    const std::uint64_t client_failures = client.layer.stats().tls_handshake_failures;
    SendResult sent;
    client.layer.send_request(make_request(kVia), server.address(TransportProtocol::kTls), kServerName,
                              sent.handler());
    // With TLS 1.3 the client's handshake ends before the server checks the
    // client's certificate, so the client's send may succeed before the close.
    EXPECT_TRUE(run_until(io_, [&] {
      return server.received.size() > received_before ||
             server.layer.stats().tls_handshake_failures > server_failures ||
             client.layer.stats().tls_handshake_failures > client_failures;
    }));
    return server.received.size() > received_before;
  }

  std::string write_file(const std::string& name, const std::string& text) {
    const std::string path = (std::filesystem::path(pki_.ca_file()).parent_path() / name).string();
    std::ofstream(path) << text;
    return path;
  }

  asio::io_context io_;
  TestPki pki_;
  CertificateFiles server_files_ = pki_.issue("server", {kServerName, {kServerName}, {"127.0.0.1"}, {}});
  CertificateFiles client_files_ = pki_.issue("client", {"client.example.test", {}, {"127.0.0.1"}, {}});
  CertificateFiles other_client_files_ = pki_.issue("other", {"other.example.test", {}, {"127.0.0.1"}, {}});
};

TEST_F(TransportTlsCrl, ServerRejectsRevokedClient) {
  const std::string crl = pki_.write_crl("revokes-client", {client_files_.serial});
  RecordingTransport server(io_, server_settings(crl));
  RecordingTransport client(io_, client_settings(client_files_, ""));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  EXPECT_FALSE(delivered(client, server));
  EXPECT_EQ(server.layer.stats().tls_handshake_failures, 1u);
  EXPECT_TRUE(server.received.empty());
  ASSERT_TRUE(run_until(io_, [&] { return client.layer.open_connections() == 0; }));
  EXPECT_EQ(server.layer.open_connections(), 0u);
}

TEST_F(TransportTlsCrl, ServerWithoutCrlAcceptsRevokedClient) {
  pki_.write_crl("revokes-client", {client_files_.serial});
  RecordingTransport server(io_, server_settings(""));
  RecordingTransport client(io_, client_settings(client_files_, ""));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  EXPECT_TRUE(delivered(client, server));
  EXPECT_EQ(server.layer.stats().tls_handshake_failures, 0u);
}

TEST_F(TransportTlsCrl, ServerAcceptsClientNotRevoked) {
  const std::string crl = pki_.write_crl("revokes-other", {other_client_files_.serial});
  RecordingTransport server(io_, server_settings(crl));
  RecordingTransport client(io_, client_settings(client_files_, ""));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  EXPECT_TRUE(delivered(client, server));
  EXPECT_EQ(server.layer.stats().tls_handshake_failures, 0u);
}

TEST_F(TransportTlsCrl, ClientRejectsRevokedServer) {
  const std::string crl = pki_.write_crl("revokes-server", {server_files_.serial});
  RecordingTransport server(io_, server_settings(""));
  RecordingTransport client(io_, client_settings(client_files_, crl));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  SendResult sent;
  client.layer.send_request(make_request(kVia), server.address(TransportProtocol::kTls), kServerName,
                            sent.handler());
  ASSERT_TRUE(run_until(io_, [&] { return sent.done(); }));
  EXPECT_TRUE(*sent.error);
  EXPECT_EQ(client.layer.stats().tls_handshake_failures, 1u);
  EXPECT_EQ(client.layer.open_connections(), 0u);
  EXPECT_TRUE(server.received.empty());
}

TEST_F(TransportTlsCrl, ClientAcceptsServerNotRevoked) {
  const std::string crl = pki_.write_crl("revokes-other", {other_client_files_.serial});
  RecordingTransport server(io_, server_settings(crl));
  RecordingTransport client(io_, client_settings(client_files_, crl));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());

  EXPECT_TRUE(delivered(client, server));
  EXPECT_EQ(client.layer.stats().tls_handshake_failures, 0u);
}

TEST_F(TransportTlsCrl, ReloadRevokesNextHandshake) {
  const std::string crl = pki_.write_crl("crl", {});
  RecordingTransport server(io_, server_settings(crl));
  RecordingTransport client(io_, client_settings(client_files_, ""));
  ASSERT_FALSE(server.layer.start());
  ASSERT_FALSE(client.layer.start());
  ASSERT_TRUE(delivered(client, server));

  pki_.write_crl("crl", {client_files_.serial});
  const TlsCrlReloadResult reloaded = server.layer.reload_tls_crl(crl);
  EXPECT_FALSE(reloaded.error) << reloaded.detail;

  // The connection opened before the reload stays open and usable.
  EXPECT_TRUE(delivered(client, server));
  EXPECT_EQ(server.layer.open_connections(), 1u);

  RecordingTransport second_client(io_, client_settings(client_files_, ""));
  ASSERT_FALSE(second_client.layer.start());
  EXPECT_FALSE(delivered(second_client, server));
  EXPECT_EQ(server.layer.stats().tls_handshake_failures, 1u);
  EXPECT_EQ(server.received.size(), 2u);
}

TEST_F(TransportTlsCrl, ReloadEnablesCheckOnServerStartedWithout) {
  RecordingTransport server(io_, server_settings(""));
  ASSERT_FALSE(server.layer.start());
  const std::string crl = pki_.write_crl("revokes-client", {client_files_.serial});
  const TlsCrlReloadResult reloaded = server.layer.reload_tls_crl(crl);
  ASSERT_FALSE(reloaded.error) << reloaded.detail;

  RecordingTransport client(io_, client_settings(client_files_, ""));
  ASSERT_FALSE(client.layer.start());
  EXPECT_FALSE(delivered(client, server));
  EXPECT_EQ(server.layer.stats().tls_handshake_failures, 1u);
}

TEST_F(TransportTlsCrl, InvalidCrlOnReloadKeepsCrlInUse) {
  const std::string crl = pki_.write_crl("revokes-client", {client_files_.serial});
  RecordingTransport server(io_, server_settings(crl));
  ASSERT_FALSE(server.layer.start());

  const std::string garbage = write_file("garbage.crl.pem", "-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n");
  const TlsCrlReloadResult bad = server.layer.reload_tls_crl(garbage);
  EXPECT_EQ(bad.error, TransportError::kInvalidCrl);
  EXPECT_NE(bad.detail.find(garbage), std::string::npos) << bad.detail;

  TestPki other_pki("other test CA");
  const std::string foreign = other_pki.write_crl("foreign", {});
  const TlsCrlReloadResult wrong_issuer = server.layer.reload_tls_crl(foreign);
  EXPECT_EQ(wrong_issuer.error, TransportError::kInvalidCrl);
  EXPECT_NE(wrong_issuer.detail.find("is not a CA of the CA file"), std::string::npos) << wrong_issuer.detail;

  const TlsCrlReloadResult missing = server.layer.reload_tls_crl(crl + ".missing");
  EXPECT_EQ(missing.error, TransportError::kInvalidCrl);
  EXPECT_NE(missing.detail.find(crl + ".missing"), std::string::npos) << missing.detail;

  // The CRL loaded at start still rejects the revoked client.
  RecordingTransport client(io_, client_settings(client_files_, ""));
  ASSERT_FALSE(client.layer.start());
  EXPECT_FALSE(delivered(client, server));
  EXPECT_EQ(server.layer.stats().tls_handshake_failures, 1u);
}

TEST_F(TransportTlsCrl, ReloadNeedsStartedTlsTransport) {
  const std::string crl = pki_.write_crl("crl", {});
  RecordingTransport not_started(io_, server_settings(crl));
  EXPECT_EQ(not_started.layer.reload_tls_crl(crl).error, TransportError::kStopped);

  TransportSettings without_tls;
  without_tls.listen = {loopback(TransportProtocol::kTcp)};
  RecordingTransport plain(io_, without_tls);
  ASSERT_FALSE(plain.layer.start());
  EXPECT_EQ(plain.layer.reload_tls_crl(crl).error, TransportError::kTlsNotConfigured);
}

TEST_F(TransportTlsCrl, InvalidCrlFileFailsStart) {
  const std::string garbage = write_file("garbage.crl.pem", "not a CRL\n");
  RecordingTransport server(io_, server_settings(garbage));
  EXPECT_EQ(server.layer.start(), TransportError::kInvalidCrl);

  // The client side fails too, and the detail names the file.
  const TransportSettings client = client_settings(client_files_, garbage);
  const TlsContextResult context = make_tls_client_context(*client.tls);
  EXPECT_EQ(context.context, nullptr);
  EXPECT_EQ(context.error, TransportError::kInvalidCrl);
  EXPECT_NE(context.detail.find(garbage), std::string::npos) << context.detail;
  EXPECT_NE(context.detail.find("contains no PEM CRL"), std::string::npos) << context.detail;
}

TEST_F(TransportTlsCrl, MissingCrlFileFailsStart) {
  const std::string missing = pki_.ca_file() + ".missing-crl";
  RecordingTransport server(io_, server_settings(missing));
  EXPECT_EQ(server.layer.start(), TransportError::kInvalidCrl);

  const TlsContextResult context = make_tls_server_context(*server_settings(missing).tls);
  EXPECT_NE(context.detail.find(missing), std::string::npos) << context.detail;
  EXPECT_NE(context.detail.find("cannot be opened"), std::string::npos) << context.detail;
}

TEST_F(TransportTlsCrl, CrlStoreChecks) {
  const std::string crl = pki_.write_crl("crl", {});

  const CrlStoreResult without_ca = make_crl_store("", crl);
  EXPECT_EQ(without_ca.error, TransportError::kInvalidSettings);
  EXPECT_NE(without_ca.detail.find("needs a CA file"), std::string::npos) << without_ca.detail;

  const std::string missing_ca = pki_.ca_file() + ".missing";
  const CrlStoreResult unreadable_ca = make_crl_store(missing_ca, crl);
  EXPECT_EQ(unreadable_ca.error, TransportError::kInvalidSettings);
  EXPECT_NE(unreadable_ca.detail.find(missing_ca), std::string::npos) << unreadable_ca.detail;

  const CrlStoreResult ca_without_certificate = make_crl_store(crl, crl);
  EXPECT_EQ(ca_without_certificate.error, TransportError::kInvalidSettings);
  EXPECT_NE(ca_without_certificate.detail.find("contains no PEM certificate"), std::string::npos)
      << ca_without_certificate.detail;

  // A CA without a CRL in the file would fail every peer it issued.
  TestPki other_pki("other test CA");
  const std::string both_cas = write_file(
      "both-cas.pem", [&] {
        std::ifstream first(pki_.ca_file());
        std::ifstream second(other_pki.ca_file());
        return std::string(std::istreambuf_iterator<char>(first), {}) +
               std::string(std::istreambuf_iterator<char>(second), {});
      }());
  const CrlStoreResult one_crl = make_crl_store(both_cas, crl);
  EXPECT_EQ(one_crl.error, TransportError::kInvalidCrl);
  EXPECT_NE(one_crl.detail.find("other test CA"), std::string::npos) << one_crl.detail;

  // One file with a CRL of each CA is accepted and checks the whole chain.
  const std::string two_crls = write_file("two.crl.pem", [&] {
    std::ifstream first(crl);
    std::ifstream second(other_pki.write_crl("other", {}));
    return std::string(std::istreambuf_iterator<char>(first), {}) +
           std::string(std::istreambuf_iterator<char>(second), {});
  }());
  const CrlStoreResult accepted = make_crl_store(both_cas, two_crls);
  ASSERT_NE(accepted.store, nullptr) << accepted.detail;
  const unsigned long flags = X509_VERIFY_PARAM_get_flags(X509_STORE_get0_param(accepted.store.get()));
  EXPECT_NE(flags & X509_V_FLAG_CRL_CHECK, 0u);
  EXPECT_NE(flags & X509_V_FLAG_CRL_CHECK_ALL, 0u);
}

}  // namespace
}  // namespace sippay::sip
