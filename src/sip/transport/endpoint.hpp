// Conversions between TransportAddress and Asio endpoints, and a hash for
// keying tables by TransportAddress. Internal to the transport layer.
#pragma once

#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <cstddef>
#include <functional>

#include "sip/transport/transport.hpp"

namespace sippay::sip::transport_detail {

inline asio::ip::udp::endpoint to_udp_endpoint(const TransportAddress& address) {
  return {address.address, address.port};
}

inline asio::ip::tcp::endpoint to_tcp_endpoint(const TransportAddress& address) {
  return {address.address, address.port};
}

template <typename Endpoint>
TransportAddress to_transport_address(TransportProtocol protocol, const Endpoint& endpoint) {
  return {protocol, endpoint.address(), endpoint.port()};
}

struct TransportAddressHash {
  std::size_t operator()(const TransportAddress& value) const noexcept {
    std::size_t hash = std::hash<asio::ip::address>()(value.address);
    hash ^= (static_cast<std::size_t>(value.port) << 2) ^ static_cast<std::size_t>(value.protocol);
    return hash;
  }
};

}  // namespace sippay::sip::transport_detail
