#include "sip/transaction/testing/simulated_network.hpp"

#include <utility>

#include "sip/message.hpp"

namespace sippay::sip::test_support {

void SimulatedEndpoint::send_raw(std::string bytes, const TransportAddress& destination) {
  send(bytes, destination, nullptr);
}

void SimulatedEndpoint::send_request(const std::string& bytes, const TransportAddress& destination,
                                     const std::string& /*tls_server_name*/, SendHandler done) {
  send(bytes, destination, std::move(done));
}

void SimulatedEndpoint::send_response(const std::string& bytes, const ReceivedMessage& request,
                                      SendHandler done) {
  send(bytes, request.source, std::move(done));
}

void SimulatedEndpoint::send(const std::string& bytes, const TransportAddress& destination,
                             SendHandler done) {
  const std::error_code result = send_error_;
  if (!result) {
    ++messages_sent_;
    network_.transmit(*this, bytes, destination);
  }
  if (!done) return;
  if (network_.conditions_.synchronous_completion) {
    done(result);
    return;
  }
  network_.clock_.start(std::chrono::milliseconds(0),
                        [done = std::move(done), result] { done(result); });
}

SimulatedEndpoint& SimulatedNetwork::add_endpoint(const TransportAddress& address) {
  endpoints_.push_back(std::make_unique<SimulatedEndpoint>(*this, address));
  return *endpoints_.back();
}

bool SimulatedNetwork::draw(double probability) {
  // mt19937 yields uniform 32-bit values. Comparing them with the
  // probability scaled to 2^32 avoids the standard distributions, whose
  // algorithms differ between standard libraries.
  return static_cast<double>(random_()) < probability * 4294967296.0;
}

void SimulatedNetwork::transmit(const SimulatedEndpoint& source, const std::string& bytes,
                                const TransportAddress& destination) {
  ++counters_.messages_sent;
  const bool lossy = !is_reliable(source.address().protocol);

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
    clock_.start(delay, [this, bytes, from = source.address(), destination] {
      deliver(bytes, from, destination);
    });
  }
}

void SimulatedNetwork::deliver(const std::string& bytes, const TransportAddress& source,
                               const TransportAddress& destination) {
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
  endpoint->receiver_(ReceivedMessage{std::move(parsed).value(), source, destination, 0});
}

SimulatedEndpoint* SimulatedNetwork::find_endpoint(const TransportAddress& address) {
  for (const auto& endpoint : endpoints_) {
    if (endpoint->address() == address) return endpoint.get();
  }
  return nullptr;
}

}  // namespace sippay::sip::test_support
