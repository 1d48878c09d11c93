#include "sip/transport/stream_connection.hpp"

#include <asio/connect.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/ssl/error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <array>
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <vector>

#include "sip/message.hpp"
#include "sip/transport/endpoint.hpp"
#include "sip/transport/spawn.hpp"
#include "sip/transport/tls_identity.hpp"

namespace sippay::sip::transport_detail {
namespace {

constexpr std::size_t kReadBufferBytes = 16384;
// Maximum queued messages per gathered write.
constexpr std::size_t kMaxBatch = 64;

// A peer that closed its end is reported as a closed connection, not "End of file".
std::error_code closed_reason(std::error_code error) {
  if (error == asio::error::eof || error == asio::ssl::error::stream_truncated) {
    return make_error_code(TransportError::kConnectionClosed);
  }
  return error;
}

bool is_ip_literal(const std::string& host) {
  std::error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

}  // namespace

// --- Connection: state, queue, framing and timeouts shared by TCP and TLS.

Connection::Connection(asio::any_io_executor executor, std::uint64_t id, TransportAddress remote,
                       bool outbound, std::string server_name,
                       const ConnectionSettings& settings, std::weak_ptr<TransportOwner> owner)
    : executor_(executor),
      settings_(settings),
      id_(id),
      remote_(std::move(remote)),
      outbound_(outbound),
      server_name_(std::move(server_name)),
      owner_(std::move(owner)),
      timer_(executor),
      framer_(settings.limits) {}

bool Connection::is_idle() const { return state_ == State::kOpen && queue_.empty() && !writing_; }

void Connection::send(std::string bytes, SendHandler done) {
  if (state_ == State::kClosed) {
    complete(done, make_error_code(TransportError::kConnectionClosed));
    return;
  }
  queue_.push_back({std::move(bytes), std::move(done)});
  if (state_ == State::kOpen && !writing_) {
    start_writer();
  }
}

void Connection::close(std::error_code reason) {
  if (state_ == State::kClosed) {
    return;
  }
  const bool was_open = state_ == State::kOpen;
  state_ = State::kClosed;
  timer_.cancel();
  close_socket();
  spdlog::debug("SIP transport: connection {} to {} closed: {}", id_, remote_.to_string(),
                reason.message());

  // Queued sends fail with kConnectionClosed, or with `reason` (the connect
  // or handshake error) when the connection never opened.
  const std::error_code send_error =
      was_open ? make_error_code(TransportError::kConnectionClosed) : reason;
  for (auto& pending : queue_) {
    complete(pending.done, send_error);
  }
  queue_.clear();

  if (auto owner = owner_.lock()) {
    owner->connection_closed(*this, reason);
  }
}

void Connection::set_open(TransportAddress local) {
  local_ = std::move(local);
  state_ = State::kOpen;
  touch();
  // The watchdog sleeps until the connect deadline: wake it for the idle one.
  timer_.cancel();
  spdlog::debug("SIP transport: connection {} open, {} to {}", id_, local_.to_string(),
                remote_.to_string());
  if (!queue_.empty() && !writing_) {
    start_writer();
  }
}

bool Connection::on_bytes(std::string_view bytes) {
  touch();
  framer_.feed(bytes);
  for (;;) {
    if (state_ == State::kClosed) {
      return false;
    }
    switch (framer_.next()) {
      case StreamFramer::Event::kNeedMore:
        return true;
      case StreamFramer::Event::kMessage:
        deliver(framer_.message());
        break;
      case StreamFramer::Event::kPing:
        // RFC 5626 §3.5.1: the response to a double-CRLF ping is one CRLF.
        send("\r\n", nullptr);
        break;
      case StreamFramer::Event::kPong:
        break;
      case StreamFramer::Event::kError:
        spdlog::warn("SIP transport: closing connection {} from {}: {}", id_, remote_.to_string(),
                     framer_.error().to_string());
        if (auto owner = owner_.lock()) {
          ++owner->stats().framing_errors;
        }
        close(make_error_code(TransportError::kFramingError));
        return false;
    }
  }
}

void Connection::deliver(std::string_view bytes) {
  auto owner = owner_.lock();
  if (!owner) {
    return;
  }
  auto parsed = parse_message_owned(std::string(bytes), settings_.limits, Framing::kStream);
  if (!parsed) {
    // The framer found the message's end, so the stream stays in sync.
    ++owner->stats().stream_messages_dropped;
    spdlog::warn("SIP transport: dropped a message from {} on connection {}: {}",
                 remote_.to_string(), id_, parsed.error().to_string());
    owner->parse_failed(UnparsableMessage{bytes, &parsed.error(), remote_, local_, id_});
    return;
  }
  owner->deliver(ReceivedMessage{std::move(*parsed), remote_, local_, id_});
}

void Connection::complete(SendHandler& done, std::error_code error) {
  if (!done) {
    return;
  }
  // The owner is checked when the handler runs: the TransportLayer may be
  // destroyed in between.
  asio::post(executor_, [owner = owner_, done = std::move(done), error] {
    if (!owner.expired()) {
      done(error);
    }
  });
}

void Connection::start_watchdog() {
  spawn_logged(executor_, watch(shared_from_this()), "connection watchdog");
}

// The unnamed parameter keeps the connection alive while the coroutine runs.
asio::awaitable<void> Connection::watch(std::shared_ptr<Connection>) {
  while (state_ != State::kClosed) {
    const bool open = state_ == State::kOpen;
    const auto deadline =
        open ? last_activity_ + settings_.idle_timeout : started_at_ + settings_.connect_timeout;
    if (Clock::now() >= deadline) {
      if (open) {
        if (auto owner = owner_.lock()) {
          ++owner->stats().idle_timeouts;
        }
        close(make_error_code(TransportError::kIdleTimeout));
      } else {
        close(make_error_code(asio::error::timed_out));
      }
      co_return;
    }
    timer_.expires_at(deadline);
    std::error_code ignored;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

// --- StreamConnection: the socket operations of TCP and TLS.

template <typename Stream>
StreamConnection<Stream>::StreamConnection(Stream stream, std::uint64_t id,
                                           TransportAddress remote, bool outbound,
                                           std::string server_name,
                                           const ConnectionSettings& settings,
                                           std::weak_ptr<TransportOwner> owner)
    : Connection(stream.get_executor(), id, std::move(remote), outbound, std::move(server_name),
                 settings, std::move(owner)),
      stream_(std::move(stream)) {}

template <typename Stream>
std::shared_ptr<StreamConnection<Stream>> StreamConnection<Stream>::self() {
  return std::static_pointer_cast<StreamConnection>(shared_from_this());
}

template <typename Stream>
void StreamConnection<Stream>::start_inbound() {
  start_watchdog();
  spawn_logged(executor_, run_inbound(self()), "inbound connection");
}

template <typename Stream>
void StreamConnection<Stream>::start_outbound() {
  start_watchdog();
  spawn_logged(executor_, run_outbound(self()), "outbound connection");
}

template <typename Stream>
asio::awaitable<void> StreamConnection<Stream>::run_inbound(std::shared_ptr<StreamConnection>) {
  std::error_code error;
  const auto local_endpoint = stream_.lowest_layer().local_endpoint(error);
  if (error) {
    close(error);
    co_return;
  }
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    error = co_await handshake(false);
    if (error) {
      co_return;
    }
  }
  set_open(to_transport_address(protocol(), local_endpoint));
  co_await read_loop();
}

template <typename Stream>
asio::awaitable<void> StreamConnection<Stream>::run_outbound(std::shared_ptr<StreamConnection>) {
  std::error_code error;
  co_await stream_.lowest_layer().async_connect(to_tcp_endpoint(remote()),
                                                asio::redirect_error(asio::use_awaitable, error));
  if (state() == State::kClosed) {
    co_return;
  }
  if (error) {
    spdlog::info("SIP transport: connecting to {} failed: {}", remote().to_string(),
                 error.message());
    close(error);
    co_return;
  }
  const auto local_endpoint = stream_.lowest_layer().local_endpoint(error);
  if (error) {
    close(error);
    co_return;
  }
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    error = co_await handshake(true);
    if (error) {
      co_return;
    }
  }
  set_open(to_transport_address(protocol(), local_endpoint));
  co_await read_loop();
}

template <typename Stream>
bool StreamConnection<Stream>::peer_identity_matches(std::string_view host) {
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    SSL* ssl = stream_.native_handle();
    X509* certificate = SSL_get0_peer_certificate(ssl);
    if (certificate == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) {
      return false;
    }
    return certificate_matches(certificate_identities(certificate), host);
  } else {
    (void)host;
    return false;
  }
}

template <typename Stream>
asio::awaitable<std::error_code> StreamConnection<Stream>::handshake(bool as_client) {
  std::error_code error;
  if constexpr (std::is_same_v<Stream, TlsStream>) {
    if (as_client) {
      if (settings_.verify_tls_server) {
        stream_.set_verify_mode(asio::ssl::verify_peer);
        stream_.set_verify_callback(SipServerIdentityVerifier(server_name()));
      } else {
        stream_.set_verify_mode(asio::ssl::verify_none);
      }
      // Server Name Indication takes host names only (RFC 6066 §3).
      if (!server_name().empty() && !is_ip_literal(server_name())) {
        SSL_set_tlsext_host_name(stream_.native_handle(), server_name().c_str());
      }
    }
    const auto role = as_client ? asio::ssl::stream_base::client : asio::ssl::stream_base::server;
    co_await stream_.async_handshake(role, asio::redirect_error(asio::use_awaitable, error));
    if (error && state() != State::kClosed) {
      if (auto owner = this->owner()) {
        ++owner->stats().tls_handshake_failures;
      }
      // "certificate verify failed" alone hides why, e.g. "certificate revoked".
      std::string reason = error.message();
      const long verify_result = SSL_get_verify_result(stream_.native_handle());
      if (verify_result != X509_V_OK) {
        reason += fmt::format(": {}", X509_verify_cert_error_string(verify_result));
      }
      if (as_client) {
        spdlog::warn("SIP transport: TLS handshake with server {} (expected identity \"{}\") "
                     "failed: {}",
                     remote().to_string(), server_name(), reason);
      } else {
        spdlog::warn("SIP transport: TLS handshake with client {} failed: {}",
                     remote().to_string(), reason);
      }
      close(error);
    } else if (state() == State::kClosed) {
      error = make_error_code(TransportError::kConnectionClosed);
    }
  }
  co_return error;
}

template <typename Stream>
asio::awaitable<void> StreamConnection<Stream>::read_loop() {
  std::vector<char> buffer(kReadBufferBytes);
  while (state() == State::kOpen) {
    std::error_code error;
    const std::size_t size = co_await stream_.async_read_some(
        asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, error));
    if (error) {
      close(closed_reason(error));
      co_return;
    }
    if (!on_bytes(std::string_view(buffer.data(), size))) {
      co_return;
    }
  }
}

template <typename Stream>
void StreamConnection<Stream>::start_writer() {
  writing_ = true;
  spawn_logged(executor_, write_loop(self()), "connection writer");
}

template <typename Stream>
asio::awaitable<void> StreamConnection<Stream>::write_loop(std::shared_ptr<StreamConnection>) {
  std::vector<PendingSend> batch;
  std::vector<asio::const_buffer> buffers;
  while (state() == State::kOpen && !queue_.empty()) {
    batch.clear();
    buffers.clear();
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
      buffers.push_back(asio::buffer(batch.back().bytes));
    }

    std::error_code error;
    co_await asio::async_write(stream_, buffers, asio::redirect_error(asio::use_awaitable, error));
    if (!error) {
      touch();
    }
    const std::error_code result = error ? closed_reason(error) : std::error_code();
    for (auto& pending : batch) {
      complete(pending.done, result);
    }
    if (error) {
      close(closed_reason(error));
      break;
    }
  }
  writing_ = false;
}

template <typename Stream>
void StreamConnection<Stream>::close_socket() {
  std::error_code ignored;
  // NOTE: a TLS connection closes its socket without sending close_notify,
  // so closing never waits on the peer, and the peer sees a truncated stream.
  stream_.lowest_layer().close(ignored);
}

template class StreamConnection<asio::ip::tcp::socket>;
template class StreamConnection<TlsStream>;

}  // namespace sippay::sip::transport_detail
