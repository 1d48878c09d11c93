#include "sip/transport/stream_listener.hpp"

#include <asio/ip/v6_only.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "sip/transport/endpoint.hpp"
#include "sip/transport/spawn.hpp"

namespace sippay::sip::transport_detail {
namespace {

constexpr std::chrono::milliseconds kPauseAfterError{100};

}  // namespace

StreamListener::StreamListener(asio::io_context& io, TransportProtocol protocol,
                               std::weak_ptr<TransportOwner> owner)
    : acceptor_(io), protocol_(protocol), owner_(std::move(owner)) {}

std::error_code StreamListener::open(const TransportAddress& address) {
  const auto endpoint = to_tcp_endpoint(address);
  std::error_code error;
  acceptor_.open(endpoint.protocol(), error);
  if (!error && endpoint.address().is_v6()) {
    acceptor_.set_option(asio::ip::v6_only(true), error);
  }
  if (!error) {
    acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  }
  if (!error) {
    acceptor_.bind(endpoint, error);
  }
  if (!error) {
    acceptor_.listen(asio::socket_base::max_listen_connections, error);
  }
  if (!error) {
    const auto bound = acceptor_.local_endpoint(error);
    local_ = to_transport_address(protocol_, bound);
  }
  if (error) {
    std::error_code ignored;
    acceptor_.close(ignored);
  }
  return error;
}

void StreamListener::start() {
  spawn_logged(acceptor_.get_executor(), accept_loop(shared_from_this()), "accept loop");
}

void StreamListener::close() {
  std::error_code ignored;
  acceptor_.close(ignored);
}

// The unnamed parameter keeps the listener alive while the coroutine runs.
asio::awaitable<void> StreamListener::accept_loop(std::shared_ptr<StreamListener>) {
  while (acceptor_.is_open()) {
    std::error_code error;
    asio::ip::tcp::socket socket =
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, error));
    if (error == asio::error::operation_aborted || !acceptor_.is_open()) {
      co_return;
    }
    if (error) {
      // Out of descriptors or a connection reset before accept: the
      // listener itself is fine, so keep accepting after a pause that
      // keeps a lasting failure from spinning.
      spdlog::warn("SIP transport: accept on {} failed: {}", local_.to_string(), error.message());
      asio::steady_timer pause(acceptor_.get_executor(), kPauseAfterError);
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
      continue;
    }
    auto owner = owner_.lock();
    if (!owner) {
      co_return;
    }
    owner->accept(std::move(socket), protocol_);
  }
}

}  // namespace sippay::sip::transport_detail
