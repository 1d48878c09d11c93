// The [identity] and [sip] sections that every role's TOML file shares:
// who the role is (its SIP URI, certificate and key), whom it trusts (the
// operator CA and CRL, the peers' certificates) and how it reaches the
// proxy. docs/roles.md lists every key.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <toml++/toml.h>

#include "config/config_error.hpp"
#include "config/toml_file.hpp"

namespace sippay::roles {

using config::ConfigError;
using config::read_toml_file;

// Upper bound of [sip] crypto_threads.
inline constexpr unsigned kMaxCryptoThreads = 64;
// Upper bound of [identity] crl_check_seconds: one hour.
inline constexpr std::int64_t kMaxCrlCheckSeconds = 3600;

struct EndpointConfig {
  std::string uri;  // own address of record, e.g. sip:gateway@pay.test
  std::filesystem::path certificate, private_key, ca;  // PEM; ca = operator CA
  std::optional<std::filesystem::path> crl;
  // Time between two checks of the crl file for a change (inode, size or
  // modification time), after which the endpoint reloads it; 0: only
  // PaymentEndpoint::reload_crl (SIGHUP) reloads it.
  std::chrono::milliseconds crl_check_interval{std::chrono::seconds(5)};
  std::filesystem::path peer_certificates;  // folder of PEM certificates of the peers (by SIP URI in SAN)
  std::string listen = "tls:127.0.0.1:0";   // TLS only for payment messages
  std::string proxy;                        // "sips:127.0.0.1:5061": every request goes through it (Route)
  std::optional<std::string> username, password;  // Digest towards the proxy (401/407); omitted: none
  bool register_contact = true;  // REGISTER the listen address with the proxy, refresh
  std::uint32_t register_expires = 3600;  // seconds asked for in REGISTER
  // Gateway: the proxy's SIP URI or DNS name in its TLS client certificate;
  // requests over any other connection get 403.
  std::optional<std::string> accept_only_from;
  // Bodies larger than this get 413.
  std::size_t max_body_bytes = 65536;
  // No final response within this time: the send fails (408 or a transport error).
  std::chrono::milliseconds t1{500};
  // Threads that seal and open S/MIME bodies off the I/O thread, at most
  // kMaxCryptoThreads; 0: one per hardware thread.
  unsigned crypto_threads = 0;
  // Set by the role, not read from the file: accept AuthEnvelopedData
  // bodies whose content is not signed (the merchant's purchase, whose
  // signature is the dual signature inside). InboundMessage::signer_verified
  // tells them apart.
  bool accept_unsigned = false;
};

// Reads [identity] and [sip] from `root`; relative paths are resolved
// against `base_dir` and `source` names the file in errors. Other sections
// are left to the role. Throws ConfigError naming the key.
EndpointConfig load_endpoint_config(const toml::table& root, const std::filesystem::path& base_dir,
                                    std::string_view source = "config");

// The host of `accept_only_from` as the TLS identity check takes it:
// "sip:pay.test" and "pay.test" both give "pay.test".
std::string tls_identity_host(std::string_view accept_only_from);

}  // namespace sippay::roles
