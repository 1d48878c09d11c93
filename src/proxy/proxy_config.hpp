// The configuration of `sippay proxy`, read from a TOML file. docs/proxy.md
// lists every key with its default and limits.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.hpp"
#include "proxy/registrar_settings.hpp"
#include "sip/auth/digest.hpp"
#include "sip/transaction/transaction_types.hpp"
#include "sip/transport/transport.hpp"
#include "sip/ua/target.hpp"

namespace sippay::proxy {

using config::ConfigError;

// The action on a request from a source over its rate limit.
enum class OverLimitAction : unsigned char {
  kReply,  // 503 Service Unavailable with Retry-After
  kDrop,   // nothing is sent
};

struct LimitSettings {
  double rate = 50;    // requests per second per source address
  double burst = 100;  // bucket size: requests a quiet source may send at once
  OverLimitAction over_limit = OverLimitAction::kReply;
  std::uint32_t retry_after = 5;        // seconds, in the 503's Retry-After
  std::size_t max_in_flight = 10000;    // relayed requests without a final response
  std::size_t max_message_bytes = 65535;
  std::size_t max_sources = 65536;      // source addresses tracked by the rate limiter
};

// A static route: requests for `uri` go to `target`.
struct StaticRoute {
  std::string uri;  // as configured
  std::string aor;  // canonical_aor(uri), compared with the Request-URI's
  std::string target;
  sip::Target next_hop;
  // The hop requires the proxy's certificate. Every TLS connection the
  // proxy opens presents [tls] certificate; this flag makes its absence a
  // configuration error. Needs a TLS target.
  bool mutual_tls = false;
  // Only requests whose From is a local user take this route; others get
  // 403. With challenge_requests on, those users have authenticated.
  bool local_senders_only = true;
};

struct ProxyConfig {
  std::filesystem::path source;  // the configuration file
  std::vector<std::string> domains;  // in lower case
  std::vector<sip::TransportAddress> listen;
  unsigned workers = 1;
  std::optional<sip::TlsSettings> tls;
  sip::TimerConfig timers;

  // [auth]
  std::string realm;
  std::filesystem::path credentials;
  std::optional<std::filesystem::path> secret_file;  // generated at start when absent
  // Digest algorithms offered, one WWW-Authenticate or Proxy-Authenticate
  // each, strongest first whatever the order here (RFC 8760).
  std::vector<sip::DigestAlgorithm> algorithms = {sip::DigestAlgorithm::kSha256, sip::DigestAlgorithm::kMd5};
  std::chrono::seconds nonce_lifetime{300};
  std::size_t max_tracked_nonces = 100'000;
  bool challenge_requests = true;

  // [registrar]
  std::optional<std::filesystem::path> database;  // in memory when absent
  RegistrarSettings registrar;
  std::chrono::seconds sweep_interval{30};

  LimitSettings limits;
  std::vector<StaticRoute> routes;

  // [policy]
  bool forward_to_other_domains = false;
  bool accept_from_other_domains = true;
};

// Reads and checks the file at `path`. Relative paths inside it are taken
// relative to the file's folder. Throws ConfigError.
ProxyConfig load_proxy_config(const std::filesystem::path& path);

// Parses configuration text; `base` is the folder relative paths start
// from, `source_name` starts each error message.
ProxyConfig parse_proxy_config(std::string_view text, const std::filesystem::path& base,
                               std::string_view source_name);

}  // namespace sippay::proxy
