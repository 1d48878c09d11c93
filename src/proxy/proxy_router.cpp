#include "proxy/proxy_router.hpp"

#include <algorithm>

#include "proxy/aor.hpp"
#include "sip/charset.hpp"

namespace sippay::proxy {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (sip::charset::to_lower(a[i]) != sip::charset::to_lower(b[i])) return false;
  }
  return true;
}

RoutingResult reject(int status, std::string_view reason_phrase, Counter reason) {
  RoutingResult result;
  result.status = status;
  result.reason_phrase = reason_phrase;
  result.reason = reason;
  return result;
}

// The host of `address` as a URI writes it: IPv6 in brackets.
std::string uri_host(const asio::ip::address& address) {
  std::string host = address.to_string();
  if (address.is_v6()) {
    // Built in place: g++ 12 at -O3 reports a false -Wrestrict for "[" + host + "]".
    host.insert(host.begin(), '[');
    host.push_back(']');
  }
  return host;
}

}  // namespace

Router::Router(const ProxyConfig& config, const LocationService& location,
               std::shared_ptr<const sip::CredentialStore> credentials)
    : config_(config), location_(location), credentials_(std::move(credentials)) {}

bool Router::is_local_domain(std::string_view host) const {
  return std::any_of(config_.domains.begin(), config_.domains.end(),
                     [host](const std::string& domain) { return equals_ignoring_case(domain, host); });
}

bool Router::names_this_proxy(const sip::Uri& uri) const {
  return uri.is_sip_or_sips() && (!uri.has_user || uri.user.empty()) && is_local_domain(uri.host);
}

bool Router::is_known_user(std::string_view username) const {
  if (!credentials_) return false;
  const std::string user = sip::unescape(username);
  for (const auto algorithm :
       {sip::DigestAlgorithm::kSha256, sip::DigestAlgorithm::kMd5, sip::DigestAlgorithm::kSha512_256}) {
    if (credentials_->find_ha1(user, config_.realm, algorithm) != nullptr) return true;
  }
  return false;
}

RoutingResult Router::route(const sip::Message& request, std::size_t routes_removed, TimePoint now) const {
  const sip::Uri& request_uri = request.request_line().request_uri;

  // A Route left after this proxy's own: a loose route elsewhere (§16.4).
  if (request.routes().size() > routes_removed) {
    if (!config_.forward_to_other_domains) {
      return reject(403, "Forwarding to Other Domains Not Allowed", Counter::kOtherDomain);
    }
    return route_to_uri(request.routes()[routes_removed].uri, std::string(request_uri.text));
  }

  if (const std::optional<std::string> aor = canonical_aor(request_uri)) {
    for (const StaticRoute& route : config_.routes) {
      if (route.aor == *aor) {
        RoutingResult result;
        result.targets.push_back(RouteTarget{std::string(request_uri.text), route.next_hop});
        result.static_route = &route;
        return result;
      }
    }
  }

  if (request_uri.is_sip_or_sips() && is_local_domain(request_uri.host)) {
    return route_to_local_user(request_uri, now);
  }
  if (!config_.forward_to_other_domains) {
    return reject(403, "Forwarding to Other Domains Not Allowed", Counter::kOtherDomain);
  }
  return route_to_uri(request_uri, std::string(request_uri.text));
}

RoutingResult Router::route_to_local_user(const sip::Uri& request_uri, TimePoint now) const {
  const std::optional<std::string> aor = canonical_aor(request_uri);
  if (!aor) return reject(404, "Not Found", Counter::kNotFound);

  const std::vector<Binding> bindings = location_.lookup(*aor, now);
  if (bindings.empty()) {
    if (is_known_user(request_uri.user)) return reject(480, "Temporarily Unavailable", Counter::kUnavailable);
    return reject(404, "Not Found", Counter::kNotFound);
  }
  RoutingResult result;
  std::string error;
  for (const Binding& binding : bindings) {
    auto next_hop = sip::resolve_target(binding.contact_uri, error);
    if (!next_hop) continue;
    result.targets.push_back(RouteTarget{binding.contact_uri, std::move(*next_hop)});
  }
  // NOTE: contacts with DNS names are skipped, because resolve_target makes
  // no DNS lookups.
  if (result.targets.empty()) return reject(480, "Temporarily Unavailable", Counter::kUnroutable);
  return result;
}

RoutingResult Router::route_to_uri(const sip::Uri& uri, std::string request_uri) const {
  std::string error;
  auto next_hop = sip::resolve_target(uri, error);
  if (!next_hop) return reject(404, "Not Found", Counter::kNotFound);
  RoutingResult result;
  result.targets.push_back(RouteTarget{std::move(request_uri), std::move(*next_hop)});
  return result;
}

bool route_names_proxy(const sip::Uri& uri, const Router& router,
                       const std::vector<sip::TransportAddress>& local_addresses) {
  if (!uri.is_sip_or_sips()) return false;
  if (router.is_local_domain(uri.host) && !uri.has_port) return true;
  return std::any_of(local_addresses.begin(), local_addresses.end(), [&](const sip::TransportAddress& local) {
    const bool host_matches = equals_ignoring_case(uri_host(local.address), uri.host) ||
                              router.is_local_domain(uri.host);
    const std::uint16_t port = uri.has_port ? uri.port : sip::default_port(local.protocol);
    return host_matches && port == local.port;
  });
}

}  // namespace sippay::proxy
