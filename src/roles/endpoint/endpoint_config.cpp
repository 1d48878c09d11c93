#include "roles/endpoint/endpoint_config.hpp"

#include <fmt/format.h>

#include "roles/endpoint/config_section.hpp"
#include "sip/transport/transport.hpp"
#include "sip/uri.hpp"

namespace sippay::roles {
namespace {

using Section = ConfigSection;

const toml::table* section(const toml::table& root, std::string_view source, std::string_view name) {
  const toml::table* table = ConfigSection::find(root, source, name);
  if (table == nullptr) throw ConfigError(fmt::format("{}: [{}] is required", source, name));
  return table;
}

std::filesystem::path resolve(const std::filesystem::path& base_dir, const std::string& path) {
  const std::filesystem::path value(path);
  return value.is_absolute() ? value : base_dir / value;
}

void check_sip_uri(const Section& section, std::string_view key, const std::string& value, bool needs_user) {
  const auto uri = sip::parse_uri(value);
  if (!uri || !uri->is_sip_or_sips() || (needs_user && !uri->has_user)) {
    section.fail(key, fmt::format("\"{}\" is not a sip: or sips: URI{}", value,
                                  needs_user ? " with a user part (sip:alice@pay.test)" : ""));
  }
}

}  // namespace

toml::table read_toml_file(const std::filesystem::path& path) {
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& error) {
    throw ConfigError(fmt::format("{}:{}: {}", path.string(), error.source().begin.line, error.description()));
  }
}

std::string tls_identity_host(std::string_view accept_only_from) {
  if (const auto uri = sip::parse_uri(accept_only_from); uri && uri->is_sip_or_sips()) {
    return std::string(uri->host);
  }
  return std::string(accept_only_from);
}

EndpointConfig load_endpoint_config(const toml::table& root, const std::filesystem::path& base_dir,
                                    std::string_view source) {
  EndpointConfig config;
  const Section identity(source, "identity", section(root, source, "identity"));
  identity.check_keys({"uri", "certificate", "private_key", "ca", "crl", "peer_certificates"});
  config.uri = identity.required("uri");
  check_sip_uri(identity, "uri", config.uri, true);
  config.certificate = resolve(base_dir, identity.required("certificate"));
  config.private_key = resolve(base_dir, identity.required("private_key"));
  config.ca = resolve(base_dir, identity.required("ca"));
  if (auto crl = identity.string("crl")) config.crl = resolve(base_dir, *crl);
  config.peer_certificates = resolve(base_dir, identity.required("peer_certificates"));
  std::error_code error;
  if (!std::filesystem::is_directory(config.peer_certificates, error)) {
    identity.fail("peer_certificates", fmt::format("\"{}\" is not a folder; make it and put the peers' PEM "
                                                   "certificates in it",
                                                   config.peer_certificates.string()));
  }

  const Section sip(source, "sip", section(root, source, "sip"));
  sip.check_keys({"listen", "proxy", "username", "password", "register", "register_expires", "accept_only_from",
                  "max_body_bytes", "t1_ms", "crypto_threads"});
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
