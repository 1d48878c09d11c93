#include "sip/transaction/testing/simulated_network.hpp"

#include <utility>

#include "sip/message.hpp"

namespace sippay::sip::test_support {

void SimulatedEndpoint::send_raw(std::string bytes, const TransportAddress& destination) {
  send(bytes, destination, nullptr);
}

std::uint64_t SimulatedEndpoint::send_request(const std::string& bytes,
                                              const TransportAddress& destination,
                                              const std::string& /*tls_server_name*/,
                                              SendHandler done) {
  return send(bytes, destination, std::move(done));
}

void SimulatedEndpoint::send_response(const std::string& bytes, const ReceivedMessage& request,
                                      SendHandler done) {
  send(bytes, request.source, std::move(done));
}

std::uint64_t SimulatedEndpoint::send(const std::string& bytes, const TransportAddress& destination,
                                      SendHandler done) {
  const std::error_code result = send_error_;
  std::uint64_t connection_id = 0;
  if (!result) {
    ++messages_sent_;
    connection_id = network_.transmit(*this, bytes, destination);
  }
  if (!done) return connection_id;
  if (network_.conditions_.synchronous_completion) {
    done(result);
    return connection_id;
  }
  network_.clock_.start(std::chrono::milliseconds(0),
                        [done = std::move(done), result] { done(result); });
  return connection_id;
}

SimulatedEndpoint& SimulatedNetwork::add_endpoint(const TransportAddress& address) {
  endpoints_.push_back(std::make_unique<SimulatedEndpoint>(*this, address));
  return *endpoints_.back();
}

bool SimulatedNetwork::close_connection(const TransportAddress& a, const TransportAddress& b,
                                        std::error_code reason) {
  const auto found = open_connections_.find(pair_key(a, b));
  if (found == open_connections_.end()) return false;
  const std::uint64_t connection_id = found->second;
  open_connections_.erase(found);
  for (const TransportAddress* address : {&a, &b}) {
    SimulatedEndpoint* endpoint = find_endpoint(*address);
    if (endpoint != nullptr && endpoint->close_receiver_) {
      endpoint->close_receiver_(connection_id, reason);
    }
  }
  return true;
}

std::uint64_t SimulatedNetwork::connection_between(const TransportAddress& a,
                                                   const TransportAddress& b) {
  const auto [entry, opened] = open_connections_.try_emplace(pair_key(a, b), next_connection_id_);
  if (opened) ++next_connection_id_;
  return entry->second;
}

SimulatedNetwork::EndpointPair SimulatedNetwork::pair_key(const TransportAddress& a,
                                                          const TransportAddress& b) {
  std::string first = a.to_string();
  std::string second = b.to_string();
  if (second < first) std::swap(first, second);
  return {std::move(first), std::move(second)};
}

bool SimulatedNetwork::draw(double probability) {
  // mt19937 yields uniform 32-bit values. Comparing them with the
  // probability scaled to 2^32 avoids the standard distributions, whose
  // algorithms differ between standard libraries.
  return static_cast<double>(random_()) < probability * 4294967296.0;
}

std::uint64_t SimulatedNetwork::transmit(const SimulatedEndpoint& source, const std::string& bytes,
                                         const TransportAddress& destination) {
  ++counters_.messages_sent;
  const bool lossy = !is_reliable(source.address().protocol);
  const std::uint64_t connection_id = lossy ? 0 : connection_between(source.address(), destination);

  int copies = 1;
  if (lossy && draw(conditions_.duplication)) {
    ++counters_.messages_duplicated;
    copies = 2;
  }
  for (int copy = 0; copy < copies; ++copy) {
    if (lossy && draw(conditions_.loss)) {
      ++counters_.copies_dropped;
      continue;
    }
    std::chrono::milliseconds delay = conditions_.delay;
    if (lossy && draw(conditions_.reordering)) {
      ++counters_.copies_reordered;
      const auto extra_range = static_cast<std::uint32_t>(conditions_.reorder_delay.count()) + 1;
      delay += std::chrono::milliseconds(random_() % extra_range);
    }
    clock_.start(delay, [this, bytes, from = source.address(), destination, connection_id] {
      deliver(bytes, from, destination, connection_id);
    });
  }
  return connection_id;
}

void SimulatedNetwork::deliver(const std::string& bytes, const TransportAddress& source,
                               const TransportAddress& destination, std::uint64_t connection_id) {
  if (connection_id != 0) {
    const auto open = open_connections_.find(pair_key(source, destination));
    if (open == open_connections_.end() || open->second != connection_id) {
      ++counters_.copies_lost_on_close;
      return;
    }
  }
  SimulatedEndpoint* endpoint = find_endpoint(destination);
  if (endpoint == nullptr || !endpoint->receiver_) {
    ++counters_.copies_unroutable;
    return;
  }
  const Framing framing = is_reliable(destination.protocol) ? Framing::kStream : Framing::kDatagram;
  Result<Message> parsed = parse_message_owned(bytes, ParseLimits{}, framing);
  if (!parsed) {
    ++counters_.copies_unparsable;
    return;
  }
  ++counters_.copies_delivered;
  endpoint->receiver_(
      ReceivedMessage{std::move(parsed).value(), source, destination, connection_id});
}

SimulatedEndpoint* SimulatedNetwork::find_endpoint(const TransportAddress& address) {
  for (const auto& endpoint : endpoints_) {
    if (endpoint->address() == address) return endpoint.get();
  }
  return nullptr;
}

}  // namespace sippay::sip::test_support
