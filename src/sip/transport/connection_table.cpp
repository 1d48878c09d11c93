#include "sip/transport/connection_table.hpp"

namespace sippay::sip::transport_detail {

std::shared_ptr<Connection> ConnectionTable::find(std::uint64_t id) const {
  const auto found = by_id_.find(id);
  return found == by_id_.end() ? nullptr : found->second;
}

std::shared_ptr<Connection> ConnectionTable::find(const TransportAddress& remote) const {
  const auto found = by_address_.find(remote);
  return found == by_address_.end() ? nullptr : find(found->second);
}

void ConnectionTable::insert(std::shared_ptr<Connection> connection) {
  const std::uint64_t id = connection->id();
  by_address_[connection->remote()] = id;
  by_id_[id] = std::move(connection);
}

void ConnectionTable::add_alias(const TransportAddress& remote, std::uint64_t id) {
  if (by_id_.count(id) != 0) {
    by_address_[remote] = id;
  }
}

void ConnectionTable::erase(std::uint64_t id) {
  by_id_.erase(id);
  std::erase_if(by_address_, [id](const auto& entry) { return entry.second == id; });
}

std::shared_ptr<Connection> ConnectionTable::longest_idle() const {
  std::shared_ptr<Connection> oldest;
  for (const auto& [id, connection] : by_id_) {
    if (!connection->is_idle()) {
      continue;
    }
    if (!oldest || connection->last_activity() < oldest->last_activity()) {
      oldest = connection;
    }
  }
  return oldest;
}

std::vector<std::shared_ptr<Connection>> ConnectionTable::all() const {
  std::vector<std::shared_ptr<Connection>> out;
  out.reserve(by_id_.size());
  for (const auto& [id, connection] : by_id_) {
    out.push_back(connection);
  }
  return out;
}

}  // namespace sippay::sip::transport_detail
