// A UDP socket (RFC 3261 §18): receives datagrams, parses each as one SIP
// message, and sends datagrams. Internal to the transport layer.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "sip/transport/repeat_limiter.hpp"
#include "sip/transport/transport.hpp"
#include "sip/transport/transport_owner.hpp"

namespace sippay::sip::transport_detail {

class UdpTransport : public std::enable_shared_from_this<UdpTransport> {
 public:
  UdpTransport(asio::io_context& io, ParseLimits limits, std::weak_ptr<TransportOwner> owner);

  // Binds to `address`. IPv6 sockets are IPv6-only, so 0.0.0.0 and :: can
  // share a port.
  std::error_code open(const TransportAddress& address);
  // Starts the receive loop; runs until close().
  void start();
  void close();
  // The bound address, with the port the kernel chose for port 0.
  const TransportAddress& local() const { return local_; }

  // Sends one datagram. `done` is posted with the result unless the owner is gone.
  void send(std::string bytes, const TransportAddress& destination,
            TransportLayer::SendHandler done);

 private:
  asio::awaitable<void> receive_loop(std::shared_ptr<UdpTransport> self);
  void on_datagram(std::size_t size, const asio::ip::udp::endpoint& sender);

  asio::ip::udp::socket socket_;
  ParseLimits limits_;
  TransportAddress local_;
  std::weak_ptr<TransportOwner> owner_;
  // 65,535 bytes: the largest UDP payload, so no datagram is truncated.
  std::vector<char> buffer_;
  RepeatLimiter dropped_;
};

}  // namespace sippay::sip::transport_detail
