// The merchant daemon's TOML file: [identity] and [sip] (the payment
// endpoint's), then [merchant], [catalog] and [store]. docs/merchant.md
// lists every key with its default and limit.
#pragma once

#include <chrono>
#include <filesystem>

#include "payment/merchant_machine.hpp"
#include "roles/endpoint/endpoint_config.hpp"

namespace sippay::roles::merchant {

struct MerchantDaemonConfig {
  EndpointConfig endpoint;          // accept_unsigned is set: purchases carry only DS
  payment::MerchantConfig machine;  // uri from [identity], the rest from [merchant]
  std::chrono::seconds nonce_lifetime{300};
  std::chrono::seconds sweep_interval{10};
  std::filesystem::path catalog;
  std::filesystem::path store;
};

// Reads and checks the file; relative paths are taken from the file's
// folder. Throws ConfigError naming the file, the section and the key.
MerchantDaemonConfig load_merchant_config(const std::filesystem::path& path);

// The same for a parsed file; `source` names it in errors.
MerchantDaemonConfig merchant_config_from(const toml::table& root,
                                          const std::filesystem::path& base_dir,
                                          std::string_view source);

}  // namespace sippay::roles::merchant
