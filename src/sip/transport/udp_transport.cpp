#include "sip/transport/udp_transport.hpp"

#include <asio/ip/v6_only.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "sip/message.hpp"
#include "sip/transport/endpoint.hpp"
#include "sip/transport/spawn.hpp"

namespace sippay::sip::transport_detail {
namespace {

constexpr std::size_t kDatagramBufferBytes = 65535;
// The receive buffer asked of the kernel for each UDP socket (SO_RCVBUF).
constexpr int kReceiveBufferBytes = 4 * 1024 * 1024;
constexpr std::chrono::milliseconds kPauseAfterError{100};

// RFC 5626 §4.4.1 keep-alives aside, some clients send bare CRLFs over UDP
// to keep NAT bindings open. They carry no message.
bool is_crlf_keep_alive(std::string_view datagram) {
  return datagram.find_first_not_of("\r\n") == std::string_view::npos;
}

// ICMP errors from an earlier send (port unreachable) surface on a later
// receive on some systems. They are not a failure of this socket.
bool is_transient_receive_error(std::error_code error) {
  return error == asio::error::connection_refused || error == asio::error::connection_reset ||
         error == asio::error::network_unreachable || error == asio::error::host_unreachable ||
         error == asio::error::message_size;
}

}  // namespace

UdpTransport::UdpTransport(asio::io_context& io, ParseLimits limits,
                           std::weak_ptr<TransportOwner> owner)
    : socket_(io), limits_(limits), owner_(std::move(owner)), buffer_(kDatagramBufferBytes) {}

std::error_code UdpTransport::open(const TransportAddress& address) {
  const auto endpoint = to_udp_endpoint(address);
  std::error_code error;
  socket_.open(endpoint.protocol(), error);
  if (!error && endpoint.address().is_v6()) {
    socket_.set_option(asio::ip::v6_only(true), error);
  }
  if (!error) {
    // A larger receive buffer rides out bursts at high rates. The kernel
    // caps it at net.core.rmem_max (twice that, counting its overhead); a
    // refusal leaves the default, so the error is ignored.
    std::error_code ignored;
    socket_.set_option(asio::socket_base::receive_buffer_size(kReceiveBufferBytes), ignored);
    socket_.bind(endpoint, error);
  }
  if (!error) {
    local_ = to_transport_address(TransportProtocol::kUdp, socket_.local_endpoint(error));
  }
  if (error) {
    std::error_code ignored;
    socket_.close(ignored);
  }
  return error;
}

void UdpTransport::start() {
  spawn_logged(socket_.get_executor(), receive_loop(shared_from_this()), "UDP receive loop");
}

void UdpTransport::close() {
  std::error_code ignored;
  socket_.close(ignored);
}

void UdpTransport::send(std::string bytes, const TransportAddress& destination,
                        TransportLayer::SendHandler done) {
  auto payload = std::make_shared<std::string>(std::move(bytes));
  auto buffer = asio::buffer(*payload);
  socket_.async_send_to(
      buffer, to_udp_endpoint(destination),
      [payload, owner = owner_, done = std::move(done)](std::error_code error, std::size_t) {
        if (done && !owner.expired()) {
          done(error);
        }
      });
}

// The unnamed parameter keeps the transport alive while the coroutine runs.
asio::awaitable<void> UdpTransport::receive_loop(std::shared_ptr<UdpTransport>) {
  asio::ip::udp::endpoint sender;
  while (socket_.is_open()) {
    std::error_code error;
    const std::size_t size = co_await socket_.async_receive_from(
        asio::buffer(buffer_), sender, asio::redirect_error(asio::use_awaitable, error));
    if (error == asio::error::operation_aborted || !socket_.is_open()) {
      co_return;
    }
    if (error && is_transient_receive_error(error)) {
      continue;
    }
    if (error) {
      spdlog::warn("SIP transport: receive on {} failed: {}", local_.to_string(),
                   error.message());
      asio::steady_timer pause(socket_.get_executor(), kPauseAfterError);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
      continue;
    }
    on_datagram(size, sender);
  }
}

void UdpTransport::on_datagram(std::size_t size, const asio::ip::udp::endpoint& sender) {
  const std::string_view datagram(buffer_.data(), size);
  if (is_crlf_keep_alive(datagram)) {
    return;
  }
  auto owner = owner_.lock();
  if (!owner) {
    return;
  }
  const TransportAddress source = to_transport_address(TransportProtocol::kUdp, sender);
  auto parsed = parse_message_owned(std::string(datagram), limits_, Framing::kDatagram);
  if (!parsed) {
    ++owner->stats().datagrams_dropped;
    if (dropped_.count_and_check()) {
      spdlog::warn("SIP transport: dropped a datagram of {} bytes from {} ({} dropped so far): {}",
                   size, source.to_string(), dropped_.count(), parsed.error().to_string());
    }
    owner->parse_failed(UnparsableMessage{datagram, &parsed.error(), source, local_, 0});
    return;
  }
  owner->deliver(ReceivedMessage{std::move(*parsed), source, local_, 0});
}

}  // namespace sippay::sip::transport_detail
