#include "roles/customer/customer_config.hpp"

#include <fmt/format.h>

#include "config/config_file.hpp"
#include "ledger/currency.hpp"
#include "sip/uri.hpp"

namespace sippay::roles {

CustomerConfig load_customer_config(const std::filesystem::path& path) {
  const toml::table root = read_toml_file(path);
  const std::string source = path.string();
  const std::filesystem::path base = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  CustomerConfig config;
  const config::ConfigFile file(root, {source, base, "docs/roles.md"});
  file.check_sections({"identity", "sip", "customer"});
  config.endpoint = load_endpoint_config(root, base, source);
  const config::ConfigSection customer = file.section("customer");
  customer.check_keys({"account", "gateway", "wallet", "currency", "timeout", "max_challenges"});
  config.account = customer.required("account");
  const auto uri = sip::parse_uri(config.endpoint.uri);
  config.gateway = customer.string("gateway").value_or("sip:gateway@" + std::string(uri->host));
  const auto gateway = sip::parse_uri(config.gateway);
  if (!gateway || !gateway->is_sip_or_sips() || !gateway->has_user) {
    customer.fail("gateway", fmt::format("\"{}\" is not a sip: URI with a user part (sip:gateway@pay.test)",
                                         config.gateway));
  }
  config.wallet = customer.path("wallet").value_or(base / "wallet.sqlite");
  config.currency = customer.string("currency").value_or("EUR");
  if (!ledger::find_currency(config.currency)) {
    customer.fail("currency", fmt::format("\"{}\" is not a supported ISO 4217 code; write EUR", config.currency));
  }
  config.timeout = std::chrono::seconds(customer.integer("timeout", 1, 3600).value_or(120));
  config.max_challenges = static_cast<int>(customer.integer("max_challenges", 1, 10).value_or(3));
  return config;
}

}  // namespace sippay::roles
