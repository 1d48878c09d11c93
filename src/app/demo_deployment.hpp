// The throwaway deployment of `sippay demo`: PKI, configuration files, the
// ledger with demo accounts and the merchant's catalog, all in one folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sippay::app::demo {

inline constexpr const char* kDomain = "pay.test";
inline constexpr const char* kProxyUri = "sip:pay.test";
inline constexpr const char* kGatewayUri = "sip:gateway@pay.test";
inline constexpr const char* kMerchantUri = "sip:merchant@pay.test";
inline constexpr const char* kCustomerUri = "sip:alice@pay.test";
inline constexpr const char* kCustomerAccount = "alice";
inline constexpr const char* kMerchantAccount = "merchant";
inline constexpr const char* kCurrency = "EUR";
inline constexpr const char* kCustomerPin = "1234";
inline constexpr std::int64_t kCustomerOpeningBalance = 5000;  // minor units: 50.00 EUR

struct CatalogItem {
  std::string id, name;
  std::int64_t price = 0;  // minor units
  std::int64_t stock = 0;
};

// The demo catalog. The integration tests rely on its shape: `coffee` is the
// purchase the demo makes, `ticket` sells out after one, `television` costs
// more than the customer's opening balance.
const std::vector<CatalogItem>& demo_catalog();

// Formats minor units as a decimal amount, e.g. 250 as "2.50".
std::string format_amount(std::int64_t minor_units);

struct Party {
  std::filesystem::path certificate, private_key;
};

// Paths inside the deployment folder, relative to nothing: every one is absolute.
struct Deployment {
  std::filesystem::path root;
  std::filesystem::path pki, peers, logs;
  Party proxy, gateway, merchant, customer;
  std::filesystem::path ledger, pin_key, pin_file, catalog, merchant_store;
  std::filesystem::path proxy_config, gateway_config, merchant_config, customer_config;
  int gateway_port = 0;  // fixed, because the proxy's static route names it
  int proxy_port = 0;    // known after the proxy has started
};

// Creates the folders, the PKI and the ledger and writes the proxy's configuration.
// The other configurations need the proxy's port: write them with write_role_configs.
// Throws std::runtime_error naming the step that failed and its output.
Deployment create_deployment(const std::filesystem::path& root);

// Writes the gateway's, merchant's and customer's TOML files for `deployment.proxy_port`.
void write_role_configs(const Deployment& deployment);

// A customer added for load (`sippay bench purchase`), beside the demo's alice.
struct LoadCustomer {
  std::string user;     // SIP user and ledger account id, e.g. "load7"
  std::string uri;      // sip:load7@pay.test
  std::string password;  // Digest password towards the proxy
  Party party;
  std::filesystem::path config, wallet;
};

// Adds `count` customers load1..loadN: a certificate each (also in peers/),
// Digest credentials in users.ha1, a ledger account topped up with
// `opening_balance` minor units and the PIN kCustomerPin. Call it before the
// proxy starts, because the proxy reads users.ha1 once at start. Their
// TOML files need the proxy's port: write them with write_load_customer_configs.
std::vector<LoadCustomer> add_load_customers(const Deployment& deployment, int count,
                                             std::int64_t opening_balance);

// Writes each load customer's TOML file for `deployment.proxy_port`.
void write_load_customer_configs(const Deployment& deployment, const std::vector<LoadCustomer>& customers);

// Appends an item to the merchant's catalog. Call it before the merchant starts.
void add_catalog_item(const Deployment& deployment, const CatalogItem& item);

// Appends a [limits] section to the proxy's TOML file: `rate` requests per
// second per source address (the default of 50 is for one customer, and a
// load from 127.0.0.1 is one source) and a burst of the same size. Call it
// before the proxy starts.
void set_proxy_rate_limit(const Deployment& deployment, int rate);

}  // namespace sippay::app::demo
