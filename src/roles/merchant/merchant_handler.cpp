#include "roles/merchant/merchant_handler.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <type_traits>
#include <variant>

#include "payment/message_codec.hpp"
#include "payment/protocol_names.hpp"
#include "payment/reason_code.hpp"
#include "roles/endpoint/failpoint.hpp"

namespace sippay::roles::merchant {
namespace {

payment::Handled error(int status, std::string reason) {
  payment::Handled handled;
  handled.sip_status = status;
  handled.reason = std::move(reason);
  return handled;
}

// The failpoint after the commit of a message: "merchant-after-commit-" and
// the message type, or "challenge" for a MESSAGE without body.
std::string failpoint_name(std::string_view content) {
  if (content.empty()) return "merchant-after-commit-challenge";
  auto message = payment::decode_any(content);
  if (!message) return "merchant-after-commit-undecodable";
  const auto type =
      std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kType; }, *message);
  return fmt::format("merchant-after-commit-{}", payment::to_string(type));
}

// ": purchase P refused: REASON" for a failure notice, else empty.
std::string failure_reason_text(const payment::SendMessage& send) {
  if (send.type != payment::MessageType::kFailureNotice) return {};
  auto notice = payment::decode<payment::FailureNotice>(send.bytes);
  if (!notice) return {};
  return fmt::format(": purchase {} refused: {}", notice.value().purchase_id,
                     payment::to_string(notice.value().reason));
}

}  // namespace

MerchantHandler::MerchantHandler(SqliteMerchantStore& store, MerchantServicesImpl& services,
                                 payment::IdSource& ids, payment::MerchantConfig config)
    : store_(store),
      services_(services),
      config_(config),
      machine_(store, services, ids, std::move(config)) {}

MerchantReply MerchantHandler::handle(const MerchantRequest& request,
                                      std::chrono::system_clock::time_point now) {
  const payment::UtcTime time = std::chrono::floor<std::chrono::seconds>(now);
  services_.begin_request(request.sender_uri, now);
  const std::size_t queued_before = queued_;
  try {
    Transaction transaction(store_.database());
    payment::Handled handled = dispatch(request, time);
    apply(handled.actions, time);
    transaction.commit();
    if (failpoint_armed()) reach_failpoint(failpoint_name(request.content));
    return MerchantReply{handled.sip_status, std::move(handled.reason), std::move(handled.headers)};
  } catch (const std::exception& failure) {
    // The transaction rolled back: nothing of this message was recorded, so
    // the sender retries from its outbox.
    queued_ = queued_before;
    spdlog::error("message from {} not recorded: {}", request.sender_uri, failure.what());
    return MerchantReply{500, "Server Internal Error: the merchant store failed; retry later", {}};
  }
}

payment::Handled MerchantHandler::dispatch(const MerchantRequest& request, payment::UtcTime now) {
  // A MESSAGE without body asks for a challenge.
  if (request.content.empty()) return machine_.on_purchase(std::nullopt, std::nullopt, now);

  auto message = payment::decode_any(request.content);
  if (!message) return error(400, message.error().to_string());
  if (!request.signer_verified && !std::holds_alternative<payment::Purchase>(*message)) {
    return error(403, "only a purchase may come without a signature around it");
  }

  // Keeps a gateway outcome the machine accepted, as received.
  const auto keep_if_accepted = [&](payment::Handled handled, const auto& outcome,
                                    const std::string& order_ref) {
    if (handled.sip_status == 200) {
      store_.keep_outcome(outcome.message_id, outcome.kType, order_ref, outcome.transaction_id,
                          request.content, now);
    }
    return handled;
  };

  return std::visit(
      [&](const auto& decoded) -> payment::Handled {
        using T = std::decay_t<decltype(decoded)>;
        if constexpr (std::is_same_v<T, payment::Purchase>) {
          if (!request.authorization) {
            return machine_.on_purchase(std::nullopt, std::nullopt, now);
          }
          auto credentials = payment::parse_credentials(*request.authorization);
          if (!credentials) return error(400, "Authorization: " + credentials.error().to_string());
          return machine_.on_purchase(*credentials, decoded, now);
        } else if constexpr (std::is_same_v<T, payment::Receipt>) {
          return keep_if_accepted(machine_.on_receipt(request.sender_uri, decoded), decoded,
                                  decoded.merchant_order_ref);
        } else if constexpr (std::is_same_v<T, payment::FailureNotice>) {
          return keep_if_accepted(machine_.on_failure_notice(request.sender_uri, decoded),
                                  decoded, decoded.merchant_order_ref.value_or(""));
        } else if constexpr (std::is_same_v<T, payment::AbortAnswer>) {
          return keep_if_accepted(machine_.on_abort_answer(request.sender_uri, decoded), decoded,
                                  decoded.merchant_order_ref);
        } else {
          return error(403, fmt::format("a merchant does not accept {} messages",
                                        payment::to_string(T::kType)));
        }
      },
      *message);
}

void MerchantHandler::apply(const std::vector<payment::Action>& actions, payment::UtcTime now) {
  for (const payment::Action& action : actions) {
    if (const auto* send = std::get_if<payment::SendMessage>(&action)) {
      const std::int64_t id = store_.enqueue(*send, now);
      ++queued_;
      spdlog::info("queued {} for {} (outbox {}){}", payment::to_string(send->type), send->to, id,
                   failure_reason_text(*send));
    } else if (const auto* release = std::get_if<payment::ReleaseStock>(&action)) {
      if (store_.release(release->merchant_order_ref)) {
        spdlog::info("order {}: stock released", release->merchant_order_ref);
      }
    } else if (const auto* deliver = std::get_if<payment::DeliverOrder>(&action)) {
      if (store_.deliver(deliver->merchant_order_ref)) {
        spdlog::info("order {}: paid; deliver the goods", deliver->merchant_order_ref);
      }
    }
  }
}

std::size_t MerchantHandler::sweep(std::chrono::system_clock::time_point now) {
  const payment::UtcTime time = std::chrono::floor<std::chrono::seconds>(now);
  Transaction transaction(store_.database());
  const std::vector<payment::Action> actions = machine_.request_due_aborts(time);
  apply(actions, time);
  const std::int64_t deleted = store_.delete_expired_nonces(time);
  transaction.commit();
  if (!actions.empty() || deleted > 0) {
    spdlog::info("sweep: {} abort requests queued, {} expired nonces deleted", actions.size(),
                 deleted);
  }
  return actions.size();
}

std::size_t MerchantHandler::take_queued_count() {
  return std::exchange(queued_, 0);
}

}  // namespace sippay::roles::merchant
