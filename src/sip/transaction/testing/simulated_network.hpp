// A deterministic simulated network for transaction layer tests.
//
// Endpoints are TransactionTransports at fixed addresses. A message sent from
// one endpoint to another crosses as bytes and is parsed again with
// parse_message_owned, so the real codec runs on every copy. Copies arrive
// after a delay on a shared ManualTimerService. Between UDP endpoints each
// message may be duplicated, and each copy dropped or delayed further (and
// so reordered), with probabilities drawn from a std::mt19937 seeded by the
// test. The draws use the generator's raw output, which the C++ standard
// fixes, so a seed replays the same run on every standard library.
//
// Between TCP or TLS endpoints, messages in both directions share one
// connection per pair of endpoints, with an id as TransportLayer gives
// one. A test can close it with close_connection: copies still in flight on
// it are then lost, and both endpoints hear of the close.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "sip/transaction/timer_service.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/transport.hpp"

namespace sippay::sip::test_support {

struct NetworkConditions {
  std::chrono::milliseconds delay{10};  // one-way delay of every copy
  // Probabilities, from 0 to 1. They apply to messages sent from a UDP
  // endpoint; TCP and TLS endpoints deliver each message once, in order.
  double loss = 0.0;         // that a copy is dropped
  double duplication = 0.0;  // that a message is sent as two copies
  double reordering = 0.0;   // that a copy is delayed further
  // Maximum extra delay of a reordered copy.
  std::chrono::milliseconds reorder_delay{200};
  // Calls each send's completion handler inside the send call, as some
  // transports do on an immediate error, instead of from a 0 ms timer.
  bool synchronous_completion = false;
};

struct NetworkCounters {
  std::uint64_t messages_sent = 0;  // handed to the network by an endpoint
  std::uint64_t copies_dropped = 0;
  std::uint64_t messages_duplicated = 0;
  std::uint64_t copies_reordered = 0;
  std::uint64_t copies_delivered = 0;   // handed to a receiving endpoint's handler
  std::uint64_t copies_unparsable = 0;  // rejected by the codec on arrival
  std::uint64_t copies_unroutable = 0;  // sent to an address without a receiving endpoint
  std::uint64_t copies_lost_on_close = 0;  // in flight on a connection when it closed
};

class SimulatedNetwork;

// One address on the network, used as the transport of a TransactionLayer.
class SimulatedEndpoint final : public TransactionTransport {
 public:
  using Receiver = std::function<void(ReceivedMessage message)>;
  using CloseReceiver = std::function<void(std::uint64_t connection_id, std::error_code reason)>;

  SimulatedEndpoint(SimulatedNetwork& network, TransportAddress address)
      : network_(network), address_(address) {}

  const TransportAddress& address() const { return address_; }
  // Where this endpoint's received messages go, usually TransactionLayer::receive.
  void set_receiver(Receiver receiver) { receiver_ = std::move(receiver); }
  // Where closes of this endpoint's connections go, usually
  // TransactionLayer::connection_closed.
  void set_close_receiver(CloseReceiver receiver) { close_receiver_ = std::move(receiver); }
  // Makes every later send fail with `error` and put nothing on the network.
  // An empty error_code makes sends work again.
  void set_send_error(std::error_code error) { send_error_ = error; }
  // Messages this endpoint put on the network, before loss and duplication.
  std::uint64_t messages_sent() const { return messages_sent_; }

  // Sends `bytes` outside any transaction: a stateless request, or a
  // response that no transaction asked for.
  void send_raw(std::string bytes, const TransportAddress& destination);

  // Returns the id of the connection to `destination` for TCP and TLS, 0
  // for UDP and while set_send_error makes sends fail.
  std::uint64_t send_request(const std::string& bytes, const TransportAddress& destination,
                             const std::string& tls_server_name, SendHandler done) override;
  // Sends to the request's source address, as RFC 3581 rport does, so the
  // top Via's sent-by need not be reachable.
  void send_response(const std::string& bytes, const ReceivedMessage& request,
                     SendHandler done) override;

 private:
  friend class SimulatedNetwork;

  // Returns the connection id, as send_request does.
  std::uint64_t send(const std::string& bytes, const TransportAddress& destination,
                     SendHandler done);

  SimulatedNetwork& network_;
  TransportAddress address_;
  Receiver receiver_;
  CloseReceiver close_receiver_;
  std::error_code send_error_;
  std::uint64_t messages_sent_ = 0;
};

class SimulatedNetwork {
 public:
  SimulatedNetwork(ManualTimerService& clock, NetworkConditions conditions, std::uint32_t seed)
      : clock_(clock), conditions_(conditions), random_(seed) {}
  SimulatedNetwork(const SimulatedNetwork&) = delete;
  SimulatedNetwork& operator=(const SimulatedNetwork&) = delete;

  // Adds an endpoint at `address`. The reference stays valid as long as the
  // network does.
  SimulatedEndpoint& add_endpoint(const TransportAddress& address);

  // Closes the open connection between the endpoints at `a` and `b`, as a
  // peer's crash or reset would, and tells each endpoint at once with
  // `reason`. Returns false when no connection is open between them.
  bool close_connection(const TransportAddress& a, const TransportAddress& b,
                        std::error_code reason);

  ManualTimerService& clock() { return clock_; }
  const NetworkCounters& counters() const { return counters_; }

 private:
  friend class SimulatedEndpoint;

  using EndpointPair = std::pair<std::string, std::string>;

  // Puts one message from `source` on the network toward `destination`.
  // Returns the connection it travels on, 0 for UDP.
  std::uint64_t transmit(const SimulatedEndpoint& source, const std::string& bytes,
                         const TransportAddress& destination);
  void deliver(const std::string& bytes, const TransportAddress& source,
               const TransportAddress& destination, std::uint64_t connection_id);
  // The open connection between `a` and `b`, opened now when there is none.
  std::uint64_t connection_between(const TransportAddress& a, const TransportAddress& b);
  static EndpointPair pair_key(const TransportAddress& a, const TransportAddress& b);
  bool draw(double probability);
  SimulatedEndpoint* find_endpoint(const TransportAddress& address);

  ManualTimerService& clock_;
  NetworkConditions conditions_;
  std::mt19937 random_;
  NetworkCounters counters_;
  std::vector<std::unique_ptr<SimulatedEndpoint>> endpoints_;
  std::map<EndpointPair, std::uint64_t> open_connections_;
  std::uint64_t next_connection_id_ = 1;
};

}  // namespace sippay::sip::test_support
