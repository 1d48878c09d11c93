#include "sip/transport/response_destination.hpp"

#include <asio/ip/address.hpp>
#include <optional>
#include <string>

namespace sippay::sip {
namespace {

// An IP address written bare or bracketed, as `received` and sent-by write it.
std::optional<asio::ip::address> parse_ip(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  std::error_code error;
  const auto address = asio::ip::make_address(std::string(text), error);
  if (error) {
    return std::nullopt;
  }
  return address;
}

asio::ip::address response_address(const Via& top, const ReceivedMessage& request) {
  if (!top.received.empty()) {
    if (const auto received = parse_ip(top.received)) {
      return *received;
    }
  }
  // A ReceivedMessage made by hand may lack a source: use a literal sent-by.
  if (request.source.address.is_unspecified() && top.host_type != HostType::kHostname) {
    if (const auto sent_by = parse_ip(top.host)) {
      return *sent_by;
    }
  }
  return request.source.address;
}

std::uint16_t udp_response_port(const Via& top, const ReceivedMessage& request) {
  if (top.has_rport) {
    return top.rport != 0 ? top.rport : request.source.port;
  }
  if (top.has_port) {
    return top.port;
  }
  return default_port(TransportProtocol::kUdp);
}

}  // namespace

ResponseDestination response_destination(const Via& top, const ReceivedMessage& request) {
  ResponseDestination destination;
  const TransportProtocol protocol = request.source.protocol;
  destination.address.protocol = protocol;
  destination.address.address = response_address(top, request);

  if (!is_reliable(protocol)) {
    destination.address.port = udp_response_port(top, request);
    return destination;
  }

  destination.connection_id = request.connection_id;
  destination.address.port = top.has_port ? top.port : default_port(protocol);
  if (protocol == TransportProtocol::kTls && top.host_type == HostType::kHostname) {
    destination.tls_server_name = std::string(top.host);
  }
  return destination;
}

}  // namespace sippay::sip
