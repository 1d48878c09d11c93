#include "proxy/proxy_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <sstream>
#include <toml++/toml.h>

#include "proxy/aor.hpp"
#include "sip/charset.hpp"

namespace sippay::proxy {
namespace {

// Reads one section of the file, with the file's name and the section's for
// error messages.
class Section {
 public:
  Section(std::string_view source, std::string name, const toml::table* table)
      : source_(source), name_(std::move(name)), table_(table) {}

  bool present() const { return table_ != nullptr; }

  [[noreturn]] void fail(std::string_view key, std::string_view problem) const {
    throw ConfigError(fmt::format("{}: [{}] {}: {}", source_, name_, key, problem));
  }

  // Rejects keys outside `known`, which are usually misspellings.
  void check_keys(std::initializer_list<std::string_view> known) const {
    if (table_ == nullptr) return;
    for (const auto& [key, value] : *table_) {
      if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
        fail(key.str(), "unknown key; check its spelling against docs/proxy.md");
      }
    }
  }

  std::optional<std::string> string(std::string_view key) const {
    const toml::node* node = find(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_string()) fail(key, "must be a string");
    return std::string(*node->value<std::string_view>());
  }

  std::optional<bool> boolean(std::string_view key) const {
    const toml::node* node = find(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_boolean()) fail(key, "must be true or false");
    return *node->value<bool>();
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max) const {
    const toml::node* node = find(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_integer()) fail(key, fmt::format("must be an integer from {} to {}", min, max));
    const std::int64_t value = *node->value<std::int64_t>();
    if (value < min || value > max) {
      fail(key, fmt::format("{} is out of range; use an integer from {} to {}", value, min, max));
    }
    return value;
  }

  std::optional<double> number(std::string_view key, double min, double max) const {
    const toml::node* node = find(key);
    if (node == nullptr) return std::nullopt;
    if (!node->is_number()) fail(key, fmt::format("must be a number from {} to {}", min, max));
    const double value = *node->value<double>();
    if (!(value >= min && value <= max)) {
      fail(key, fmt::format("{} is out of range; use a number from {} to {}", value, min, max));
    }
    return value;
  }

  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> values;
    const toml::node* node = find(key);
    if (node == nullptr) return values;
    const toml::array* array = node->as_array();
    if (array == nullptr) fail(key, "must be an array of strings, as in [\"a\", \"b\"]");
    for (const toml::node& element : *array) {
      if (!element.is_string()) fail(key, "must be an array of strings, as in [\"a\", \"b\"]");
      values.emplace_back(*element.value<std::string_view>());
    }
    return values;
  }

 private:
  const toml::node* find(std::string_view key) const {
    return table_ == nullptr ? nullptr : table_->get(key);
  }

  std::string_view source_;
  std::string name_;
  const toml::table* table_;
};

std::string to_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = sip::charset::to_lower(c);
  return lower;
}

std::filesystem::path resolve_path(const std::filesystem::path& base, const std::string& text) {
  const std::filesystem::path path(text);
  return path.is_absolute() ? path : base / path;
}

Section section(const toml::table& root, std::string_view source, std::string_view name) {
  const toml::node* node = root.get(name);
  if (node != nullptr && !node->is_table()) {
    throw ConfigError(fmt::format("{}: [{}] must be a table", source, name));
  }
  return Section(source, std::string(name), node == nullptr ? nullptr : node->as_table());
}

void read_proxy_section(const Section& proxy, ProxyConfig& config) {
  proxy.check_keys({"domains", "listen", "workers", "t1_ms"});
  for (const std::string& domain : proxy.strings("domains")) {
    if (domain.empty()) proxy.fail("domains", "an entry is empty; list host names or IP addresses");
    config.domains.push_back(to_lower(domain));
  }
  if (config.domains.empty()) {
    proxy.fail("domains", "missing; list the domains served here, as in [\"pay.example\"]");
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
    proxy.fail("listen", "missing; list the addresses to listen on, as in [\"udp:127.0.0.1:5060\"]");
  }
  // NOTE: the proxy runs on one I/O thread; more workers need a location
  // service shared between threads, which does not exist yet.
  config.workers = static_cast<unsigned>(proxy.integer("workers", 1, 1).value_or(1));
  if (auto t1 = proxy.integer("t1_ms", 1, 60000)) config.timers.t1 = std::chrono::milliseconds(*t1);
}

void read_tls_section(const Section& tls, const std::filesystem::path& base, ProxyConfig& config) {
  tls.check_keys({"certificate", "private_key", "ca", "require_client_certificate"});
  if (!tls.present()) return;
  sip::TlsSettings settings;
  if (auto value = tls.string("certificate")) settings.certificate_file = resolve_path(base, *value).string();
  if (auto value = tls.string("private_key")) settings.private_key_file = resolve_path(base, *value).string();
  if (auto value = tls.string("ca")) settings.ca_file = resolve_path(base, *value).string();
  settings.require_client_certificate = tls.boolean("require_client_certificate").value_or(false);
  if (settings.certificate_file.empty() != settings.private_key_file.empty()) {
    tls.fail(settings.certificate_file.empty() ? "certificate" : "private_key",
             "missing; give both certificate and private_key, or neither");
  }
  if (settings.require_client_certificate && settings.ca_file.empty()) {
    tls.fail("ca", "missing; require_client_certificate needs the CA that client certificates chain to");
  }
  config.tls = settings;
}

void read_auth_section(const Section& auth, const std::filesystem::path& base, ProxyConfig& config) {
  auth.check_keys({"realm", "credentials", "secret_file", "algorithms", "nonce_lifetime",
                   "max_tracked_nonces", "challenge_requests"});
  config.realm = auth.string("realm").value_or(config.domains.front());
  if (config.realm.empty()) auth.fail("realm", "is empty; use the domain, as in \"pay.example\"");
  const auto credentials = auth.string("credentials");
  if (!credentials) {
    auth.fail("credentials", "missing; name the HA1 credential file (docs/digest-server.md shows its format)");
  }
  config.credentials = resolve_path(base, *credentials);
  if (auto value = auth.string("secret_file")) config.secret_file = resolve_path(base, *value);
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

void read_registrar_section(const Section& registrar, const std::filesystem::path& base,
                            ProxyConfig& config) {
  registrar.check_keys({"database", "min_expires", "max_expires", "default_expires", "max_contacts",
                        "sweep_interval"});
  if (auto value = registrar.string("database")) config.database = resolve_path(base, *value);
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

StaticRoute read_route(const toml::table& table, std::string_view source, std::size_t index,
                       const ProxyConfig& config) {
  const Section route(source, fmt::format("route {}", index + 1), &table);
  route.check_keys({"uri", "target", "mutual_tls", "local_senders_only"});
  StaticRoute result;
  result.uri = route.string("uri").value_or("");
  auto uri = sip::parse_uri(result.uri);
  std::optional<std::string> aor;
  if (uri) aor = canonical_aor(*uri);
  if (!aor) route.fail("uri", fmt::format("\"{}\" is not a sip or sips URI with a user part", result.uri));
  result.aor = *aor;

  result.target = route.string("target").value_or("");
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

void read_routes(const toml::table& root, std::string_view source, ProxyConfig& config) {
  const toml::node* node = root.get("route");
  if (node == nullptr) return;
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    throw ConfigError(fmt::format("{}: route must be an array of tables, written [[route]]", source));
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) {
      throw ConfigError(fmt::format("{}: route {} must be a table, written [[route]]", source, i + 1));
    }
    config.routes.push_back(read_route(*table, source, i, config));
  }
}

void read_policy_section(const Section& policy, ProxyConfig& config) {
  policy.check_keys({"forward_to_other_domains", "accept_from_other_domains"});
  config.forward_to_other_domains = policy.boolean("forward_to_other_domains").value_or(false);
  config.accept_from_other_domains = policy.boolean("accept_from_other_domains").value_or(true);
}

}  // namespace

ProxyConfig parse_proxy_config(std::string_view text, const std::filesystem::path& base,
                               std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    throw ConfigError(fmt::format("{}:{}:{}: invalid TOML: {}", source_name, where.line, where.column,
                                  error.description()));
  }
  for (const auto& [key, value] : root) {
    static constexpr std::string_view kKnown[] = {"proxy", "tls", "auth", "registrar", "limits", "route", "policy"};
    if (std::find(std::begin(kKnown), std::end(kKnown), key.str()) == std::end(kKnown)) {
      throw ConfigError(fmt::format("{}: unknown section [{}]; check its spelling against docs/proxy.md",
                                    source_name, key.str()));
    }
  }

  ProxyConfig config;
  config.source = std::filesystem::path(source_name);
  const Section proxy = section(root, source_name, "proxy");
  if (!proxy.present()) throw ConfigError(fmt::format("{}: missing section [proxy]", source_name));
  read_proxy_section(proxy, config);
  read_tls_section(section(root, source_name, "tls"), base, config);
  bool listens_on_tls = false;
  for (const auto& address : config.listen) {
    listens_on_tls = listens_on_tls || address.protocol == sip::TransportProtocol::kTls;
  }
  if (listens_on_tls && (!config.tls || config.tls->certificate_file.empty())) {
    throw ConfigError(fmt::format("{}: [proxy] listen: a tls listener needs certificate and private_key in [tls]",
                                  source_name));
  }
  read_auth_section(section(root, source_name, "auth"), base, config);
  read_registrar_section(section(root, source_name, "registrar"), base, config);
  read_limits_section(section(root, source_name, "limits"), config);
  read_routes(root, source_name, config);
  read_policy_section(section(root, source_name, "policy"), config);
  return config;
}

ProxyConfig load_proxy_config(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw ConfigError(fmt::format("{}: cannot open the configuration file; check the path", path.string()));
  }
  std::ostringstream text;
  text << file.rdbuf();
  const std::filesystem::path base = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  return parse_proxy_config(text.str(), base, path.string());
}

}  // namespace sippay::proxy
