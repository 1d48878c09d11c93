// The interface through which sockets and connections report to the
// transport layer that owns them. Internal to the transport layer.
#pragma once

#include <asio/ip/tcp.hpp>
#include <system_error>

#include "sip/transport/transport.hpp"

namespace sippay::sip::transport_detail {

class Connection;

class TransportOwner {
 public:
  // Hands a parsed message to the ReceiveHandler.
  virtual void deliver(ReceivedMessage message) = 0;
  // Reports a received message that failed to parse.
  virtual void parse_failed(const UnparsableMessage& message) = 0;
  // Takes an accepted TCP connection of a `protocol` listener (TCP or TLS).
  virtual void accept(asio::ip::tcp::socket socket, TransportProtocol protocol) = 0;
  // Removes a connection that closed; called once per connection.
  virtual void connection_closed(Connection& connection, std::error_code reason) = 0;
  virtual TransportStats& stats() = 0;

 protected:
  ~TransportOwner() = default;
};

}  // namespace sippay::sip::transport_detail
