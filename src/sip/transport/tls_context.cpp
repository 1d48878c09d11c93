#include "sip/transport/tls_context.hpp"

#include <openssl/ssl.h>

#include "sip/transport/tls_crl.hpp"

namespace sippay::sip {
namespace {

TlsContextResult failure(std::error_code error, std::string detail) {
  return {nullptr, error, std::move(detail)};
}

// Options shared by both sides: TLS 1.2 or later, no compression
// (CRIME), no renegotiation by the peer.
std::error_code apply_common_options(asio::ssl::context& context) {
  std::error_code error;
  context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_compression,
                      error);
  if (error) {
    return error;
  }
  SSL_CTX* handle = context.native_handle();
  if (SSL_CTX_set_min_proto_version(handle, TLS1_2_VERSION) != 1) {
    return make_error_code(TransportError::kInvalidSettings);
  }
  SSL_CTX_set_options(handle, SSL_OP_NO_RENEGOTIATION);
  return {};
}

std::error_code load_identity(asio::ssl::context& context, const TlsSettings& settings,
                              std::string& detail) {
  std::error_code error;
  context.use_certificate_chain_file(settings.certificate_file, error);
  if (error) {
    detail = "certificate file \"" + settings.certificate_file + "\"";
    return error;
  }
  context.use_private_key_file(settings.private_key_file, asio::ssl::context::pem, error);
  if (error) {
    detail = "private key file \"" + settings.private_key_file + "\"";
    return error;
  }
  return {};
}

std::error_code load_trusted_cas(asio::ssl::context& context, const TlsSettings& settings,
                                 std::string& detail) {
  std::error_code error;
  if (settings.ca_file.empty()) {
    context.set_default_verify_paths(error);
    detail = "the system's CA certificates";
  } else {
    context.load_verify_file(settings.ca_file, error);
    detail = "CA file \"" + settings.ca_file + "\"";
  }
  return error;
}

// Replaces the context's store with one that also checks `crl_file`, when set.
std::error_code load_crls(asio::ssl::context& context, const TlsSettings& settings, std::string& detail) {
  if (settings.crl_file.empty()) {
    return {};
  }
  CrlStoreResult crls = make_crl_store(settings.ca_file, settings.crl_file);
  if (!crls.store) {
    detail = crls.detail;
    return crls.error;
  }
  set_verify_store(context, crls.store.get());
  return {};
}

}  // namespace

void set_verify_store(asio::ssl::context& context, X509_STORE* store) {
  SSL_CTX_set1_cert_store(context.native_handle(), store);
}

TlsContextResult make_tls_server_context(const TlsSettings& settings) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  std::string detail = "TLS options";
  std::error_code error = apply_common_options(*context);
  if (error) {
    return failure(error, detail);
  }
  if (settings.certificate_file.empty() || settings.private_key_file.empty()) {
    return failure(make_error_code(TransportError::kInvalidSettings),
                   "a TLS listener needs certificate_file and private_key_file");
  }
  error = load_identity(*context, settings, detail);
  if (error) {
    return failure(error, detail);
  }

  if (settings.require_client_certificate) {
    error = load_trusted_cas(*context, settings, detail);
    if (error) {
      return failure(error, detail);
    }
    context->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert,
                             error);
  } else {
    context->set_verify_mode(asio::ssl::verify_none, error);
  }
  if (error) {
    return failure(error, "verify mode");
  }
  error = load_crls(*context, settings, detail);
  if (error) {
    return failure(error, detail);
  }
  return {std::move(context), {}, {}};
}

TlsContextResult make_tls_client_context(const TlsSettings& settings) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  std::string detail = "TLS options";
  std::error_code error = apply_common_options(*context);
  if (error) {
    return failure(error, detail);
  }
  if (!settings.certificate_file.empty() && !settings.private_key_file.empty()) {
    error = load_identity(*context, settings, detail);
    if (error) {
      return failure(error, detail);
    }
  }
  if (settings.verify_server) {
    error = load_trusted_cas(*context, settings, detail);
    if (error) {
      return failure(error, detail);
    }
  }
  error = load_crls(*context, settings, detail);
  if (error) {
    return failure(error, detail);
  }
  return {std::move(context), {}, {}};
}

}  // namespace sippay::sip
