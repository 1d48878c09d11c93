// A TCP or TLS connection (RFC 3261 §18): frames received bytes into SIP
// messages, responds to RFC 5626 keep-alive pings, writes queued sends in
// batches, and closes itself after a connect or idle timeout.
// Internal to the transport layer.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

#include "sip/stream_framer.hpp"
#include "sip/transport/transport.hpp"
#include "sip/transport/transport_owner.hpp"

namespace sippay::sip::transport_detail {

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

struct ConnectionSettings {
  ParseLimits limits;
  std::chrono::milliseconds idle_timeout{0};
  std::chrono::milliseconds connect_timeout{0};
  // TLS clients: check the server's certificate (chain and RFC 5922 identity).
  bool verify_tls_server = true;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using SendHandler = TransportLayer::SendHandler;
  using Clock = std::chrono::steady_clock;
  enum class State : unsigned char { kConnecting, kOpen, kClosed };

  virtual ~Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  std::uint64_t id() const { return id_; }
  TransportProtocol protocol() const { return remote_.protocol; }
  const TransportAddress& remote() const { return remote_; }
  // Valid once open.
  const TransportAddress& local() const { return local_; }
  State state() const { return state_; }
  bool is_outbound() const { return outbound_; }
  // TLS outbound: the host name or IP address the server's certificate was
  // checked against. Empty for inbound and TCP connections.
  const std::string& server_name() const { return server_name_; }
  Clock::time_point last_activity() const { return last_activity_; }
  // Open, with nothing queued or being written.
  bool is_idle() const;

  // Queues `bytes`, written once the connection is open.
  void send(std::string bytes, SendHandler done);
  // Closes the socket, fails queued sends with `reason` and reports the
  // close to the owner. Later calls do nothing.
  void close(std::error_code reason);

  // Handshakes (TLS), then reads. The socket is already connected.
  virtual void start_inbound() = 0;
  // Connects to remote(), handshakes (TLS), then reads and writes.
  virtual void start_outbound() = 0;
  // TLS: whether the peer presented a certificate that verified against the
  // trusted CAs and identifies `host` (see certificate_matches). False for TCP.
  virtual bool peer_identity_matches(std::string_view host) = 0;

 protected:
  struct PendingSend {
    std::string bytes;
    SendHandler done;
  };

  Connection(asio::any_io_executor executor, std::uint64_t id, TransportAddress remote,
             bool outbound, std::string server_name, const ConnectionSettings& settings,
             std::weak_ptr<TransportOwner> owner);

  // Marks the connection open and starts writing what was queued.
  void set_open(TransportAddress local);
  // Feeds received bytes to the framer and acts on each event. Returns false
  // when the connection closed meanwhile.
  bool on_bytes(std::string_view bytes);
  void touch() { last_activity_ = Clock::now(); }
  // Runs the connect and idle timeouts until the connection closes.
  void start_watchdog();
  // Posts `done(error)`, which runs unless the owner is gone by then.
  void complete(SendHandler& done, std::error_code error);
  std::shared_ptr<TransportOwner> owner() const { return owner_.lock(); }

  virtual void start_writer() = 0;
  virtual void close_socket() = 0;

  asio::any_io_executor executor_;
  const ConnectionSettings settings_;
  std::deque<PendingSend> queue_;
  bool writing_ = false;

 private:
  asio::awaitable<void> watch(std::shared_ptr<Connection> self);
  void deliver(std::string_view bytes);

  const std::uint64_t id_;
  const TransportAddress remote_;
  TransportAddress local_;
  const bool outbound_;
  const std::string server_name_;
  std::weak_ptr<TransportOwner> owner_;
  State state_ = State::kConnecting;
  Clock::time_point started_at_ = Clock::now();
  Clock::time_point last_activity_ = started_at_;
  asio::steady_timer timer_;
  StreamFramer framer_;
};

// The connection over a concrete stream: asio::ip::tcp::socket for TCP,
// TlsStream for TLS.
template <typename Stream>
class StreamConnection final : public Connection {
 public:
  StreamConnection(Stream stream, std::uint64_t id, TransportAddress remote, bool outbound,
                   std::string server_name, const ConnectionSettings& settings,
                   std::weak_ptr<TransportOwner> owner);

  void start_inbound() override;
  void start_outbound() override;
  bool peer_identity_matches(std::string_view host) override;

 private:
  std::shared_ptr<StreamConnection> self();
  asio::awaitable<void> run_inbound(std::shared_ptr<StreamConnection> self);
  asio::awaitable<void> run_outbound(std::shared_ptr<StreamConnection> self);
  // TLS only: returns the handshake's error, empty on success.
  asio::awaitable<std::error_code> handshake(bool as_client);
  asio::awaitable<void> read_loop();
  asio::awaitable<void> write_loop(std::shared_ptr<StreamConnection> self);
  void start_writer() override;
  void close_socket() override;

  Stream stream_;
};

using TcpConnection = StreamConnection<asio::ip::tcp::socket>;
using TlsConnection = StreamConnection<TlsStream>;

}  // namespace sippay::sip::transport_detail
