#include "proxy/proxy_config.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "config/config_file.hpp"
#include "config/toml_file.hpp"
#include "proxy/aor.hpp"
#include "sip/charset.hpp"

namespace sippay::proxy {
namespace {

using config::ConfigFile;
using Section = config::ConfigSection;

// The sections of the file, each described in docs/proxy.md.
constexpr std::string_view kSections[] = {"proxy", "tls", "auth", "registrar", "limits", "route", "policy"};

std::string to_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = sip::charset::to_lower(c);
  return lower;
}

void read_proxy_section(const Section& proxy, ProxyConfig& config) {
  proxy.check_keys({"domains", "listen", "workers", "t1_ms"});
  for (const std::string& domain : proxy.strings("domains")) {
    if (domain.empty()) proxy.fail("domains", "an entry is empty; list host names or IP addresses");
    config.domains.push_back(to_lower(domain));
  }
  if (config.domains.empty()) {
    proxy.fail("domains", "is required; list the domains served here, as in [\"pay.example\"]");
  }
  for (const std::string& text : proxy.strings("listen")) {
    const auto address = sip::parse_transport_address(text);
    if (!address) {
      proxy.fail("listen", fmt::format("\"{}\" is invalid; write udp:ADDRESS:PORT, tcp:... or tls:..., "
                                       "with IPv6 addresses in brackets",
                                       text));
    }
    config.listen.push_back(*address);
  }
  if (config.listen.empty()) {
    proxy.fail("listen", "is required; list the addresses to listen on, as in [\"udp:127.0.0.1:5060\"]");
  }
  // NOTE: the proxy runs on one I/O thread; more workers need a location
  // service shared between threads, which does not exist yet.
  config.workers = static_cast<unsigned>(proxy.integer("workers", 1, 1).value_or(1));
  if (auto t1 = proxy.integer("t1_ms", 1, 60000)) config.timers.t1 = std::chrono::milliseconds(*t1);
}

void read_tls_section(const Section& tls, ProxyConfig& config) {
  tls.check_keys({"certificate", "private_key", "ca", "require_client_certificate", "crl"});
  if (!tls.present()) return;
  sip::TlsSettings settings;
  if (auto path = tls.path("certificate")) settings.certificate_file = path->string();
  if (auto path = tls.path("private_key")) settings.private_key_file = path->string();
  if (auto path = tls.path("ca")) settings.ca_file = path->string();
  if (auto path = tls.path("crl")) settings.crl_file = path->string();
  settings.require_client_certificate = tls.boolean("require_client_certificate").value_or(false);
  if (settings.certificate_file.empty() != settings.private_key_file.empty()) {
    tls.fail(settings.certificate_file.empty() ? "certificate" : "private_key",
             "is required; give both certificate and private_key, or neither");
  }
  if (settings.require_client_certificate && settings.ca_file.empty()) {
    tls.fail("ca", "is required; require_client_certificate needs the CA that client certificates chain to");
  }
  if (!settings.crl_file.empty() && settings.ca_file.empty()) {
    tls.fail("ca", "is required; crl needs the CA that issued the CRL");
  }
  config.tls = settings;
}

void read_auth_section(const Section& auth, ProxyConfig& config) {
  auth.check_keys({"realm", "credentials", "secret_file", "algorithms", "nonce_lifetime",
                   "max_tracked_nonces", "challenge_requests"});
  config.realm = auth.string("realm").value_or(config.domains.front());
  config.credentials =
      auth.required_path("credentials", "name the HA1 credential file (docs/digest-server.md shows its format)");
  config.secret_file = auth.path("secret_file");
  if (const std::vector<std::string> names = auth.strings("algorithms"); !names.empty()) {
    config.algorithms.clear();
    for (const std::string& name : names) {
      const auto spec = sip::parse_digest_algorithm(name);
      if (!spec || spec->session || name.empty()) {
        auth.fail("algorithms", fmt::format("\"{}\" is not supported; use \"SHA-256\", \"MD5\" or \"SHA-512-256\"", name));
      }
      if (std::find(config.algorithms.begin(), config.algorithms.end(), spec->algorithm) != config.algorithms.end()) {
        auth.fail("algorithms", fmt::format("\"{}\" is listed twice", name));
      }
      config.algorithms.push_back(spec->algorithm);
    }
  }
  config.nonce_lifetime = std::chrono::seconds(auth.integer("nonce_lifetime", 1, 86400).value_or(300));
  config.max_tracked_nonces =
      static_cast<std::size_t>(auth.integer("max_tracked_nonces", 1, 100'000'000).value_or(100'000));
  config.challenge_requests = auth.boolean("challenge_requests").value_or(true);
}

void read_registrar_section(const Section& registrar, ProxyConfig& config) {
  registrar.check_keys({"database", "min_expires", "max_expires", "default_expires", "max_contacts",
                        "sweep_interval"});
  config.database = registrar.path("database");
  RegistrarSettings& settings = config.registrar;
  settings.domains = config.domains;
  constexpr std::int64_t kMaxSeconds = 365LL * 86400;
  if (auto value = registrar.integer("min_expires", 1, kMaxSeconds)) settings.min_expires = static_cast<std::uint32_t>(*value);
  if (auto value = registrar.integer("max_expires", 1, kMaxSeconds)) settings.max_expires = static_cast<std::uint32_t>(*value);
  if (auto value = registrar.integer("default_expires", 1, kMaxSeconds)) settings.default_expires = static_cast<std::uint32_t>(*value);
  if (auto value = registrar.integer("max_contacts", 1, 1000)) settings.max_contacts_per_aor = static_cast<std::size_t>(*value);
  config.sweep_interval = std::chrono::seconds(registrar.integer("sweep_interval", 1, 86400).value_or(30));
  try {
    validate(settings);
  } catch (const std::invalid_argument& error) {
    registrar.fail("expires", fmt::format("{}; make min_expires <= default_expires <= max_expires",
                                          error.what()));
  }
}

void read_limits_section(const Section& limits, ProxyConfig& config) {
  limits.check_keys({"rate", "burst", "over_limit", "retry_after", "max_in_flight", "max_message_bytes",
                     "max_sources"});
  LimitSettings& settings = config.limits;
  settings.rate = limits.number("rate", 0.001, 1e9).value_or(settings.rate);
  settings.burst = limits.number("burst", 1, 1e9).value_or(settings.burst);
  if (auto action = limits.string("over_limit")) {
    if (*action == "reply") {
      settings.over_limit = OverLimitAction::kReply;
    } else if (*action == "drop") {
      settings.over_limit = OverLimitAction::kDrop;
    } else {
      limits.fail("over_limit", fmt::format("\"{}\" is invalid; use \"reply\" or \"drop\"", *action));
    }
  }
  settings.retry_after = static_cast<std::uint32_t>(limits.integer("retry_after", 0, 86400).value_or(5));
  settings.max_in_flight = static_cast<std::size_t>(limits.integer("max_in_flight", 1, 10'000'000).value_or(10000));
  settings.max_message_bytes =
      static_cast<std::size_t>(limits.integer("max_message_bytes", 1024, 65535).value_or(65535));
  settings.max_sources = static_cast<std::size_t>(limits.integer("max_sources", 16, 10'000'000).value_or(65536));
}

StaticRoute read_route(const Section& route, const ProxyConfig& config) {
  route.check_keys({"uri", "target", "mutual_tls", "local_senders_only"});
  StaticRoute result;
  result.uri = route.required("uri", "write the address of record it serves, as in \"sip:gateway@pay.example\"");
  auto uri = sip::parse_uri(result.uri);
  std::optional<std::string> aor;
  if (uri) aor = canonical_aor(*uri);
  if (!aor) route.fail("uri", fmt::format("\"{}\" is not a sip or sips URI with a user part", result.uri));
  result.aor = *aor;

  result.target = route.required("target", "write the next hop, as in \"sips:127.0.0.1:5062\"");
  std::string error;
  const auto next_hop = sip::resolve_target(result.target, error);
  if (!next_hop) {
    route.fail("target", fmt::format("\"{}\" is invalid: {}; write a sip or sips URI with an IP address",
                                     result.target, error));
  }
  result.next_hop = *next_hop;
  result.mutual_tls = route.boolean("mutual_tls").value_or(false);
  result.local_senders_only = route.boolean("local_senders_only").value_or(true);
  if (result.mutual_tls) {
    if (result.next_hop.address.protocol != sip::TransportProtocol::kTls) {
      route.fail("mutual_tls", "needs a TLS target, as in \"sips:127.0.0.1:5062\"");
    }
    if (!config.tls || config.tls->certificate_file.empty()) {
      route.fail("mutual_tls", "needs the proxy's certificate and private_key in [tls]");
    }
  }
  if (result.next_hop.address.protocol == sip::TransportProtocol::kTls && !config.tls) {
    route.fail("target", "is a TLS target; add a [tls] section with at least ca");
  }
  return result;
}

void read_policy_section(const Section& policy, ProxyConfig& config) {
  policy.check_keys({"forward_to_other_domains", "accept_from_other_domains"});
  config.forward_to_other_domains = policy.boolean("forward_to_other_domains").value_or(false);
  config.accept_from_other_domains = policy.boolean("accept_from_other_domains").value_or(true);
}

ProxyConfig read_proxy_config(const toml::table& root, const std::filesystem::path& base,
                              std::string_view source_name) {
  const ConfigFile file(root, {std::string(source_name), base, "docs/proxy.md"});
  file.check_sections(kSections);

  ProxyConfig config;
  config.source = std::filesystem::path(source_name);
  read_proxy_section(file.required_section("proxy"), config);
  read_tls_section(file.section("tls"), config);
  bool listens_on_tls = false;
  for (const auto& address : config.listen) {
    listens_on_tls = listens_on_tls || address.protocol == sip::TransportProtocol::kTls;
  }
  if (listens_on_tls && (!config.tls || config.tls->certificate_file.empty())) {
    file.fail("[proxy] listen: a tls listener needs certificate and private_key in [tls]");
  }
  read_auth_section(file.section("auth"), config);
  read_registrar_section(file.section("registrar"), config);
  read_limits_section(file.section("limits"), config);
  for (const Section& route : file.table_array("route")) config.routes.push_back(read_route(route, config));
  read_policy_section(file.section("policy"), config);
  return config;
}

}  // namespace

ProxyConfig parse_proxy_config(std::string_view text, const std::filesystem::path& base,
                               std::string_view source_name) {
  return read_proxy_config(config::parse_toml(text, source_name), base, source_name);
}

ProxyConfig load_proxy_config(const std::filesystem::path& path) {
  const toml::table root = config::read_toml_file(path);
  const std::filesystem::path base = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  return read_proxy_config(root, base, path.string());
}

}  // namespace sippay::proxy
