// Target selection of the proxy (RFC 3261 §16.5): where a MESSAGE or
// OPTIONS goes, from its Route header, the static routes, the location
// service and the policy on other domains.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/location_service.hpp"
#include "proxy/proxy_config.hpp"
#include "proxy/proxy_counters.hpp"
#include "sip/auth/credential_store.hpp"
#include "sip/message.hpp"

namespace sippay::proxy {

struct RouteTarget {
  std::string request_uri;
  sip::Target next_hop;
};

struct RoutingResult {
  int status = 0;  // 0: forward to `targets`; else reject with this status
  std::string_view reason_phrase;
  Counter reason = Counter::kCount;
  std::vector<RouteTarget> targets;  // in lookup order
  const StaticRoute* static_route = nullptr;  // the static route taken, if any
};

class Router {
 public:
  // `config`, `location` and `credentials` must outlive the router.
  Router(const ProxyConfig& config, const LocationService& location,
         std::shared_ptr<const sip::CredentialStore> credentials);

  void replace_credentials(std::shared_ptr<const sip::CredentialStore> credentials) {
    credentials_ = std::move(credentials);
  }

  // Whether `host` is one of the configured domains (case-insensitive).
  bool is_local_domain(std::string_view host) const;
  // Whether `uri` names this proxy rather than a user: a sip or sips URI
  // without a user part whose host is a local domain.
  bool names_this_proxy(const sip::Uri& uri) const;
  // Whether `username` has credentials in the realm, so is a user of this proxy.
  bool is_known_user(std::string_view username) const;

  // Chooses the targets of `request` after the first `routes_removed` Route
  // elements, which named this proxy, were set aside.
  RoutingResult route(const sip::Message& request, std::size_t routes_removed, TimePoint now) const;

 private:
  RoutingResult route_to_local_user(const sip::Uri& request_uri, TimePoint now) const;
  RoutingResult route_to_uri(const sip::Uri& uri, std::string request_uri) const;

  const ProxyConfig& config_;
  const LocationService& location_;
  std::shared_ptr<const sip::CredentialStore> credentials_;
};

// Whether a Route URI names this proxy: its host is a local domain or a
// listening address, and its port is absent or one this proxy listens on.
bool route_names_proxy(const sip::Uri& uri, const Router& router,
                       const std::vector<sip::TransportAddress>& local_addresses);

}  // namespace sippay::proxy
