#include "sip/transaction/transaction_layer.hpp"

#include <array>
#include <vector>

#include "sip/transaction/transaction_key.hpp"

namespace sippay::sip {

namespace {

// A copy of `request` with only what sending a response needs: the start
// line, Via, From, To, Call-ID, CSeq and Max-Forwards (RFC 3261 §18.2.2
// sends by the top Via), with the source and connection it came on. The
// request itself when the copy does not parse, which cannot happen for a
// request that did.
ReceivedMessage trim_to_response_context(const ReceivedMessage& request) {
  const auto headers = request.message.headers();
  if (headers.empty()) return request;
  const HeaderField& first = headers.front();
  std::string bytes(first.name.data() - first.offset, first.offset);  // the start line
  for (const HeaderField& field : headers) {
    switch (field.id) {
      case HeaderId::kVia:
      case HeaderId::kFrom:
      case HeaderId::kTo:
      case HeaderId::kCallId:
      case HeaderId::kCSeq:
      case HeaderId::kMaxForwards:
        bytes.append(field.name).append(": ").append(field.value).append("\r\n");
        break;
      default:
        break;
    }
  }
  bytes.append("Content-Length: 0\r\n\r\n");
  auto trimmed = parse_message_owned(std::move(bytes));
  if (!trimmed) return request;
  return ReceivedMessage{std::move(trimmed.value()), request.source, request.local,
                         request.connection_id};
}

}  // namespace
namespace {

std::size_t timer_index(TransactionTimer timer) { return static_cast<std::size_t>(timer); }

}  // namespace

// One client transaction with the context its machine acts through.
struct TransactionLayer::ClientEntry final : NonInviteClientTransaction::Context {
  ClientEntry(TransactionLayer& owner, std::uint64_t entry_id, ClientRequest client_request,
              ResponseHandler response_handler, FailureHandler failure_handler)
      : layer(owner),
        id(entry_id),
        request(std::move(client_request)),
        on_response(std::move(response_handler)),
        on_failure(std::move(failure_handler)),
        machine(*this, owner.config_, is_reliable(request.destination.protocol)) {}

  ~ClientEntry() override {
    for (TimerService::TimerId timer : timers) {
      if (timer != 0) layer.timers_.cancel(timer);
    }
  }

  void transmit_request() override {
    TransactionLayer* owner = &layer;
    const std::uint64_t entry_id = id;
    connection_id = layer.transport_.send_request(
        request.bytes, request.destination, request.tls_server_name,
        [owner, entry_id](std::error_code error) {
          if (error) owner->client_transport_failed(entry_id);
        });
  }

  void start_timer(TransactionTimer timer, std::chrono::milliseconds delay) override {
    cancel_timer(timer);
    TransactionLayer* owner = &layer;
    const std::uint64_t entry_id = id;
    timers[timer_index(timer)] = layer.timers_.start(delay, [owner, entry_id, timer] {
      owner->client_event(entry_id, [timer](auto& machine) { machine.timer_fired(timer); });
    });
  }

  void cancel_timer(TransactionTimer timer) override {
    TimerService::TimerId& slot = timers[timer_index(timer)];
    if (slot != 0) layer.timers_.cancel(slot);
    slot = 0;
  }

  void deliver_response(const ReceivedMessage& response) override { on_response(response); }

  void report_failure(TransactionFailure failure) override {
    if (failure == TransactionFailure::kTimeout) ++layer.counters_.timeouts;
    if (failure == TransactionFailure::kTransportError) ++layer.counters_.transport_errors;
    on_failure(failure);
  }

  TransactionLayer& layer;
  std::uint64_t id;
  ClientRequest request;
  ResponseHandler on_response;
  FailureHandler on_failure;
  std::string key;
  // The TCP or TLS connection of the latest transmission, 0 for UDP.
  std::uint64_t connection_id = 0;
  std::array<TimerService::TimerId, 4> timers{};
  // Set while an event runs on the machine; see client_event().
  bool in_event = false;
  bool transport_failure_pending = false;
  NonInviteClientTransaction machine;
};

// One server transaction, with the request it responds to.
struct TransactionLayer::ServerEntry final : NonInviteServerTransaction::Context {
  ServerEntry(TransactionLayer& owner, std::uint64_t entry_id, ReceivedMessage received)
      : layer(owner),
        id(entry_id),
        request(std::move(received)),
        machine(*this, owner.config_, is_reliable(request.source.protocol)) {}

  ~ServerEntry() override {
    if (timer_j != 0) layer.timers_.cancel(timer_j);
  }

  void transmit_response(const std::string& response) override {
    TransactionLayer* owner = &layer;
    const std::uint64_t entry_id = id;
    layer.transport_.send_response(response, request, [owner, entry_id](std::error_code error) {
      if (error) owner->server_transport_failed(entry_id);
    });
  }

  void start_timer(TransactionTimer timer, std::chrono::milliseconds delay) override {
    TransactionLayer* owner = &layer;
    const std::uint64_t entry_id = id;
    timer_j = layer.timers_.start(delay, [owner, entry_id, timer] {
      owner->server_event(entry_id, [timer](auto& machine) { machine.timer_fired(timer); });
    });
  }

  void report_failure(TransactionFailure failure) override {
    if (failure == TransactionFailure::kTransportError) ++layer.counters_.transport_errors;
    if (layer.handlers_.on_server_failure) layer.handlers_.on_server_failure(id, failure);
  }

  TransactionLayer& layer;
  std::uint64_t id;
  // The whole request until the final response; then only what a
  // retransmission of that response needs (see trim_to_response_context).
  ReceivedMessage request;
  bool request_trimmed = false;
  std::string key;
  TimerService::TimerId timer_j = 0;
  // Set while an event or on_request runs; see server_event().
  bool in_event = false;
  bool transport_failure_pending = false;
  NonInviteServerTransaction machine;
};

TransactionLayer::TransactionLayer(TimerService& timers, TransactionTransport& transport,
                                   TimerConfig config, Handlers handlers)
    : timers_(timers), transport_(transport), config_(config), handlers_(std::move(handlers)) {}

TransactionLayer::~TransactionLayer() = default;

void TransactionLayer::send_request(ClientRequest request, ResponseHandler on_response,
                                    FailureHandler on_failure) {
  const std::uint64_t id = next_id_++;
  std::string key = client_transaction_key(request.branch, request.method);
  auto entry = std::make_unique<ClientEntry>(*this, id, std::move(request), std::move(on_response),
                                             std::move(on_failure));
  entry->key = key;
  client_keys_[std::move(key)] = id;
  clients_.emplace(id, std::move(entry));
  client_event(id, [](NonInviteClientTransaction& machine) { machine.start(); });
}

bool TransactionLayer::respond(ServerTransactionId id, int status_code, std::string response) {
  bool sent = false;
  server_event(id, [&](NonInviteServerTransaction& machine) {
    sent = machine.respond(status_code, std::move(response));
  });
  return sent;
}

const ReceivedMessage* TransactionLayer::pending_request(ServerTransactionId id) const {
  const auto it = servers_.find(id);
  if (it == servers_.end()) return nullptr;
  const TransactionState state = it->second->machine.state();
  if (state != TransactionState::kTrying && state != TransactionState::kProceeding) return nullptr;
  return &it->second->request;
}

void TransactionLayer::receive(ReceivedMessage message) {
  if (message.message.is_request()) {
    receive_request(std::move(message));
  } else {
    receive_response(message);
  }
}

void TransactionLayer::connection_closed(std::uint64_t connection_id, std::error_code reason) {
  if (connection_id == 0 || reason == TransportError::kConnectionLimit ||
      reason == TransportError::kIdleTimeout) {
    return;
  }
  // Failing a transaction runs the user's handler, which may start or end
  // others, so the ids are collected before any fails. A linear scan,
  // because connections close far less often than requests are sent.
  std::vector<std::uint64_t> failed;
  for (const auto& [id, entry] : clients_) {
    if (entry->connection_id == connection_id) failed.push_back(id);
  }
  for (const std::uint64_t id : failed) client_transport_failed(id);
}

void TransactionLayer::receive_response(const ReceivedMessage& response) {
  const auto it = client_keys_.find(client_transaction_key(response.message));
  if (it == client_keys_.end()) {
    ++counters_.stray_responses;  // §17.1.3: dropped, the core has no use for it
    return;
  }
  client_event(it->second, [&](NonInviteClientTransaction& machine) {
    machine.receive_response(response);
  });
}

void TransactionLayer::receive_request(ReceivedMessage request) {
  const std::string_view method = request.message.method();
  std::string key = server_transaction_key(request.message);
  if (method == "INVITE" || method == "ACK" || key.empty() ||
      request.message.semantic_error() != nullptr) {
    if (handlers_.on_stateless_request) handlers_.on_stateless_request(request);
    return;
  }
  if (const auto it = server_keys_.find(key); it != server_keys_.end()) {
    ++counters_.absorbed_retransmissions;
    server_event(it->second, [](NonInviteServerTransaction& machine) {
      machine.receive_request_retransmission();
    });
    return;
  }
  const std::uint64_t id = next_id_++;
  auto entry = std::make_unique<ServerEntry>(*this, id, std::move(request));
  entry->key = key;
  server_keys_[std::move(key)] = id;
  ServerEntry& stored = *entry;
  servers_.emplace(id, std::move(entry));
  // on_request runs as an event of the transaction, so a respond() inside
  // it that terminates the transaction (a final response over TCP) cannot
  // free the request the handler is still reading.
  stored.in_event = true;
  handlers_.on_request(id, stored.request);
  finish_server_event(stored);
}

// Events may nest: a send that completes inside the send call, or a handler
// that calls back into the layer. Only the outermost event of an entry
// finishes it: it feeds the machine a transport failure reported meanwhile
// (the machine was mid-step when the transport reported it), then erases
// the entry if the machine terminated. Erasing earlier would free the entry
// under the code still running on it.
void TransactionLayer::client_event(std::uint64_t id,
                                    const std::function<void(NonInviteClientTransaction&)>& event) {
  const auto it = clients_.find(id);
  if (it == clients_.end()) return;
  ClientEntry& entry = *it->second;
  const bool outermost = !entry.in_event;
  entry.in_event = true;
  event(entry.machine);
  if (outermost) finish_client_event(entry);
}

void TransactionLayer::finish_client_event(ClientEntry& entry) {
  if (entry.transport_failure_pending) {
    entry.transport_failure_pending = false;
    entry.machine.transport_failed();
  }
  entry.in_event = false;
  if (entry.machine.state() != TransactionState::kTerminated) return;
  // Another transaction may have taken the key if the user reused a branch.
  if (const auto key = client_keys_.find(entry.key);
      key != client_keys_.end() && key->second == entry.id) {
    client_keys_.erase(key);
  }
  const std::uint64_t id = entry.id;  // erase() must not read the entry it destroys
  clients_.erase(id);
}

void TransactionLayer::client_transport_failed(std::uint64_t id) {
  const auto it = clients_.find(id);
  if (it == clients_.end()) return;
  if (it->second->in_event) {
    it->second->transport_failure_pending = true;
    return;
  }
  client_event(id, [](NonInviteClientTransaction& machine) { machine.transport_failed(); });
}

void TransactionLayer::server_event(std::uint64_t id,
                                    const std::function<void(NonInviteServerTransaction&)>& event) {
  const auto it = servers_.find(id);
  if (it == servers_.end()) return;
  ServerEntry& entry = *it->second;
  const bool outermost = !entry.in_event;
  entry.in_event = true;
  event(entry.machine);
  if (outermost) finish_server_event(entry);
}

void TransactionLayer::finish_server_event(ServerEntry& entry) {
  if (entry.transport_failure_pending) {
    entry.transport_failure_pending = false;
    entry.machine.transport_failed();
  }
  entry.in_event = false;
  if (entry.machine.state() == TransactionState::kCompleted && !entry.request_trimmed) {
    // The request stays until Timer J (64*T1 over UDP) to answer
    // retransmissions; keeping its body and other headers that long cost
    // about 5.6 KB per transaction under load.
    entry.request = trim_to_response_context(entry.request);
    entry.request_trimmed = true;
  }
  if (entry.machine.state() != TransactionState::kTerminated) return;
  server_keys_.erase(entry.key);
  const std::uint64_t id = entry.id;  // erase() must not read the entry it destroys
  servers_.erase(id);
}

void TransactionLayer::server_transport_failed(std::uint64_t id) {
  const auto it = servers_.find(id);
  if (it == servers_.end()) return;
  if (it->second->in_event) {
    it->second->transport_failure_pending = true;
    return;
  }
  server_event(id, [](NonInviteServerTransaction& machine) { machine.transport_failed(); });
}

std::size_t TransactionLayer::unfinished_transactions() const {
  std::size_t count = 0;
  for (const auto& [id, entry] : clients_) {
    const TransactionState state = entry->machine.state();
    if (state == TransactionState::kTrying || state == TransactionState::kProceeding) ++count;
  }
  for (const auto& [id, entry] : servers_) {
    const TransactionState state = entry->machine.state();
    if (state == TransactionState::kTrying || state == TransactionState::kProceeding) ++count;
  }
  return count;
}

}  // namespace sippay::sip
