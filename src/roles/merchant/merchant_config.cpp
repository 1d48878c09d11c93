#include "roles/merchant/merchant_config.hpp"

#include <fmt/format.h>

#include "payment/field_rules.hpp"
#include "config/config_file.hpp"

namespace sippay::roles::merchant {
namespace {

// The host part of a SIP URI: "sip:merchant@shop.test" gives "shop.test".
std::string host_of(std::string_view uri) {
  std::string_view rest = uri.substr(uri.find(':') + 1);
  if (const auto at = rest.find('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  return std::string(rest.substr(0, rest.find_first_of(":;?>")));
}

std::chrono::seconds seconds_key(const config::ConfigSection& section, std::string_view key,
                                 std::int64_t fallback, std::int64_t min, std::int64_t max) {
  return std::chrono::seconds(section.integer(key, min, max).value_or(fallback));
}

}  // namespace

MerchantDaemonConfig merchant_config_from(const toml::table& root,
                                          const std::filesystem::path& base_dir,
                                          std::string_view source) {
  const config::ConfigFile file(root, {std::string(source), base_dir, "docs/merchant.md"});
  file.check_sections({"identity", "sip", "merchant", "catalog", "store"});

  MerchantDaemonConfig config;
  config.endpoint = load_endpoint_config(root, base_dir, source);
  config.endpoint.accept_unsigned = true;

  const config::ConfigSection merchant = file.section("merchant");
  merchant.check_keys({"realm", "gateway", "reservation_timeout_seconds",
                       "nonce_lifetime_seconds", "order_clock_window_seconds",
                       "sweep_interval_seconds"});
  config.machine.uri = config.endpoint.uri;
  config.machine.realm = merchant.string("realm").value_or(host_of(config.endpoint.uri));
  if (config.machine.realm.size() > payment::kMaxRealmBytes ||
      config.machine.realm.find_first_of("\"\\") != std::string::npos) {
    merchant.fail("realm", fmt::format("must be 1 to {} bytes of printable ASCII without '\"' "
                                       "and '\\'",
                                       payment::kMaxRealmBytes));
  }
  for (char c : config.machine.realm) {
    if (c < 0x20 || c > 0x7E) merchant.fail("realm", "must be printable ASCII");
  }
  config.machine.gateway = merchant.required("gateway");
  if (const auto problem = payment::text_rule_error(config.machine.gateway, payment::kSipUriRule)) {
    merchant.fail("gateway", *problem);
  }
  config.machine.reservation_timeout =
      seconds_key(merchant, "reservation_timeout_seconds", 300, 60, 86'400);
  config.machine.order_clock_window =
      seconds_key(merchant, "order_clock_window_seconds", 300, 30, 3'600);
  config.nonce_lifetime = seconds_key(merchant, "nonce_lifetime_seconds", 300, 30, 3'600);
  config.sweep_interval = seconds_key(merchant, "sweep_interval_seconds", 10, 1, 3'600);

  const config::ConfigSection catalog = file.section("catalog");
  catalog.check_keys({"file"});
  config.catalog = catalog.required_path("file");

  const config::ConfigSection store = file.section("store");
  store.check_keys({"path"});
  config.store = store.required_path("path");
  return config;
}

MerchantDaemonConfig load_merchant_config(const std::filesystem::path& path) {
  const toml::table root = read_toml_file(path);
  return merchant_config_from(root, path.parent_path(), path.string());
}

}  // namespace sippay::roles::merchant
