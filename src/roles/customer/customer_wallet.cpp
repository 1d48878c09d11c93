#include "roles/customer/customer_wallet.hpp"

#include <asio/post.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "payment/auth_scheme.hpp"
#include "payment/message_codec.hpp"
#include "payment/reason_code.hpp"
#include "sip/charset.hpp"

namespace sippay::roles {
namespace {

std::optional<std::string> find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (sip::charset::iequals(key, name)) return value;
  }
  return std::nullopt;
}

// The SipPay challenge among the WWW-Authenticate fields of a 401.
std::optional<payment::MerchantChallenge> sippay_challenge(const HeaderList& headers) {
  for (const auto& [key, value] : headers) {
    if (!sip::charset::iequals(key, "WWW-Authenticate")) continue;
    auto challenge = payment::parse_challenge(value);
    if (challenge) return challenge.value();
  }
  return std::nullopt;
}

Reply reply_of(const payment::Handled& handled) { return Reply{handled.sip_status, handled.reason, handled.headers}; }

}  // namespace

std::string describe_failure(const payment::FailureNotice& notice) {
  std::string text(payment::reason_info(notice.reason).customer_text);
  if (notice.detail) text += fmt::format(" ({})", *notice.detail);
  return text;
}

CustomerWallet::CustomerWallet(PaymentEndpoint& endpoint, payment::WalletStore& store,
                               payment::WalletServices& services, payment::IdSource& ids,
                               payment::WalletConfig config)
    : endpoint_(endpoint),
      machine_(store, services, ids, config),
      ids_(ids),
      config_(std::move(config)),
      timer_(endpoint.io()),
      resend_timer_(endpoint.io()) {}

void CustomerWallet::buy(const payment::Offer& offer, std::string_view pin, Confirm confirm,
                         std::chrono::seconds timeout, std::function<void(const PurchaseOutcome&)> done) {
  confirm_ = std::move(confirm);
  done_ = std::move(done);
  payment::WalletStep step;
  purchase_id_ = machine_.begin(offer, pin, payment::utc_now(), step);
  spdlog::info("customer: purchase {} of {} from {}", purchase_id_, offer.item_id, offer.merchant);
  timer_.expires_after(timeout);
  timer_.async_wait([this](std::error_code error) {
    if (error) return;
    finish({PurchaseOutcome::Kind::kTimeout, purchase_id_, std::nullopt, std::nullopt,
            "no outcome arrived in time; if the payment went through, the gateway sends the receipt later and "
            "`sippay customer history` shows it"});
  });
  apply(step);
}

void CustomerWallet::finish(PurchaseOutcome outcome) {
  if (!done_) return;
  timer_.cancel();
  resend_timer_.cancel();
  auto done = std::move(done_);
  done_ = nullptr;
  done(outcome);
}

void CustomerWallet::apply(const payment::WalletStep& step) {
  for (const payment::Action& action : step.handled.actions) {
    if (const auto* message = std::get_if<payment::SendMessage>(&action)) send(*message);
  }
  if (step.ask_user) {
    // Asked after the SIP answer to the confirmation request went out.
    asio::post(endpoint_.io(), [this, request = *step.ask_user] {
      const payment::Decision decision = confirm_ ? confirm_(request) : payment::Decision::kDecline;
      apply(machine_.on_user_decision(request.purchase_id, decision, payment::utc_now()));
    });
  }
  if (step.receipt) {
    finish({PurchaseOutcome::Kind::kSettled, step.receipt->purchase_id, step.receipt, std::nullopt, {}});
  }
  if (step.failure) {
    finish({PurchaseOutcome::Kind::kRefused, step.failure->purchase_id, std::nullopt, step.failure, {}});
  }
  if (step.handled.sip_status >= 300 && step.handled.actions.empty() && !step.ask_user) {
    finish({PurchaseOutcome::Kind::kRefused, purchase_id_, std::nullopt, std::nullopt, step.handled.reason});
  }
}

void CustomerWallet::send(const payment::SendMessage& message) {
  if (message.type == payment::MessageType::kPurchase) {
    purchase_message_ = message;
    purchase_resends_ = 0;
    send_purchase();
    return;
  }
  // The confirmation ack: resent a few times on failure; the gateway
  // resends its confirmation request too, which brings the same ack again.
  // The function holds only a weak_ptr to itself, because a shared_ptr
  // would make a cycle that is never freed. The pending send and the retry
  // timer hold the strong references while an attempt is under way.
  auto attempt = std::make_shared<std::function<void(int)>>();
  std::weak_ptr<std::function<void(int)>> weak_attempt = attempt;
  *attempt = [this, message, weak_attempt](int tries) {
    auto attempt = weak_attempt.lock();
    endpoint_.send(message.to, message.bytes, message.headers, [this, attempt, tries](const SendResult& result) {
      if (result.succeeded()) return;
      spdlog::warn("customer: the confirmation ack was not accepted: {}", result.summary());
      if (tries >= 3 || !done_) return;
      auto timer = std::make_shared<asio::steady_timer>(endpoint_.io(), std::chrono::seconds(tries));
      timer->async_wait([attempt, tries, timer](std::error_code error) {
        if (!error) (*attempt)(tries + 1);
      });
    });
  };
  (*attempt)(1);
}

void CustomerWallet::send_purchase() {
  // The merchant's response can arrive after the gateway's receipt has
  // ended the purchase and the next purchase has begun. It must not be
  // taken as the response to the next purchase's request.
  auto answer = [this, purchase_id = purchase_id_](const SendResult& result) {
    if (purchase_id != purchase_id_) {
      spdlog::debug("customer: ignored the late response {} to the ended purchase {}", result.summary(), purchase_id);
      return;
    }
    on_purchase_answer(result);
  };
  if (purchase_message_.bytes.empty()) {
    endpoint_.send_empty(purchase_message_.to, purchase_message_.headers, answer);
  } else {
    endpoint_.send_unsigned(purchase_message_.to, purchase_message_.bytes,
                            purchase_message_.headers, answer);
  }
}

void CustomerWallet::on_purchase_answer(const SendResult& result) {
  if (!done_) return;
  // No final response, a timeout, an unreachable or failed next hop: the
  // merchant may have committed the purchase before it failed to respond, so
  // the same bytes go again, which it treats as a retransmission.
  const bool fate_open = result.status == 0 || result.status == 408 || result.status == 480 ||
                         result.status == 500 || result.status == 503;
  if (fate_open && purchase_resends_ < kMaxPurchaseResends) {
    const auto delay = std::chrono::seconds(1 << purchase_resends_);
    ++purchase_resends_;
    spdlog::warn("customer: purchase {}: the merchant responded {}; resending in {} s ({} of {})",
                 purchase_id_, result.summary(), delay.count(), purchase_resends_,
                 kMaxPurchaseResends);
    resend_timer_.expires_after(delay);
    resend_timer_.async_wait([this, purchase_id = purchase_id_](std::error_code error) {
      if (!error && done_ && purchase_id == purchase_id_) send_purchase();
    });
    return;
  }
  if (result.status == 401) {
    auto challenge = sippay_challenge(result.headers);
    if (!challenge) {
      finish({PurchaseOutcome::Kind::kError, purchase_id_, std::nullopt, std::nullopt,
              "the merchant answered 401 without a SipPay challenge; is it a sippay merchant?"});
      return;
    }
    apply(machine_.on_challenge(purchase_id_, *challenge, payment::utc_now()));
    return;
  }
  if (result.succeeded()) {
    std::optional<std::string> next_nonce;
    if (auto info = find_header(result.headers, "Authentication-Info")) {
      if (auto parsed = payment::parse_next_nonce(*info)) next_nonce = parsed.value();
    }
    apply(machine_.on_purchase_accepted(purchase_id_, next_nonce));
    return;
  }
  if (fate_open) {
    finish({PurchaseOutcome::Kind::kTimeout, purchase_id_, std::nullopt, std::nullopt,
            fmt::format("the merchant could not be reached: {} (resent {} times)", result.summary(),
                        purchase_resends_)});
    return;
  }
  finish({PurchaseOutcome::Kind::kRefused, purchase_id_, std::nullopt, std::nullopt,
          fmt::format("the merchant refused the purchase: {}", result.summary())});
}

Reply CustomerWallet::handle(const InboundMessage& message) {
  if (!message.signer_verified) return Reply{400, "Body Required", {}};
  auto decoded = payment::decode_any(message.content);
  if (!decoded) return Reply{400, decoded.error().to_string(), {}};
  const payment::UtcTime now = payment::utc_now();
  payment::WalletStep step;
  if (const auto* request = std::get_if<payment::ConfirmationRequest>(&decoded.value())) {
    step = machine_.on_confirmation_request(message.sender_uri, message.content, *request, now);
  } else if (const auto* receipt = std::get_if<payment::Receipt>(&decoded.value())) {
    step = machine_.on_receipt(message.sender_uri, *receipt);
  } else if (const auto* notice = std::get_if<payment::FailureNotice>(&decoded.value())) {
    step = machine_.on_failure_notice(message.sender_uri, *notice);
  } else if (const auto* answer = std::get_if<payment::HistoryAnswer>(&decoded.value())) {
    if (message.sender_uri != config_.gateway) return Reply{403, "history answers come only from the gateway", {}};
    if (history_done_ && answer->in_reply_to == history_id_) {
      timer_.cancel();
      auto done = std::move(history_done_);
      history_done_ = nullptr;
      asio::post(endpoint_.io(), [done, answer = *answer] { done({answer, {}}); });
    }
    return Reply{};
  } else {
    return Reply{403, "a customer does not accept this message type", {}};
  }
  // The machine has committed its store, so the SIP response goes out first, then the steps run.
  asio::post(endpoint_.io(), [this, step] { apply(step); });
  return reply_of(step.handled);
}

void CustomerWallet::history(const std::optional<std::string>& cursor, std::int64_t limit,
                             std::chrono::seconds timeout, std::function<void(const HistoryOutcome&)> done) {
  payment::HistoryInquiry inquiry;
  inquiry.message_id = ids_.new_id();
  inquiry.cursor = cursor;
  inquiry.limit = limit;
  inquiry.timestamp = payment::utc_now();
  history_id_ = inquiry.message_id;
  history_done_ = std::move(done);
  timer_.expires_after(timeout);
  timer_.async_wait([this](std::error_code error) {
    if (error || !history_done_) return;
    auto done = std::move(history_done_);
    history_done_ = nullptr;
    done({std::nullopt, "the gateway sent no history answer in time"});
  });
  endpoint_.send(config_.gateway, payment::encode(inquiry), {}, [this](const SendResult& result) {
    if (result.succeeded() || !history_done_) return;
    timer_.cancel();
    auto done = std::move(history_done_);
    history_done_ = nullptr;
    done({std::nullopt, fmt::format("the gateway did not take the history inquiry: {}", result.summary())});
  });
}

}  // namespace sippay::roles
