// The gateway's TOML file: [identity] and [sip] (EndpointConfig) and
// [ledger]. docs/gateway.md lists every key with its default and limits.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "roles/endpoint/endpoint_config.hpp"
#include "roles/gateway/gateway_processor.hpp"

namespace sippay::roles::gateway {

// Limits of the [ledger] keys, in docs/gateway.md.
inline constexpr std::int64_t kMinConfirmationSeconds = 10;
inline constexpr std::int64_t kMaxConfirmationSeconds = 3600;
inline constexpr std::int64_t kMaxPinFailures = 10;
inline constexpr std::int64_t kMaxPinLockoutSeconds = 7 * 24 * 3600;
inline constexpr std::int64_t kMaxSweepSeconds = 3600;
inline constexpr std::int64_t kMaxWorkerThreads = 64;
inline constexpr unsigned kDefaultWorkerThreads = 8;
inline constexpr std::int64_t kMaxWaitingMessages = 100000;
inline constexpr unsigned kDefaultWaitingMessages = 1000;

struct GatewaySettings {
  EndpointConfig endpoint;
  std::string database;               // SQLite file path (relative to the config file)
  std::filesystem::path pin_key;      // 32-byte key file, mode 0600
  GatewayPolicy policy;
  std::chrono::seconds sweep_interval{5};  // how often pending deadlines are checked
  // Threads that process messages, each in its own ledger transaction; they
  // mostly wait for commits, so there can be more of them than cores.
  unsigned worker_threads = kDefaultWorkerThreads;
  // Messages that may wait for a worker. A message beyond them gets a 503
  // response with Retry-After at once (InFlightLimit).
  unsigned max_waiting_messages = kDefaultWaitingMessages;
};

// Reads the file; requires accept_only_from in [sip], because the gateway
// takes messages only through its proxy. Throws ConfigError naming the key.
GatewaySettings load_gateway_settings(const std::filesystem::path& path);

}  // namespace sippay::roles::gateway
