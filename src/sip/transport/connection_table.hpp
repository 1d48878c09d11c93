// The open TCP and TLS connections, indexed by id and by the remote
// transport address (RFC 3261 §18: the far end's address, port and
// protocol), so that responses and later requests to the same peer reuse a
// connection. Internal to the transport layer.
#pragma once

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "sip/transport/endpoint.hpp"
#include "sip/transport/stream_connection.hpp"

namespace sippay::sip::transport_detail {

class ConnectionTable {
 public:
  std::shared_ptr<Connection> find(std::uint64_t id) const;
  std::shared_ptr<Connection> find(const TransportAddress& remote) const;

  // Adds `connection` under its id and its remote address. The address then
  // names the newest connection to that peer.
  void insert(std::shared_ptr<Connection> connection);
  // Makes `remote` name the connection `id` as well, as an RFC 5923 alias does.
  void add_alias(const TransportAddress& remote, std::uint64_t id);
  // Removes the connection and every address that names it.
  void erase(std::uint64_t id);

  // The idle connection whose last activity is the oldest, or null.
  std::shared_ptr<Connection> longest_idle() const;
  std::vector<std::shared_ptr<Connection>> all() const;
  std::size_t size() const { return by_id_.size(); }

 private:
  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> by_id_;
  std::unordered_map<TransportAddress, std::uint64_t, TransportAddressHash> by_address_;
};

}  // namespace sippay::sip::transport_detail
