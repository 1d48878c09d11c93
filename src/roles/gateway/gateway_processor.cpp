#include "roles/gateway/gateway_processor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <type_traits>
#include <variant>

#include "payment/field_rules.hpp"
#include "payment/message_codec.hpp"
#include "payment/protocol_names.hpp"
#include "payment/reason_code.hpp"
#include "roles/endpoint/failpoint.hpp"
#include "roles/gateway/gateway_outbox.hpp"
#include "roles/gateway/gateway_schema.hpp"
#include "roles/gateway/sql_gateway_store.hpp"

namespace sippay::roles::gateway {
namespace {

using payment::Handled;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

payment::UtcTime protocol_time(ledger::TimePoint now) {
  return std::chrono::floor<std::chrono::seconds>(now);
}

// Applies the machine's actions inside the same transaction.
void apply(ledger::LedgerTransaction& tx, SqlGatewayStore& store,
           const std::vector<payment::Action>& actions) {
  for (const payment::Action& action : actions) {
    std::visit(Overloaded{
                   [&](const payment::SendMessage& send) {
                     enqueue_outbox(tx, send.to, payment::to_string(send.type), send.bytes);
                   },
                   [&](const payment::PostTransfer& post) { tx.post(post.transaction_id); },
                   [&](const payment::VoidTransfer& void_transfer) {
                     const auto record = store.find_by_id(void_transfer.transaction_id);
                     const std::string reason =
                         record ? std::string(payment::to_string(record->state)) : "voided";
                     tx.void_transfer(void_transfer.transaction_id, reason);
                   },
                   [](const payment::ReleaseStock&) {},
                   [](const payment::DeliverOrder&) {},
               },
               action);
  }
}

Handled error(int status, std::string reason) { return {status, std::move(reason), {}, {}}; }

// Logs each failure notice a committed message queued, with its reason,
// because the SIP response to a refused request is 200 and does not show it.
void log_failure_notices(const std::vector<payment::Action>& actions) {
  for (const payment::Action& action : actions) {
    const auto* send = std::get_if<payment::SendMessage>(&action);
    if (send == nullptr || send->type != payment::MessageType::kFailureNotice) continue;
    auto notice = payment::decode<payment::FailureNotice>(send->bytes);
    if (!notice) continue;
    spdlog::info("gateway: purchase {} refused: {}; failure notice queued for {}",
                 notice.value().purchase_id, payment::to_string(notice.value().reason), send->to);
  }
}

}  // namespace

GatewayProcessor::GatewayProcessor(ledger::Ledger& ledger, const GatewayKeys& keys,
                                   GatewayPolicy policy, payment::IdSource& ids, Clock clock)
    : ledger_(ledger), keys_(keys), policy_(policy), ids_(ids), clock_(std::move(clock)) {
  if (!clock_) {
    clock_ = [] { return std::chrono::time_point_cast<ledger::TimePoint::duration>(std::chrono::system_clock::now()); };
  }
  ledger_.transact([](ledger::LedgerTransaction& tx) { ensure_gateway_schema(tx); });
}

Handled GatewayProcessor::handle(std::string_view signer, std::string_view content) {
  auto message = payment::decode_any(content);
  if (!message) return error(400, "payment message: " + message.error().to_string());
  // The CMS work of a payment request runs here, outside the transaction,
  // so that other messages can commit meanwhile.
  std::optional<PaymentCrypto> precomputed;
  if (const auto* request = std::get_if<payment::PaymentRequest>(&*message)) {
    const ledger::TimePoint now = clock_();
    precomputed = precompute_payment_crypto(keys_, request->payment_envelope,
                                            std::chrono::system_clock::time_point(now.time_since_epoch()));
  }
  Handled committed = ledger_.transact([&](ledger::LedgerTransaction& tx) {
    const payment::UtcTime now = protocol_time(tx.now());
    SqlGatewayStore store(tx);
    LedgerGatewayServices services(tx, keys_, policy_.pin, precomputed ? &*precomputed : nullptr);
    payment::GatewayMachine machine(store, services, ids_, policy_.machine);
    Handled handled = std::visit(
        Overloaded{
            [&](const payment::PaymentRequest& m) { return machine.on_payment_request(signer, m, now); },
            [&](const payment::ConfirmationAck& m) { return machine.on_confirmation_ack(signer, m, now); },
            [&](const payment::AbortRequest& m) { return machine.on_abort_request(signer, m, now); },
            [&](const payment::StateInquiry& m) { return machine.on_state_inquiry(signer, m, now); },
            [&](const payment::HistoryInquiry& m) { return answer_history(signer, m, tx, now); },
            [](const auto& m) {
              return error(415, std::string("the gateway does not receive ") +
                                    std::string(payment::to_string(std::decay_t<decltype(m)>::kType)));
            },
        },
        *message);
    apply(tx, store, handled.actions);
    return handled;
  });
  log_failure_notices(committed.actions);
  if (failpoint_armed()) {
    const auto type =
        std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kType; }, *message);
    reach_failpoint(fmt::format("gateway-after-commit-{}", payment::to_string(type)));
  }
  return committed;
}

std::size_t GatewayProcessor::expire_due() {
  return ledger_.transact([&](ledger::LedgerTransaction& tx) {
    SqlGatewayStore store(tx);
    LedgerGatewayServices services(tx, keys_, policy_.pin);
    payment::GatewayMachine machine(store, services, ids_, policy_.machine);
    const auto due = store.pending_due(protocol_time(tx.now())).size();
    apply(tx, store, machine.expire_due(protocol_time(tx.now())));
    return due;
  });
}

Handled GatewayProcessor::answer_history(std::string_view signer,
                                         const payment::HistoryInquiry& inquiry,
                                         ledger::LedgerTransaction& tx, payment::UtcTime now) {
  std::optional<std::int64_t> before;
  if (inquiry.cursor) {
    std::int64_t value = 0;
    const auto& text = *inquiry.cursor;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
      return error(400, "cursor is not one this gateway handed out");
    }
    before = value;
  }
  const auto limit = std::clamp<std::int64_t>(inquiry.limit, 1, payment::kMaxHistoryEntries);
  SqlGatewayStore store(tx);
  // One more than asked, to learn whether another page exists.
  auto rows = store.history(signer, before, static_cast<std::size_t>(limit) + 1);

  payment::HistoryAnswer answer;
  answer.message_id = ids_.new_id();
  answer.in_reply_to = inquiry.message_id;
  answer.timestamp = now;
  const bool more = rows.size() > static_cast<std::size_t>(limit);
  if (more) rows.pop_back();
  for (const auto& [seq, record] : rows) {
    answer.entries.push_back({record.transaction_id, record.purchase_id, record.merchant_order_ref,
                              record.merchant, record.amount, record.currency, record.state,
                              record.created_at, record.updated_at});
  }
  if (more) answer.next_cursor = std::to_string(rows.back().first);

  Handled handled;
  handled.actions.push_back(payment::SendMessage{std::string(signer),
                                                 payment::MessageType::kHistoryAnswer,
                                                 payment::encode(answer)});
  return handled;
}

}  // namespace sippay::roles::gateway
