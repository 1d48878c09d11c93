// The running gateway: the payment endpoint (TLS, only through the proxy),
// the processor on the ledger, the outbox sender and the expiry sweep.
//
// The endpoint, the outbox sender and the sweep timer live on the I/O
// thread. Each message's processing and each sweep run on a pool of
// `worker_threads` threads, so that several messages wait in the ledger at
// once and share its commits. Their results come back to the I/O thread.
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <system_error>

#include "ledger/ledger.hpp"
#include "roles/endpoint/outbox.hpp"
#include "roles/endpoint/payment_endpoint.hpp"
#include "roles/gateway/gateway_outbox.hpp"
#include "roles/gateway/gateway_processor.hpp"
#include "roles/gateway/gateway_settings.hpp"
#include "roles/gateway/in_flight_limit.hpp"
#include "roles/endpoint/random_ids.hpp"

namespace sippay::roles::gateway {

class GatewayDaemon {
 public:
  // Opens the ledger and loads the keys. Throws ConfigError naming the file
  // that cannot be used, ledger::LedgerError when the database fails.
  GatewayDaemon(asio::io_context& io, GatewaySettings settings);
  // Waits for the processing already running on the worker threads.
  // Messages still queued are dropped, and their senders retry.
  ~GatewayDaemon();
  GatewayDaemon(const GatewayDaemon&) = delete;
  GatewayDaemon& operator=(const GatewayDaemon&) = delete;

  // Sweeps expired transactions once, then listens, registers, starts the
  // outbox sender and the periodic sweep.
  std::error_code start();
  std::string local_address() const { return endpoint_.local_address(); }
  // Stops the sweep and the outbox sender, and shuts the endpoint down,
  // which waits up to `limit` for the messages being processed.
  void shutdown(std::chrono::milliseconds limit, std::function<void()> done);
  // Reads the CRL file again (on SIGHUP) for the endpoint and the dual
  // signature check; see PaymentEndpoint::reload_crl.
  void reload_crl(PaymentEndpoint::CrlReloadDone done = {});

 private:
  void on_message(const InboundMessage& message, PendingReply reply);
  // Responds 503 with Retry-After when in_flight_ is full. Runs on the I/O thread.
  void reject_busy(const InboundMessage& message, PendingReply reply);
  // Runs on a worker thread.
  Reply process(const InboundMessage& message);
  // Runs `work` on the I/O thread, unless the daemon is gone by then.
  void post_to_io(std::function<void()> work);
  // Expires due transactions; returns how many expired. Any thread.
  std::size_t sweep();
  void schedule_sweep();

  GatewaySettings settings_;
  // Before keys_, which shares its CA and CRL.
  PaymentEndpoint endpoint_;
  std::unique_ptr<ledger::Ledger> ledger_;
  GatewayKeys keys_;
  RandomIds ids_;
  GatewayProcessor processor_;
  LedgerOutboxStore outbox_;
  OutboxSender sender_;
  asio::io_context& io_;
  asio::steady_timer sweep_timer_;
  bool running_ = false;  // read and written on the I/O thread only
  // Messages on the workers or waiting for one: worker_threads + max_waiting_messages.
  InFlightLimit in_flight_;
  // When the last "busy" warning was logged; I/O thread only.
  std::chrono::steady_clock::time_point last_busy_log_{};
  std::uint64_t rejected_busy_ = 0;  // since the last warning
  // Points to this daemon until its destruction begins; work posted to the
  // I/O thread by the workers checks it there.
  std::shared_ptr<GatewayDaemon*> lifetime_ = std::make_shared<GatewayDaemon*>(this);
  // Last, so that it is joined before the members that its jobs use go.
  asio::thread_pool workers_;
};

}  // namespace sippay::roles::gateway
