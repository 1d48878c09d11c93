// OpenSSL contexts for SIP over TLS: TLS 1.2 or later, the element's
// certificate and key, and the CAs that peers' certificates must chain to.
#pragma once

#include <asio/ssl/context.hpp>
#include <openssl/x509_vfy.h>
#include <memory>
#include <string>
#include <system_error>

#include "sip/transport/transport.hpp"

namespace sippay::sip {

struct TlsContextResult {
  std::unique_ptr<asio::ssl::context> context;  // null on error
  std::error_code error;
  std::string detail;  // which file or step failed, for the log
};

// The server side: needs a certificate and key. With
// `require_client_certificate`, a client without a certificate that chains
// to `ca_file` fails the handshake (mutual TLS). With `crl_file`, a client
// certificate listed in it fails too. A `crl_file` that cannot be used
// fails the setup, even without `require_client_certificate`.
TlsContextResult make_tls_server_context(const TlsSettings& settings);

// The client side: verifies servers against `ca_file`, or the system's CAs
// when it is empty, and against `crl_file` when set. Presents the
// certificate and key when both are set. The host name check is per
// connection (SipServerIdentityVerifier).
TlsContextResult make_tls_client_context(const TlsSettings& settings);

// Makes `context` verify peers with `store` (see make_crl_store) from its
// next certificate check on. The context keeps a reference to `store` and
// drops its previous store. Call it on the thread that runs the context's
// handshakes.
void set_verify_store(asio::ssl::context& context, X509_STORE* store);

}  // namespace sippay::sip
