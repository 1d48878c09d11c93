// The customer's TOML file: [identity] and [sip] (EndpointConfig) and
// [customer]. docs/roles.md lists every key.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "roles/endpoint/endpoint_config.hpp"

namespace sippay::roles {

struct CustomerConfig {
  EndpointConfig endpoint;
  std::string account;                // the customer's account at the gateway
  std::string gateway;                // the gateway's SIP URI
  std::filesystem::path wallet;       // SQLite file of the wallet's purchases and nonces
  std::string currency = "EUR";       // currency of --price
  std::chrono::seconds timeout{120};  // for one purchase or history inquiry
  int max_challenges = 3;             // merchant 401 answers accepted for one purchase
};

// Reads and checks the file. Throws ConfigError naming the file and key.
CustomerConfig load_customer_config(const std::filesystem::path& path);

}  // namespace sippay::roles
