#include "roles/endpoint/outbox.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace sippay::roles {

std::chrono::milliseconds outbox_backoff(const OutboxPolicy& policy, int attempts) {
  std::chrono::milliseconds wait = policy.first_retry;
  for (int i = 1; i < attempts && wait < policy.max_retry; ++i) wait *= 2;
  return std::min(wait, policy.max_retry);
}

OutboxSender::OutboxSender(asio::io_context& io, PaymentEndpoint& endpoint, OutboxStore& store, OutboxPolicy policy)
    : io_(io), endpoint_(endpoint), store_(store), policy_(policy), timer_(io) {}

OutboxSender::~OutboxSender() { *alive_ = false; }

void OutboxSender::start() {
  running_ = true;
  poll();
}

void OutboxSender::kick() {
  if (running_) poll();
}

void OutboxSender::stop() {
  running_ = false;
  timer_.cancel();
}

void OutboxSender::schedule() {
  timer_.expires_after(policy_.poll_interval);
  timer_.async_wait([this, alive = alive_](std::error_code error) {
    if (!error && *alive && running_) poll();
  });
}

void OutboxSender::poll() {
  const std::size_t room = policy_.max_in_flight - std::min(policy_.max_in_flight, in_flight_.size());
  std::vector<OutboxEntry> entries;
  if (room > 0) {
    try {
      entries = store_.due(std::chrono::system_clock::now(), std::min(room, policy_.batch) + in_flight_.size());
    } catch (const std::exception& error) {
      spdlog::error("outbox: cannot read due entries: {}", error.what());
    }
  }
  for (OutboxEntry& entry : entries) {
    if (in_flight_.size() >= policy_.max_in_flight) break;
    if (!in_flight_.insert(entry.id).second) continue;  // already on its way
    const std::int64_t id = entry.id;
    const int attempts = entry.attempts + 1;
    const std::string to_uri = entry.to_uri;
    endpoint_.send(std::move(entry.to_uri), std::move(entry.content), {},
                   [this, alive = alive_, id, attempts, to_uri](const SendResult& result) {
                     if (!*alive) return;
                     in_flight_.erase(id);
                     try {
                       if (result.succeeded()) {
                         store_.mark_delivered(id);
                         spdlog::debug("outbox: entry {} delivered to {}", id, to_uri);
                         return;
                       }
                       const auto wait = outbox_backoff(policy_, attempts);
                       store_.reschedule(id, std::chrono::system_clock::now() + wait);
                       spdlog::info("outbox: entry {} to {} not delivered ({}), attempt {}; next in {} ms", id,
                                    to_uri, result.summary(), attempts, wait.count());
                     } catch (const std::exception& error) {
                       spdlog::error("outbox: cannot record the outcome of entry {}: {}", id, error.what());
                     }
                   });
  }
  if (running_) schedule();
}

}  // namespace sippay::roles
