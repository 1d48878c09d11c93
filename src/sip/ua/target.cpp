#include "sip/ua/target.hpp"

#include <asio/ip/address.hpp>

#include "sip/charset.hpp"

namespace sippay::sip {

std::optional<Target> resolve_target(const Uri& uri, std::string& error) {
  if (!uri.is_sip_or_sips()) {
    error = "URI " + std::string(uri.text) + " is not a sip: or sips: URI";
    return std::nullopt;
  }
  Target target;
  TransportProtocol protocol = TransportProtocol::kUdp;
  if (uri.scheme == UriScheme::kSips) {
    protocol = TransportProtocol::kTls;
  } else if (const auto transport = uri.params.find("transport")) {
    if (charset::iequals(transport->value, "tcp")) {
      protocol = TransportProtocol::kTcp;
    } else if (charset::iequals(transport->value, "tls")) {
      protocol = TransportProtocol::kTls;
    } else if (!charset::iequals(transport->value, "udp")) {
      error = "unsupported transport " + std::string(transport->value) + " in " + std::string(uri.text);
      return std::nullopt;
    }
  }

  std::string_view host = uri.host;
  if (const auto maddr = uri.params.find("maddr"); maddr && maddr->has_value) host = maddr->value;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  std::error_code parse_error;
  asio::ip::address address = charset::iequals(host, "localhost")
                                   ? asio::ip::make_address("127.0.0.1")
                                   : asio::ip::make_address(std::string(host), parse_error);
  if (parse_error) {
    error = "host " + std::string(host) + " of " + std::string(uri.text) +
            " is not an IP address; use an address or localhost (no DNS lookups are made)";
    return std::nullopt;
  }
  target.address.protocol = protocol;
  target.address.address = address;
  target.address.port = uri.has_port ? uri.port : (protocol == TransportProtocol::kTls ? 5061 : 5060);
  target.tls_server_name = std::string(uri.host);
  return target;
}

std::optional<Target> resolve_target(std::string_view uri_text, std::string& error) {
  auto uri = parse_uri(uri_text);
  if (!uri) {
    error = "invalid URI " + std::string(uri_text) + ": " + uri.error().reason;
    return std::nullopt;
  }
  return resolve_target(*uri, error);
}

}  // namespace sippay::sip
