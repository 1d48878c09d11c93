// `sippay merchant` without its command line: the store, the catalog, the
// payment endpoint, the outbox sender and the periodic sweep, wired
// together on one asio::io_context thread.
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "roles/endpoint/outbox.hpp"
#include "roles/endpoint/payment_endpoint.hpp"
#include "roles/merchant/merchant_config.hpp"
#include "roles/merchant/merchant_handler.hpp"

namespace sippay::roles::merchant {

class MerchantDaemon {
 public:
  // Opens the store, loads the catalog into it and the operator CA and CRL. Throws
  // ConfigError for an unusable file and StoreError for the database.
  MerchantDaemon(asio::io_context& io, MerchantDaemonConfig config);
  ~MerchantDaemon();
  MerchantDaemon(const MerchantDaemon&) = delete;
  MerchantDaemon& operator=(const MerchantDaemon&) = delete;

  // Listens, registers, starts the outbox sender and runs the first sweep
  // (abort requests for reservations whose deadline passed while stopped).
  std::error_code start();
  std::string local_address() const;
  // Stops the sweep and the outbox, then drains the endpoint.
  void shutdown(std::chrono::milliseconds limit, std::function<void()> done);
  // Reads the CRL file again (on SIGHUP) for the endpoint and the dual
  // signature check; see PaymentEndpoint::reload_crl.
  void reload_crl(PaymentEndpoint::CrlReloadDone done = {});

  SqliteMerchantStore& store() { return *store_; }

 private:
  class Outbox;
  Reply handle(const InboundMessage& message);
  void sweep();
  void schedule_sweep();
  void kick_if_queued();

  asio::io_context& io_;
  MerchantDaemonConfig config_;
  std::unique_ptr<SqliteMerchantStore> store_;
  RandomIds ids_;
  std::unique_ptr<MerchantServicesImpl> services_;
  std::unique_ptr<MerchantHandler> handler_;
  std::unique_ptr<PaymentEndpoint> endpoint_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<OutboxSender> sender_;
  asio::steady_timer sweep_timer_;
  bool stopping_ = false;
};

}  // namespace sippay::roles::merchant
