// The running gateway: the payment endpoint (TLS, only through the proxy),
// the processor on the ledger, the outbox sender and the expiry sweep.
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <memory>
#include <system_error>

#include "ledger/ledger.hpp"
#include "roles/endpoint/outbox.hpp"
#include "roles/endpoint/payment_endpoint.hpp"
#include "roles/gateway/gateway_outbox.hpp"
#include "roles/gateway/gateway_processor.hpp"
#include "roles/gateway/gateway_settings.hpp"
#include "roles/endpoint/random_ids.hpp"

namespace sippay::roles::gateway {

class GatewayDaemon {
 public:
  // Opens the ledger and loads the keys. Throws ConfigError naming the file
  // that cannot be used, ledger::LedgerError when the database fails.
  GatewayDaemon(asio::io_context& io, GatewaySettings settings);

  // Sweeps expired transactions once, then listens, registers, starts the
  // outbox sender and the periodic sweep.
  std::error_code start();
  std::string local_address() const { return endpoint_.local_address(); }
  void shutdown(std::chrono::milliseconds limit, std::function<void()> done);

 private:
  Reply on_message(const InboundMessage& message);
  void sweep();
  void schedule_sweep();

  GatewaySettings settings_;
  std::unique_ptr<ledger::Ledger> ledger_;
  GatewayKeys keys_;
  RandomIds ids_;
  GatewayProcessor processor_;
  PaymentEndpoint endpoint_;
  LedgerOutboxStore outbox_;
  OutboxSender sender_;
  asio::steady_timer sweep_timer_;
  bool running_ = false;
};

}  // namespace sippay::roles::gateway
