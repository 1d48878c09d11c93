#include "roles/gateway/gateway_settings.hpp"

#include "config/config_file.hpp"

namespace sippay::roles::gateway {

GatewaySettings load_gateway_settings(const std::filesystem::path& path) {
  const toml::table root = read_toml_file(path);
  const std::string source = path.filename().string();
  const std::filesystem::path base = path.parent_path().empty() ? "." : path.parent_path();

  const config::ConfigFile file(root, {source, base, "docs/gateway.md"});
  file.check_sections({"identity", "sip", "ledger"});

  GatewaySettings settings;
  settings.endpoint = load_endpoint_config(root, base, source);
  if (!settings.endpoint.accept_only_from) {
    file.section("sip").fail("accept_only_from",
                             "is required for the gateway; set it to the proxy's SIP URI or DNS name in its "
                             "TLS certificate, e.g. \"sip:pay.test\"");
  }

  const config::ConfigSection ledger = file.section("ledger");
  ledger.check_keys({"database", "pin_key", "confirmation_timeout_seconds", "pin_max_failures",
                     "pin_lockout_seconds", "expiry_sweep_seconds", "worker_threads", "max_waiting_messages"});
  settings.database = ledger.required_path("database").string();
  settings.pin_key = ledger.required_path("pin_key");

  settings.policy.machine.confirmation_timeout = std::chrono::seconds(
      ledger.integer("confirmation_timeout_seconds", kMinConfirmationSeconds, kMaxConfirmationSeconds)
          .value_or(120));
  settings.policy.pin.max_failures =
      static_cast<int>(ledger.integer("pin_max_failures", 1, kMaxPinFailures).value_or(3));
  settings.policy.pin.lockout =
      std::chrono::seconds(ledger.integer("pin_lockout_seconds", 1, kMaxPinLockoutSeconds).value_or(900));
  settings.sweep_interval =
      std::chrono::seconds(ledger.integer("expiry_sweep_seconds", 1, kMaxSweepSeconds).value_or(5));
  settings.worker_threads = static_cast<unsigned>(
      ledger.integer("worker_threads", 1, kMaxWorkerThreads).value_or(kDefaultWorkerThreads));
  settings.max_waiting_messages = static_cast<unsigned>(
      ledger.integer("max_waiting_messages", 0, kMaxWaitingMessages).value_or(kDefaultWaitingMessages));
  return settings;
}

}  // namespace sippay::roles::gateway
