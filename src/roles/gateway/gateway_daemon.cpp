#include "roles/gateway/gateway_daemon.hpp"

#include <asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ledger/open_ledger.hpp"
#include "ledger/sqlite_ledger.hpp"
#include "roles/endpoint/failpoint.hpp"

namespace sippay::roles::gateway {
namespace {

template <class T>
T take(security::Result<T> result, const std::filesystem::path& file, std::string_view key) {
  if (!result) {
    throw ConfigError(fmt::format("{} ({}): {}", file.string(), key, result.error().detail));
  }
  return std::move(result.value());
}

GatewayKeys load_keys(const GatewaySettings& settings,
                      std::shared_ptr<const security::ReloadableTrustStore> trust) {
  const EndpointConfig& endpoint = settings.endpoint;
  auto certificate = take(security::Certificate::load_pem_file(endpoint.certificate), endpoint.certificate,
                          "[identity] certificate");
  auto key = take(security::PrivateKey::load_pem_file(endpoint.private_key), endpoint.private_key,
                  "[identity] private_key");
  try {
    return GatewayKeys{std::move(certificate), std::move(key), std::move(trust),
                       payment::load_pin_key_file(settings.pin_key)};
  } catch (const std::runtime_error& error) {
    throw ConfigError(fmt::format("[ledger] pin_key: {}", error.what()));
  }
}

}  // namespace

GatewayDaemon::GatewayDaemon(asio::io_context& io, GatewaySettings settings)
    : settings_(std::move(settings)),
      endpoint_(io, settings_.endpoint),
      ledger_(ledger::open_ledger_at(settings_.database)),
      keys_(load_keys(settings_, endpoint_.trust())),
      processor_(*ledger_, keys_, settings_.policy, ids_),
      outbox_(*ledger_),
      sender_(io, endpoint_, outbox_),
      io_(io),
      sweep_timer_(io),
      in_flight_(std::size_t{settings_.worker_threads} + settings_.max_waiting_messages),
      workers_(settings_.worker_threads) {
  arm_failpoint_from_environment();
  endpoint_.on_message_async(
      [this](const InboundMessage& message, PendingReply reply) { on_message(message, std::move(reply)); });
}

GatewayDaemon::~GatewayDaemon() {
  lifetime_.reset();
  workers_.stop();
  workers_.join();
}

void GatewayDaemon::reload_crl(PaymentEndpoint::CrlReloadDone done) { endpoint_.reload_crl(std::move(done)); }

std::error_code GatewayDaemon::start() {
  sweep();  // timers are data: deadlines that passed while stopped end now
  if (auto error = endpoint_.start()) return error;
  running_ = true;
  sender_.start();
  schedule_sweep();
  return {};
}

void GatewayDaemon::on_message(const InboundMessage& message, PendingReply reply) {
  if (!message.signer_verified) {
    reply.send(Reply{403, "Payment messages to the gateway must be signed", {}});
    return;
  }
  std::optional<InFlightLimit::Ticket> ticket = in_flight_.try_enter();
  if (!ticket) {
    reject_busy(message, std::move(reply));
    return;
  }
  asio::post(workers_, [this, message, reply = std::move(reply), ticket = std::move(*ticket)]() mutable {
    reply.send(process(message));
  });
}

void GatewayDaemon::reject_busy(const InboundMessage& message, PendingReply reply) {
  // At most one warning a second, so that an overload does not flood the log.
  // NOTE: only InFlightLimit's unit tests run this bound; no daemon test fills the workers.
  ++rejected_busy_;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_busy_log_ >= std::chrono::seconds(1)) {
    spdlog::warn("gateway: {} message(s) rejected with 503, the latest {} from {}: the limit of {} messages in "
                 "flight (worker_threads + max_waiting_messages) is reached; raise max_waiting_messages if this "
                 "is not an overload",
                 rejected_busy_, message.call_id, message.sender_uri, in_flight_.limit());
    last_busy_log_ = now;
    rejected_busy_ = 0;
  }
  reply.send(Reply{503, "The gateway is busy; retry later", {{"Retry-After", "1"}}});
}

Reply GatewayDaemon::process(const InboundMessage& message) {
  payment::Handled handled;
  try {
    handled = processor_.handle(message.sender_uri, message.content);
  } catch (const std::exception& error) {
    // Nothing was committed, so the sender's retry is safe.
    spdlog::error("gateway: message {} from {} not processed: {}", message.call_id, message.sender_uri,
                  error.what());
    return Reply{500, "The gateway could not record the message; retry later", {}};
  }
  // Logs one line per message so that operators and the demo's ladder show
  // each step. The line contains ids and the SIP status, never payment details.
  spdlog::info("gateway: message {} from {} answered {} {}", message.call_id, message.sender_uri,
               handled.sip_status, handled.reason);
  if (!handled.actions.empty()) {
    post_to_io([this] {
      if (running_) sender_.kick();
    });
  }
  return Reply{handled.sip_status, handled.reason, handled.headers};
}

void GatewayDaemon::post_to_io(std::function<void()> work) {
  asio::post(io_, [alive = std::weak_ptr<GatewayDaemon*>(lifetime_), work = std::move(work)] {
    if (alive.lock()) work();
  });
}

std::size_t GatewayDaemon::sweep() {
  try {
    const std::size_t expired = processor_.expire_due();
    if (expired > 0) spdlog::info("gateway: {} pending transaction(s) expired and voided", expired);
    return expired;
  } catch (const std::exception& error) {
    spdlog::error("gateway: expiry sweep failed, retrying at the next interval: {}", error.what());
    return 0;
  }
}

void GatewayDaemon::schedule_sweep() {
  sweep_timer_.expires_after(settings_.sweep_interval);
  sweep_timer_.async_wait([this](std::error_code error) {
    if (error || !running_) return;
    // The next sweep is scheduled when this one is done, so sweeps never overlap.
    asio::post(workers_, [this] {
      const std::size_t expired = sweep();
      post_to_io([this, expired] {
        if (!running_) return;
        if (expired > 0) sender_.kick();
        schedule_sweep();
      });
    });
  });
}

void GatewayDaemon::shutdown(std::chrono::milliseconds limit, std::function<void()> done) {
  running_ = false;
  sweep_timer_.cancel();
  sender_.stop();
  endpoint_.shutdown(limit, [this, done = std::move(done)] {
    // Shows operators how well the worker threads' commits were grouped.
    if (const auto* sqlite = dynamic_cast<const ledger::SqliteLedger*>(ledger_.get())) {
      const ledger::GroupCommitStats stats = sqlite->stats();
      spdlog::info("gateway: stopped; the ledger ran {} transactions in {} commits", stats.works, stats.commits);
    }
    if (done) done();
  });
}

}  // namespace sippay::roles::gateway
