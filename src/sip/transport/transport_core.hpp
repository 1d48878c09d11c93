// The state behind a TransportLayer: sockets, listeners, the connection
// table and the TLS contexts. Sockets and connections hold it through a
// weak pointer, so it can go away while their coroutines wind down.
// Internal to the transport layer.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ssl/context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sip/transport/connection_table.hpp"
#include "sip/transport/repeat_limiter.hpp"
#include "sip/transport/stream_listener.hpp"
#include "sip/transport/transport.hpp"
#include "sip/transport/transport_owner.hpp"
#include "sip/transport/udp_transport.hpp"

namespace sippay::sip::transport_detail {

class TransportCore final : public TransportOwner,
                            public std::enable_shared_from_this<TransportCore> {
 public:
  using SendHandler = TransportLayer::SendHandler;

  TransportCore(asio::io_context& io, TransportSettings settings,
                TransportLayer::ReceiveHandler on_receive);
  // Closes every socket without calling any SendHandler.
  ~TransportCore();

  std::error_code start();
  void stop();

  std::vector<TransportAddress> local_addresses() const;
  std::optional<TransportAddress> local_address_for(TransportProtocol protocol,
                                                    const asio::ip::address& destination) const;
  TransportProtocol protocol_for_request(TransportProtocol wanted, std::size_t size_bytes) const;
  std::uint64_t send_request(std::string bytes, const TransportAddress& destination,
                             std::string tls_server_name, SendHandler done);
  void send_response(std::string bytes, const ReceivedMessage& request, SendHandler done);
  void set_parse_error_handler(TransportLayer::ParseErrorHandler handler) {
    on_parse_error_ = std::move(handler);
  }
  void set_connection_closed_handler(TransportLayer::ConnectionClosedHandler handler) {
    on_connection_closed_ = std::move(handler);
  }
  void send_to_source(std::string bytes, const UnparsableMessage& message, SendHandler done);
  TlsCrlReloadResult reload_tls_crl(const std::string& crl_file);
  std::size_t open_connections() const { return table_.size(); }
  bool peer_certificate_matches(std::uint64_t connection_id, std::string_view host) const {
    auto connection = table_.find(connection_id);
    return connection && connection->peer_identity_matches(host);
  }
  TransportStats stats_snapshot() const { return stats_; }

  // TransportOwner
  void deliver(ReceivedMessage message) override;
  void parse_failed(const UnparsableMessage& message) override;
  void accept(asio::ip::tcp::socket socket, TransportProtocol protocol) override;
  void connection_closed(Connection& connection, std::error_code reason) override;
  TransportStats& stats() override { return stats_; }

 private:
  enum class State : unsigned char { kCreated, kRunning, kStopped };

  std::error_code open_socket(const TransportAddress& address);
  std::error_code make_tls_contexts();
  void close_all();

  void send_datagram(std::string bytes, const TransportAddress& destination,
                     const TransportAddress* local, SendHandler done);
  // Returns the id of the connection the bytes are queued on, 0 when none.
  std::uint64_t send_stream(std::string bytes, const TransportAddress& destination,
                            std::string tls_server_name, SendHandler done);
  std::shared_ptr<Connection> open_connection(const TransportAddress& destination,
                                              std::string server_name, std::error_code& error);
  std::shared_ptr<UdpTransport> udp_for(const TransportAddress& destination,
                                        const TransportAddress* local) const;
  void register_alias(const ReceivedMessage& message);
  ConnectionSettings connection_settings() const;
  // Posts `done(error)`, which runs unless this core is gone by then.
  void fail(SendHandler done, std::error_code error);

  asio::io_context& io_;
  const TransportSettings settings_;
  TransportLayer::ReceiveHandler on_receive_;
  TransportLayer::ParseErrorHandler on_parse_error_;
  TransportLayer::ConnectionClosedHandler on_connection_closed_;
  State state_ = State::kCreated;

  std::unique_ptr<asio::ssl::context> tls_server_;
  std::unique_ptr<asio::ssl::context> tls_client_;
  std::vector<std::shared_ptr<UdpTransport>> udp_;
  std::vector<std::shared_ptr<StreamListener>> listeners_;
  ConnectionTable table_;
  std::uint64_t next_connection_id_ = 1;
  TransportStats stats_;
  RepeatLimiter rejected_log_;
};

}  // namespace sippay::sip::transport_detail
