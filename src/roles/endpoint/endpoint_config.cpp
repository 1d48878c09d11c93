#include "roles/endpoint/endpoint_config.hpp"

#include <fmt/format.h>

#include "config/config_file.hpp"
#include "sip/transport/transport.hpp"
#include "sip/uri.hpp"

namespace sippay::roles {
namespace {

using Section = config::ConfigSection;

// The keys of [identity] and [sip], each described in docs/roles.md.
constexpr std::string_view kIdentityKeys[] = {"uri", "certificate", "private_key", "ca", "crl", "crl_check_seconds",
                                              "peer_certificates"};
// One key a line, so that adding a key is a one-line change.
constexpr std::string_view kSipKeys[] = {
    "listen",
    "proxy",
    "username",
    "password",
    "register",
    "register_expires",
    "accept_only_from",
    "max_body_bytes",
    "t1_ms",
    "crypto_threads",
};

void check_sip_uri(const Section& section, std::string_view key, const std::string& value, bool needs_user) {
  const auto uri = sip::parse_uri(value);
  if (!uri || !uri->is_sip_or_sips() || (needs_user && !uri->has_user)) {
    section.fail(key, fmt::format("\"{}\" is not a sip: or sips: URI{}", value,
                                  needs_user ? " with a user part (sip:alice@pay.test)" : ""));
  }
}

}  // namespace

std::string tls_identity_host(std::string_view accept_only_from) {
  if (const auto uri = sip::parse_uri(accept_only_from); uri && uri->is_sip_or_sips()) {
    return std::string(uri->host);
  }
  return std::string(accept_only_from);
}

EndpointConfig load_endpoint_config(const toml::table& root, const std::filesystem::path& base_dir,
                                    std::string_view source) {
  const config::ConfigFile file(root, {std::string(source), base_dir, "docs/roles.md"});
  EndpointConfig config;
  const Section identity = file.required_section("identity");
  identity.check_keys(kIdentityKeys);
  config.uri = identity.required("uri");
  check_sip_uri(identity, "uri", config.uri, true);
  config.certificate = identity.required_path("certificate");
  config.private_key = identity.required_path("private_key");
  config.ca = identity.required_path("ca");
  config.crl = identity.path("crl");
  if (auto seconds = identity.integer("crl_check_seconds", 0, kMaxCrlCheckSeconds)) {
    config.crl_check_interval = std::chrono::seconds(*seconds);
  }
  config.peer_certificates = identity.required_path("peer_certificates");
  std::error_code error;
  if (!std::filesystem::is_directory(config.peer_certificates, error)) {
    identity.fail("peer_certificates", fmt::format("\"{}\" is not a folder; make it and put the peers' PEM "
                                                   "certificates in it",
                                                   config.peer_certificates.string()));
  }

  const Section sip = file.required_section("sip");
  sip.check_keys(kSipKeys);
  if (auto listen = sip.string("listen")) config.listen = *listen;
  const auto address = sip::parse_transport_address(config.listen);
  if (!address || address->protocol != sip::TransportProtocol::kTls) {
    sip.fail("listen", fmt::format("\"{}\" is not a TLS address; write tls:127.0.0.1:5071 (port 0 picks one)",
                                   config.listen));
  }
  config.proxy = sip.required("proxy");
  const auto proxy = sip::parse_uri(config.proxy);
  if (!proxy || proxy->scheme != sip::UriScheme::kSips) {
    sip.fail("proxy", fmt::format("\"{}\" is not a sips: URI; write sips:127.0.0.1:5061", config.proxy));
  }
  config.username = sip.string("username");
  config.password = sip.string("password");
  if (config.username.has_value() != config.password.has_value()) {
    sip.fail(config.username ? "password" : "username", "username and password go together; set both or neither");
  }
  config.register_contact = sip.boolean("register").value_or(true);
  config.register_expires =
      static_cast<std::uint32_t>(sip.integer("register_expires", 60, 86400).value_or(config.register_expires));
  config.accept_only_from = sip.string("accept_only_from");
  config.max_body_bytes =
      static_cast<std::size_t>(sip.integer("max_body_bytes", 1024, 262144).value_or(65536));
  config.t1 = std::chrono::milliseconds(sip.integer("t1_ms", 1, 60000).value_or(500));
  config.crypto_threads = static_cast<unsigned>(sip.integer("crypto_threads", 1, kMaxCryptoThreads).value_or(0));
  return config;
}

}  // namespace sippay::roles
