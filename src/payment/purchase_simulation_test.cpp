// Drives wallet, merchant and gateway machines together through a network
// that reorders and duplicates every message, with the clock jumping past
// deadlines and requests held back past them, and checks after each run that money and stock are conserved,
// nothing settles twice or without the customer's accept, and every party
// learns how the purchase ended.
#include <gtest/gtest.h>

#include <random>

#include "payment/payment_test_support.hpp"
#include "payment/role_test_support.hpp"

namespace sippay::payment {
namespace {

using namespace testing;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::int64_t kStartBalance = 10'000;
constexpr std::int64_t kStartStock = 5;

struct InFlight {
  std::string from;
  SendMessage message;
};

class Simulation {
 public:
  explicit Simulation(unsigned seed) : random_(seed) {}

  void run() {
    WalletStep step;
    const Offer offer{kMerchant, "coffee-beans", 2, 1250, "EUR"};
    purchase_id_ = wallet_.begin(offer, "1234", now_, step);
    queue(kCustomer, step.handled.actions);
    // Sometimes the merchant's requests reach the gateway only after the
    // reservation deadline, so that the abort overtakes them.
    if (chance(0.3)) hold_requests_until_ = now_ + minutes(7);

    for (int i = 0; i < 400 && !network_.empty(); ++i) {
      if (chance(0.05)) jump_clock(minutes(1 + random_() % 4));
      deliver_one();
    }
    // Whatever is still undecided ends through the deadlines.
    for (int round = 0; round < 4; ++round) {
      jump_clock(minutes(6));
      while (!network_.empty()) deliver_one();
    }
  }

  void check() {
    const auto merchant = merchant_store_.find_by_purchase(purchase_id_);
    const auto wallet = wallet_store_.find(purchase_id_);
    ASSERT_TRUE(wallet);
    ASSERT_LE(posts_, 1);
    const std::int64_t customer = gateway_services_.balances.at("alice");
    const std::int64_t stock = merchant_services_.stock.at("coffee-beans");
    if (posts_ == 1) {
      EXPECT_TRUE(accepted_) << "posted without the customer's accept";
      EXPECT_EQ(customer, kStartBalance - 2500);
      EXPECT_EQ(merchant_balance_, 2500);
      EXPECT_EQ(delivered_, 1);
      EXPECT_EQ(released_, 0);
      EXPECT_EQ(stock, kStartStock - 2);
      EXPECT_EQ(wallet->state, WalletState::kSettled);
    } else {
      EXPECT_EQ(customer, kStartBalance) << "funds held or lost";
      EXPECT_EQ(merchant_balance_, 0);
      EXPECT_EQ(delivered_, 0);
      EXPECT_EQ(wallet->state, WalletState::kFailed);
      if (merchant && merchant->merchant_order_ref) {
        EXPECT_EQ(released_, 1);
        EXPECT_EQ(merchant->state, MerchantState::kReleased);
      }
      EXPECT_EQ(stock, kStartStock) << "stock held or lost";
    }
    EXPECT_TRUE(gateway_services_.reservations.size() <= 1);
  }

 private:
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(random_) < p; }

  void jump_clock(std::chrono::seconds by) {
    now_ += by;
    queue(kGateway, gateway_.expire_due(now_));
    queue(kMerchant, merchant_.request_due_aborts(now_));
  }

  void queue(const std::string& from, const std::vector<Action>& actions) {
    for (const Action& action : actions) {
      if (const auto* message = std::get_if<SendMessage>(&action)) {
        network_.push_back({from, *message});
      } else if (const auto* post = std::get_if<PostTransfer>(&action)) {
        ++posts_;
        merchant_balance_ += gateway_services_.reservations.at(post->transaction_id);
      } else if (const auto* cancel = std::get_if<VoidTransfer>(&action)) {
        gateway_services_.balances["alice"] +=
            gateway_services_.reservations.at(cancel->transaction_id);
      } else if (const auto* release = std::get_if<ReleaseStock>(&action)) {
        ++released_;
        merchant_services_.stock["coffee-beans"] +=
            merchant_services_.reserved.at(release->merchant_order_ref);
      } else if (std::holds_alternative<DeliverOrder>(action)) {
        ++delivered_;
      }
    }
  }

  // Delivers a random in-flight message, keeping a copy now and then: a
  // retransmission after a lost response.
  void deliver_one() {
    std::vector<std::size_t> deliverable;
    for (std::size_t i = 0; i < network_.size(); ++i) {
      const bool held = network_[i].message.type == MessageType::kPaymentRequest &&
                        now_ < hold_requests_until_;
      if (!held) deliverable.push_back(i);
    }
    if (deliverable.empty()) return jump_clock(minutes(1));
    const std::size_t index = deliverable[random_() % deliverable.size()];
    const InFlight item = network_[index];
    if (!chance(0.3)) network_.erase(network_.begin() + static_cast<std::ptrdiff_t>(index));
    if (item.message.to == kMerchant) return to_merchant(item);
    if (item.message.to == kGateway) return to_gateway(item);
    to_customer(item);
  }

  void to_merchant(const InFlight& item) {
    const SendMessage& message = item.message;
    if (message.type != MessageType::kPurchase) {
      Handled handled;
      if (message.type == MessageType::kReceipt) {
        handled = merchant_.on_receipt(item.from, *decode<Receipt>(message.bytes));
      } else if (message.type == MessageType::kFailureNotice) {
        handled = merchant_.on_failure_notice(item.from, *decode<FailureNotice>(message.bytes));
      } else {
        handled = merchant_.on_abort_answer(item.from, *decode<AbortAnswer>(message.bytes));
      }
      EXPECT_EQ(handled.sip_status, 200) << handled.reason;
      return queue(kMerchant, handled.actions);
    }
    std::optional<PurchaseCredentials> credentials;
    std::optional<Purchase> purchase;
    if (!message.headers.empty()) credentials = *parse_credentials(message.headers[0].second);
    if (!message.bytes.empty()) purchase = *decode<Purchase>(message.bytes);
    const Handled handled = merchant_.on_purchase(credentials, purchase, now_);
    queue(kMerchant, handled.actions);
    if (handled.sip_status == 401) {
      const auto challenge = parse_challenge(handled.headers[0].second);
      queue(kCustomer, wallet_.on_challenge(purchase_id_, *challenge, now_).handled.actions);
    } else if (handled.sip_status == 200) {
      std::optional<std::string> next;
      if (!handled.headers.empty()) next = *parse_next_nonce(handled.headers[0].second);
      wallet_.on_purchase_accepted(purchase_id_, next);
    } else {
      ADD_FAILURE() << handled.sip_status << " " << handled.reason;
    }
  }

  void to_gateway(const InFlight& item) {
    const SendMessage& message = item.message;
    Handled handled;
    if (message.type == MessageType::kPaymentRequest) {
      handled = gateway_.on_payment_request(item.from, *decode<PaymentRequest>(message.bytes), now_);
    } else if (message.type == MessageType::kConfirmationAck) {
      handled =
          gateway_.on_confirmation_ack(item.from, *decode<ConfirmationAck>(message.bytes), now_);
    } else {
      handled = gateway_.on_abort_request(item.from, *decode<AbortRequest>(message.bytes), now_);
    }
    EXPECT_EQ(handled.sip_status, 200) << handled.reason;
    queue(kGateway, handled.actions);
  }

  void to_customer(const InFlight& item) {
    const SendMessage& message = item.message;
    WalletStep step;
    if (message.type == MessageType::kConfirmationRequest) {
      step = wallet_.on_confirmation_request(item.from, message.bytes,
                                             *decode<ConfirmationRequest>(message.bytes), now_);
    } else if (message.type == MessageType::kReceipt) {
      step = wallet_.on_receipt(item.from, *decode<Receipt>(message.bytes));
    } else {
      step = wallet_.on_failure_notice(item.from, *decode<FailureNotice>(message.bytes));
    }
    EXPECT_EQ(step.handled.sip_status, 200) << step.handled.reason;
    queue(kCustomer, step.handled.actions);
    if (step.ask_user) {
      const Decision decision = chance(0.8) ? Decision::kAccept : Decision::kDecline;
      accepted_ = accepted_ || decision == Decision::kAccept;
      queue(kCustomer, wallet_.on_user_decision(purchase_id_, decision, now_).handled.actions);
    }
  }

  std::mt19937 random_;
  UtcTime now_ = sample_time();
  UtcTime hold_requests_until_{};
  std::vector<InFlight> network_;
  std::string purchase_id_;

  InMemoryWalletStore wallet_store_;
  FakeWalletServices wallet_services_{kCustomer};
  CountingIds wallet_ids_{"w"};
  WalletMachine wallet_{wallet_store_, wallet_services_, wallet_ids_,
                        WalletConfig{"alice", kGateway, 3}};

  InMemoryMerchantStore merchant_store_;
  FakeMerchantServices merchant_services_;
  CountingIds merchant_ids_{"m"};
  MerchantMachine merchant_{merchant_store_, merchant_services_, merchant_ids_,
                            MerchantConfig{kMerchant, kRealm, kGateway, minutes(5), minutes(5)}};

  InMemoryGatewayStore gateway_store_;
  FakeGatewayServices gateway_services_;
  CountingIds gateway_ids_{"g"};
  GatewayMachine gateway_{gateway_store_, gateway_services_, gateway_ids_,
                          GatewayConfig{minutes(2)}};

  int posts_ = 0;
  int delivered_ = 0;
  int released_ = 0;
  bool accepted_ = false;
  std::int64_t merchant_balance_ = 0;
};

TEST(PurchaseSimulation, ConservesUnderReorderAndDuplicates) {
  for (unsigned seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    Simulation simulation(seed);
    simulation.run();
    simulation.check();
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace sippay::payment
