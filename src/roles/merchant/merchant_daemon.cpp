#include "roles/merchant/merchant_daemon.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "roles/endpoint/failpoint.hpp"

namespace sippay::roles::merchant {
namespace {

payment::UtcTime to_utc(std::chrono::system_clock::time_point time) {
  return std::chrono::floor<std::chrono::seconds>(time);
}

}  // namespace

// The endpoint's view of the merchant's outbox table. Each call is one
// statement, committed on its own.
class MerchantDaemon::Outbox final : public OutboxStore {
 public:
  explicit Outbox(SqliteMerchantStore& store) : store_(store) {}

  std::vector<OutboxEntry> due(std::chrono::system_clock::time_point now,
                               std::size_t limit) override {
    std::vector<OutboxEntry> entries;
    for (PendingMessage& message : store_.due_messages(to_utc(now), limit)) {
      entries.push_back(OutboxEntry{message.id, std::move(message.to_uri),
                                    std::move(message.content), message.attempts,
                                    message.next_attempt});
    }
    return entries;
  }
  void mark_delivered(std::int64_t id) override {
    store_.mark_delivered(id, to_utc(std::chrono::system_clock::now()));
  }
  void reschedule(std::int64_t id, std::chrono::system_clock::time_point next) override {
    // Rounded up, so a retry is never due before the backoff has passed.
    store_.reschedule(id, std::chrono::ceil<std::chrono::seconds>(next));
  }

 private:
  SqliteMerchantStore& store_;
};

MerchantDaemon::MerchantDaemon(asio::io_context& io, MerchantDaemonConfig config)
    : io_(io),
      config_(std::move(config)),
      store_(std::make_unique<SqliteMerchantStore>(config_.store)),
      sweep_timer_(io) {
  arm_failpoint_from_environment();
  store_->sync_catalog(load_catalog(config_.catalog));
  endpoint_ = std::make_unique<PaymentEndpoint>(io_, config_.endpoint);
  // The dual signature check shares the endpoint's CA and CRL, so one
  // reload covers both.
  services_ = std::make_unique<MerchantServicesImpl>(*store_, endpoint_->trust(), config_.nonce_lifetime);
  handler_ = std::make_unique<MerchantHandler>(*store_, *services_, ids_, config_.machine);
  endpoint_->on_message([this](const InboundMessage& message) { return handle(message); });
  outbox_ = std::make_unique<Outbox>(*store_);
  sender_ = std::make_unique<OutboxSender>(io_, *endpoint_, *outbox_);
}

MerchantDaemon::~MerchantDaemon() = default;

std::error_code MerchantDaemon::start() {
  if (const std::error_code error = endpoint_->start()) return error;
  sender_->start();
  sweep();
  spdlog::info("merchant {} ready: {} undelivered outbox messages", config_.machine.uri,
               store_->undelivered_count());
  return {};
}

std::string MerchantDaemon::local_address() const { return endpoint_->local_address(); }

void MerchantDaemon::shutdown(std::chrono::milliseconds limit, std::function<void()> done) {
  stopping_ = true;
  sweep_timer_.cancel();
  sender_->stop();
  endpoint_->shutdown(limit, std::move(done));
}

void MerchantDaemon::reload_crl(PaymentEndpoint::CrlReloadDone done) { endpoint_->reload_crl(std::move(done)); }

Reply MerchantDaemon::handle(const InboundMessage& message) {
  MerchantRequest request{message.sender_uri, message.content, message.authorization,
                          message.signer_verified};
  MerchantReply reply = handler_->handle(request, std::chrono::system_clock::now());
  spdlog::info("MESSAGE {} from {}: {} {}", message.call_id, message.sender_uri, reply.status,
               reply.reason);
  kick_if_queued();
  return Reply{reply.status, std::move(reply.reason), std::move(reply.headers)};
}

void MerchantDaemon::sweep() {
  try {
    handler_->sweep(std::chrono::system_clock::now());
  } catch (const std::exception& error) {
    spdlog::error("sweep failed, retrying at the next interval: {}", error.what());
  }
  kick_if_queued();
  schedule_sweep();
}

void MerchantDaemon::schedule_sweep() {
  if (stopping_) return;
  sweep_timer_.expires_after(config_.sweep_interval);
  sweep_timer_.async_wait([this](const std::error_code& error) {
    if (!error && !stopping_) sweep();
  });
}

void MerchantDaemon::kick_if_queued() {
  if (handler_->take_queued_count() > 0) sender_->kick();
}

}  // namespace sippay::roles::merchant
