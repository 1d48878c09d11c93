// A listening TCP socket that hands each accepted connection to its owner,
// which wraps it in a TCP or TLS connection. Internal to the transport layer.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <memory>
#include <system_error>

#include "sip/transport/transport.hpp"
#include "sip/transport/transport_owner.hpp"

namespace sippay::sip::transport_detail {

class StreamListener : public std::enable_shared_from_this<StreamListener> {
 public:
  StreamListener(asio::io_context& io, TransportProtocol protocol,
                 std::weak_ptr<TransportOwner> owner);

  // Binds to `address` and listens. IPv6 sockets are IPv6-only, so
  // 0.0.0.0 and :: can share a port.
  std::error_code open(const TransportAddress& address);
  // Starts accepting; runs until close().
  void start();
  void close();
  // The bound address, with the port the kernel chose for port 0.
  const TransportAddress& local() const { return local_; }

 private:
  asio::awaitable<void> accept_loop(std::shared_ptr<StreamListener> self);

  asio::ip::tcp::acceptor acceptor_;
  TransportProtocol protocol_;
  TransportAddress local_;
  std::weak_ptr<TransportOwner> owner_;
};

}  // namespace sippay::sip::transport_detail
