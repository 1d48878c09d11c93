#include "sip/transport/transport_core.hpp"

#include <asio/ip/udp.hpp>
#include <asio/post.hpp>
#include <spdlog/spdlog.h>

#include "sip/transport/response_destination.hpp"
#include "sip/transport/tls_context.hpp"
#include "sip/transport/tls_crl.hpp"

namespace sippay::sip::transport_detail {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) {
      return false;
    }
  }
  return true;
}

// Whether a socket bound to `bound` suits `destination`: same family, and a
// wildcard address or one as loopback as the destination.
bool suits(const asio::ip::address& bound, const asio::ip::address& destination) {
  if (bound.is_v6() != destination.is_v6()) {
    return false;
  }
  return bound.is_unspecified() || bound.is_loopback() == destination.is_loopback();
}

std::optional<asio::ip::address> parse_ip(std::string_view text) {
  std::error_code error;
  const auto address = asio::ip::make_address(std::string(text), error);
  if (error) {
    return std::nullopt;
  }
  return address;
}

}  // namespace

TransportCore::TransportCore(asio::io_context& io, TransportSettings settings,
                             TransportLayer::ReceiveHandler on_receive)
    : io_(io), settings_(std::move(settings)), on_receive_(std::move(on_receive)) {}

TransportCore::~TransportCore() { close_all(); }

// --- Lifecycle

std::error_code TransportCore::start() {
  if (state_ != State::kCreated) {
    return make_error_code(TransportError::kStopped);
  }
  if (std::error_code error = make_tls_contexts()) {
    return error;
  }
  for (const auto& address : settings_.listen) {
    if (std::error_code error = open_socket(address)) {
      spdlog::error("SIP transport: cannot listen on {}: {}", address.to_string(),
                    error.message());
      close_all();
      return error;
    }
  }
  state_ = State::kRunning;
  for (const auto& socket : udp_) {
    socket->start();
  }
  for (const auto& listener : listeners_) {
    listener->start();
  }
  for (const auto& address : local_addresses()) {
    spdlog::info("SIP transport: listening on {}", address.to_string());
  }
  return {};
}

void TransportCore::stop() {
  if (state_ == State::kStopped) {
    return;
  }
  state_ = State::kStopped;
  close_all();
  spdlog::info("SIP transport: stopped");
}

void TransportCore::close_all() {
  for (const auto& socket : udp_) {
    socket->close();
  }
  for (const auto& listener : listeners_) {
    listener->close();
  }
  // Closing calls connection_closed, which edits the table: close a copy.
  for (const auto& connection : table_.all()) {
    connection->close(make_error_code(TransportError::kStopped));
  }
  udp_.clear();
  listeners_.clear();
}

std::error_code TransportCore::make_tls_contexts() {
  bool listens_on_tls = false;
  for (const auto& address : settings_.listen) {
    listens_on_tls = listens_on_tls || address.protocol == TransportProtocol::kTls;
  }
  if (!settings_.tls) {
    if (listens_on_tls) {
      spdlog::error("SIP transport: a TLS listener needs TransportSettings::tls");
      return make_error_code(TransportError::kTlsNotConfigured);
    }
    return {};
  }

  TlsContextResult client = make_tls_client_context(*settings_.tls);
  if (!client.context) {
    spdlog::error("SIP transport: TLS client setup failed ({}): {}", client.detail,
                  client.error.message());
    return client.error;
  }
  tls_client_ = std::move(client.context);
  if (listens_on_tls) {
    TlsContextResult server = make_tls_server_context(*settings_.tls);
    if (!server.context) {
      spdlog::error("SIP transport: TLS server setup failed ({}): {}", server.detail,
                    server.error.message());
      return server.error;
    }
    tls_server_ = std::move(server.context);
  }
  return {};
}

TlsCrlReloadResult TransportCore::reload_tls_crl(const std::string& crl_file) {
  if (!settings_.tls) {
    return {make_error_code(TransportError::kTlsNotConfigured),
            "TransportSettings::tls is not set, so there is no TLS CRL to reload"};
  }
  if (!tls_client_) {
    return {make_error_code(TransportError::kStopped), "start the transport before reloading its TLS CRL"};
  }
  CrlStoreResult crls = make_crl_store(settings_.tls->ca_file, crl_file);
  if (!crls.store) {
    return {crls.error, crls.detail};
  }
  // Both contexts share the store. A handshake checks the peer's
  // certificate within one OpenSSL call on this thread, so no check runs
  // while the stores are swapped.
  set_verify_store(*tls_client_, crls.store.get());
  if (tls_server_) {
    set_verify_store(*tls_server_, crls.store.get());
  }
  spdlog::info("SIP transport: TLS handshakes from now on check peers against the CRLs of \"{}\"", crl_file);
  return {};
}

std::error_code TransportCore::open_socket(const TransportAddress& address) {
  if (address.protocol == TransportProtocol::kUdp) {
    auto socket = std::make_shared<UdpTransport>(io_, settings_.limits, weak_from_this());
    if (std::error_code error = socket->open(address)) {
      return error;
    }
    udp_.push_back(std::move(socket));
    return {};
  }
  auto listener = std::make_shared<StreamListener>(io_, address.protocol, weak_from_this());
  if (std::error_code error = listener->open(address)) {
    return error;
  }
  listeners_.push_back(std::move(listener));
  return {};
}

// --- Addresses

std::vector<TransportAddress> TransportCore::local_addresses() const {
  std::vector<TransportAddress> out;
  for (const auto& socket : udp_) {
    out.push_back(socket->local());
  }
  for (const auto& listener : listeners_) {
    out.push_back(listener->local());
  }
  return out;
}

std::optional<TransportAddress> TransportCore::local_address_for(
    TransportProtocol protocol, const asio::ip::address& destination) const {
  std::optional<TransportAddress> bound;
  for (const auto& address : local_addresses()) {
    if (address.protocol == protocol && suits(address.address, destination)) {
      bound = address;
      break;
    }
  }
  if (!bound || !bound->address.is_unspecified()) {
    return bound;
  }
  // A wildcard socket sends from the address of the route to the
  // destination. Connecting a UDP socket picks that route without sending.
  asio::ip::udp::socket probe(io_);
  std::error_code error;
  probe.connect({destination, default_port(protocol)}, error);
  if (error) {
    return std::nullopt;
  }
  const auto endpoint = probe.local_endpoint(error);
  if (error) {
    return std::nullopt;
  }
  bound->address = endpoint.address();
  return bound;
}

TransportProtocol TransportCore::protocol_for_request(TransportProtocol wanted,
                                                      std::size_t size_bytes) const {
  if (wanted == TransportProtocol::kUdp && size_bytes > settings_.udp_mtu_bytes) {
    return TransportProtocol::kTcp;
  }
  return wanted;
}

// --- Sending

std::uint64_t TransportCore::send_request(std::string bytes, const TransportAddress& destination,
                                          std::string tls_server_name, SendHandler done) {
  if (state_ != State::kRunning) {
    fail(std::move(done), make_error_code(TransportError::kStopped));
    return 0;
  }
  if (destination.protocol == TransportProtocol::kUdp) {
    send_datagram(std::move(bytes), destination, nullptr, std::move(done));
    return 0;
  }
  return send_stream(std::move(bytes), destination, std::move(tls_server_name), std::move(done));
}

void TransportCore::send_response(std::string bytes, const ReceivedMessage& request,
                                  SendHandler done) {
  if (state_ != State::kRunning) {
    fail(std::move(done), make_error_code(TransportError::kStopped));
    return;
  }
  const auto vias = request.message.vias();
  if (vias.empty()) {
    fail(std::move(done), make_error_code(TransportError::kNoVia));
    return;
  }
  ResponseDestination destination = response_destination(vias.front(), request);
  if (destination.connection_id != 0) {
    auto connection = table_.find(destination.connection_id);
    if (connection && connection->state() != Connection::State::kClosed) {
      connection->send(std::move(bytes), std::move(done));
      return;
    }
  }
  if (destination.address.protocol == TransportProtocol::kUdp) {
    send_datagram(std::move(bytes), destination.address, &request.local, std::move(done));
  } else {
    send_stream(std::move(bytes), destination.address, std::move(destination.tls_server_name),
                std::move(done));
  }
}

void TransportCore::send_datagram(std::string bytes, const TransportAddress& destination,
                                  const TransportAddress* local, SendHandler done) {
  auto socket = udp_for(destination, local);
  if (!socket) {
    fail(std::move(done), make_error_code(TransportError::kNoTransport));
    return;
  }
  socket->send(std::move(bytes), destination, std::move(done));
}

std::shared_ptr<UdpTransport> TransportCore::udp_for(const TransportAddress& destination,
                                                     const TransportAddress* local) const {
  // A response leaves from the socket its request came in on, so the
  // client's rport and NAT bindings see the address they sent to.
  if (local != nullptr) {
    for (const auto& socket : udp_) {
      if (socket->local() == *local) {
        return socket;
      }
    }
  }
  for (const auto& socket : udp_) {
    if (suits(socket->local().address, destination.address)) {
      return socket;
    }
  }
  for (const auto& socket : udp_) {
    if (socket->local().address.is_v6() == destination.address.is_v6()) {
      return socket;
    }
  }
  return nullptr;
}

std::uint64_t TransportCore::send_stream(std::string bytes, const TransportAddress& destination,
                                         std::string tls_server_name, SendHandler done) {
  // TLS checks the server against this name: the address itself by default.
  std::string server_name;
  if (destination.protocol == TransportProtocol::kTls) {
    server_name = tls_server_name.empty() ? destination.address.to_string() : tls_server_name;
  }

  auto connection = table_.find(destination);
  // An outbound TLS connection is reused for the name it was checked
  // against only. An inbound one is the peer's own flow to this address.
  const bool reusable =
      connection && connection->state() != Connection::State::kClosed &&
      (destination.protocol != TransportProtocol::kTls || !connection->is_outbound() ||
       equals_ignoring_case(connection->server_name(), server_name));
  if (!reusable) {
    std::error_code error;
    connection = open_connection(destination, std::move(server_name), error);
    if (!connection) {
      fail(std::move(done), error);
      return 0;
    }
  }
  connection->send(std::move(bytes), std::move(done));
  return connection->id();
}

std::shared_ptr<Connection> TransportCore::open_connection(const TransportAddress& destination,
                                                           std::string server_name,
                                                           std::error_code& error) {
  if (destination.protocol == TransportProtocol::kTls && !tls_client_) {
    error = make_error_code(TransportError::kTlsNotConfigured);
    return nullptr;
  }
  if (table_.size() >= settings_.max_connections) {
    auto idle = table_.longest_idle();
    if (!idle) {
      error = make_error_code(TransportError::kConnectionLimit);
      return nullptr;
    }
    ++stats_.connections_evicted;
    spdlog::debug("SIP transport: closing idle connection {} to {} to open one to {}", idle->id(),
                  idle->remote().to_string(), destination.to_string());
    idle->close(make_error_code(TransportError::kConnectionLimit));
  }

  const std::uint64_t id = next_connection_id_++;
  std::shared_ptr<Connection> connection;
  if (destination.protocol == TransportProtocol::kTls) {
    connection = std::make_shared<TlsConnection>(TlsStream(io_, *tls_client_), id, destination,
                                                 true, std::move(server_name),
                                                 connection_settings(), weak_from_this());
  } else {
    connection = std::make_shared<TcpConnection>(asio::ip::tcp::socket(io_), id, destination,
                                                 true, std::string(), connection_settings(),
                                                 weak_from_this());
  }
  table_.insert(connection);
  connection->start_outbound();
  return connection;
}

void TransportCore::fail(SendHandler done, std::error_code error) {
  if (done) {
    asio::post(io_, [self = weak_from_this(), done = std::move(done), error] {
      if (!self.expired()) {
        done(error);
      }
    });
  }
}

ConnectionSettings TransportCore::connection_settings() const {
  ConnectionSettings out;
  out.limits = settings_.limits;
  out.idle_timeout = settings_.connection_idle_timeout;
  out.connect_timeout = settings_.connect_timeout;
  out.verify_tls_server = !settings_.tls || settings_.tls->verify_server;
  return out;
}

// --- Events from sockets and connections

void TransportCore::accept(asio::ip::tcp::socket socket, TransportProtocol protocol) {
  if (state_ != State::kRunning) {
    return;
  }
  std::error_code error;
  const auto remote_endpoint = socket.remote_endpoint(error);
  if (error) {
    return;  // the peer left before we saw it
  }
  const TransportAddress remote = to_transport_address(protocol, remote_endpoint);
  if (table_.size() >= settings_.max_connections) {
    ++stats_.connections_rejected;
    if (rejected_log_.count_and_check()) {
      spdlog::warn("SIP transport: rejected a connection from {}: max_connections ({}) reached "
                   "({} rejected so far)",
                   remote.to_string(), settings_.max_connections, rejected_log_.count());
    }
    return;  // the socket closes as it goes out of scope
  }

  const std::uint64_t id = next_connection_id_++;
  std::shared_ptr<Connection> connection;
  if (protocol == TransportProtocol::kTls) {
    connection = std::make_shared<TlsConnection>(TlsStream(std::move(socket), *tls_server_),
                                                 id, remote, false, std::string(),
                                                 connection_settings(), weak_from_this());
  } else {
    connection = std::make_shared<TcpConnection>(std::move(socket), id, remote, false,
                                                 std::string(), connection_settings(),
                                                 weak_from_this());
  }
  ++stats_.connections_accepted;
  table_.insert(connection);
  connection->start_inbound();
}

void TransportCore::connection_closed(Connection& connection, std::error_code reason) {
  table_.erase(connection.id());
  if (!on_connection_closed_) {
    return;
  }
  // Posted, because a close can happen inside a send (an evicted idle
  // connection) or inside stop(), and the handler may call back in.
  asio::post(io_, [self = weak_from_this(), id = connection.id(), reason] {
    auto core = self.lock();
    if (!core || !core->on_connection_closed_) {
      return;
    }
    try {
      core->on_connection_closed_(id, reason);
    } catch (const std::exception& exception) {
      spdlog::error("SIP transport: the connection closed handler threw: {}", exception.what());
    }
  });
}

void TransportCore::parse_failed(const UnparsableMessage& message) {
  if (state_ != State::kRunning || !on_parse_error_) {
    return;
  }
  try {
    on_parse_error_(message);
  } catch (const std::exception& exception) {
    spdlog::error("SIP transport: the parse error handler threw: {}", exception.what());
  }
}

void TransportCore::send_to_source(std::string bytes, const UnparsableMessage& message,
                                   SendHandler done) {
  if (state_ != State::kRunning) {
    fail(std::move(done), make_error_code(TransportError::kStopped));
    return;
  }
  if (message.connection_id != 0) {
    auto connection = table_.find(message.connection_id);
    if (connection && connection->state() != Connection::State::kClosed) {
      connection->send(std::move(bytes), std::move(done));
      return;
    }
  }
  if (message.source.protocol == TransportProtocol::kUdp) {
    send_datagram(std::move(bytes), message.source, &message.local, std::move(done));
  } else {
    send_stream(std::move(bytes), message.source, {}, std::move(done));
  }
}

void TransportCore::deliver(ReceivedMessage message) {
  if (state_ != State::kRunning) {
    return;
  }
  ++stats_.messages_received;
  register_alias(message);
  try {
    on_receive_(std::move(message));
  } catch (const std::exception& exception) {
    spdlog::error("SIP transport: the receive handler threw: {}", exception.what());
  }
}

// RFC 5923: a request whose top Via carries `alias` over an inbound TLS
// connection lets later requests to its sent-by address reuse that
// connection, once the client's certificate proved it owns that address.
// NOTE: only a sent-by IP address can be aliased: a domain sent-by would
// need a DNS lookup to become a table key.
void TransportCore::register_alias(const ReceivedMessage& message) {
  if (message.connection_id == 0 || message.source.protocol != TransportProtocol::kTls ||
      !message.message.is_request() || message.message.vias().empty()) {
    return;
  }
  const Via& top = message.message.vias().front();
  if (!top.params.contains("alias") || top.host_type == HostType::kHostname) {
    return;
  }
  std::string_view host = top.host;
  if (host.size() >= 2 && host.front() == '[') {
    host = host.substr(1, host.size() - 2);
  }
  const auto address = parse_ip(host);
  auto connection = table_.find(message.connection_id);
  if (!address || !connection || connection->is_outbound()) {
    return;
  }
  if (!connection->peer_identity_matches(host)) {
    spdlog::debug("SIP transport: ignored alias {} on connection {}: the client certificate "
                  "does not identify it",
                  top.host, message.connection_id);
    return;
  }
  const std::uint16_t port = top.has_port ? top.port : default_port(TransportProtocol::kTls);
  table_.add_alias({TransportProtocol::kTls, *address, port}, message.connection_id);
}

}  // namespace sippay::sip::transport_detail
