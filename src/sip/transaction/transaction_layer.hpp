// The transaction layer (RFC 3261 §17): creates and matches non-INVITE
// client and server transactions, runs their timers, and sits between the
// transport layer and the transaction user (the UA core or a proxy core).
//
// INVITE and ACK get no transactions here. They are passed to the user as
// stateless requests, and a UA that takes no calls sends a stateless final
// response. Requests that cannot be matched (a
// semantic_error(), such as a missing Call-ID) are handed over the same way
// so that the user can answer 400.
//
// Not thread safe: run it on one thread, with a TimerService and a
// TransactionTransport that call back on that thread. The layer must outlive
// the callbacks it gave them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "sip/transaction/client_transaction.hpp"
#include "sip/transaction/server_transaction.hpp"
#include "sip/transaction/timer_service.hpp"
#include "sip/transport/transport.hpp"

namespace sippay::sip {

// The transport interface of the transaction layer: sending a request to an
// address, and a response back toward a request's sender (§18.2.2).
class TransactionTransport {
 public:
  using SendHandler = std::function<void(std::error_code)>;
  virtual ~TransactionTransport() = default;
  // Returns the id of the connection the request goes out on, as
  // TransportLayer::send_request does: 0 for UDP or when the send failed.
  virtual std::uint64_t send_request(const std::string& bytes, const TransportAddress& destination,
                                     const std::string& tls_server_name, SendHandler done) = 0;
  virtual void send_response(const std::string& bytes, const ReceivedMessage& request,
                             SendHandler done) = 0;
};

// Adapts a TransportLayer to TransactionTransport.
class TransportLayerAdapter final : public TransactionTransport {
 public:
  explicit TransportLayerAdapter(TransportLayer& transport) : transport_(transport) {}
  std::uint64_t send_request(const std::string& bytes, const TransportAddress& destination,
                             const std::string& tls_server_name, SendHandler done) override {
    return transport_.send_request(bytes, destination, tls_server_name, std::move(done));
  }
  void send_response(const std::string& bytes, const ReceivedMessage& request,
                     SendHandler done) override {
    transport_.send_response(bytes, request, std::move(done));
  }

 private:
  TransportLayer& transport_;
};

class TransactionLayer {
 public:
  using ServerTransactionId = std::uint64_t;
  using ResponseHandler = std::function<void(const ReceivedMessage& response)>;
  using FailureHandler = std::function<void(TransactionFailure failure)>;

  struct Handlers {
    // A new request and the server transaction to respond through.
    std::function<void(ServerTransactionId id, const ReceivedMessage& request)> on_request;
    // INVITE, ACK and requests that cannot be matched, to respond to statelessly.
    std::function<void(const ReceivedMessage& request)> on_stateless_request;
    // Optional. Server transaction `id` could not send a response (§17.2.4)
    // and is gone: respond() on it returns false from now on.
    std::function<void(ServerTransactionId id, TransactionFailure failure)> on_server_failure;
  };

  // A request the user built, with the branch of its top Via and its method.
  struct ClientRequest {
    std::string bytes;
    TransportAddress destination;
    std::string tls_server_name;
    std::string branch;
    std::string method;
  };

  struct Counters {
    std::uint64_t stray_responses = 0;         // matched no client transaction
    std::uint64_t absorbed_retransmissions = 0;  // request retransmissions seen by server transactions
    std::uint64_t timeouts = 0;
    std::uint64_t transport_errors = 0;
  };

  TransactionLayer(TimerService& timers, TransactionTransport& transport, TimerConfig config,
                   Handlers handlers);
  ~TransactionLayer();
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;

  // Starts a client transaction. `on_response` receives every provisional and
  // the final response; `on_failure` is called instead of a final response
  // on timeout or transport error. Exactly one of a final response or a
  // failure is reported. A transport that completes a send inside the send
  // call can make `on_failure` run before send_request returns.
  void send_request(ClientRequest request, ResponseHandler on_response, FailureHandler on_failure);

  // Sends the user's response through server transaction `id`. Returns
  // false when the transaction is gone or already sent a final response.
  bool respond(ServerTransactionId id, int status_code, std::string response);
  // The request of server transaction `id` while the transaction waits for
  // the user's final response (Trying or Proceeding). Null once a final
  // response was sent or the transaction is gone. The pointer is valid
  // until the next call into the layer.
  const ReceivedMessage* pending_request(ServerTransactionId id) const;

  // Input from the transport.
  void receive(ReceivedMessage message);
  // Input from the transport: connection `connection_id` closed (see
  // TransportLayer::ConnectionClosedHandler). Client transactions whose
  // request went out on it and that have no final response fail at once
  // with kTransportError (§17.1.4, §18.4), instead of waiting for Timer F.
  // Closes this element made itself on a working connection
  // (kConnectionLimit, kIdleTimeout) fail nothing, because the peer can
  // still send the response over a new connection to the Via sent-by
  // (§18.2.2). kStopped fails them, because a stopped transport receives
  // nothing. Server transactions never fail here: their responses take
  // the Via sent-by way when the request's connection is gone.
  void connection_closed(std::uint64_t connection_id, std::error_code reason);

  std::size_t client_transactions() const { return clients_.size(); }
  // Transactions still waiting for a final response (client) or for the
  // user's final response (server); Completed ones only absorb
  // retransmissions and can be dropped at shutdown.
  std::size_t unfinished_transactions() const;
  std::size_t server_transactions() const { return servers_.size(); }
  const Counters& counters() const { return counters_; }
  const TimerConfig& timer_config() const { return config_; }

 private:
  struct ClientEntry;
  struct ServerEntry;
  friend struct ClientEntry;
  friend struct ServerEntry;

  void receive_response(const ReceivedMessage& response);
  void receive_request(ReceivedMessage request);
  void client_event(std::uint64_t id, const std::function<void(NonInviteClientTransaction&)>& event);
  void server_event(std::uint64_t id, const std::function<void(NonInviteServerTransaction&)>& event);
  void client_transport_failed(std::uint64_t id);
  void server_transport_failed(std::uint64_t id);
  void finish_client_event(ClientEntry& entry);
  void finish_server_event(ServerEntry& entry);

  TimerService& timers_;
  TransactionTransport& transport_;
  TimerConfig config_;
  Handlers handlers_;
  Counters counters_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::unique_ptr<ClientEntry>> clients_;
  std::unordered_map<std::string, std::uint64_t> client_keys_;
  std::unordered_map<std::uint64_t, std::unique_ptr<ServerEntry>> servers_;
  std::unordered_map<std::string, std::uint64_t> server_keys_;
};

}  // namespace sippay::sip
