#include "payment/merchant_machine.hpp"

#include <gtest/gtest.h>

#include "payment/payment_test_support.hpp"
#include "payment/role_test_support.hpp"

namespace sippay::payment {
namespace {

using namespace testing;
using std::chrono::minutes;
using std::chrono::seconds;


std::string header(const Handled& handled, std::string_view name) {
  for (const auto& [field, value] : handled.headers) {
    if (field == name) return value;
  }
  return {};
}

class MerchantMachineTest : public ::testing::Test {
 protected:
  // A purchase as the wallet builds it, carrying `nonce`.
  Purchase purchase_with(const std::string& nonce, Order order = sample_order()) {
    order.merchant_nonce = nonce;
    Purchase purchase = sample_purchase();
    purchase.order = encode(order);
    const std::string input =
        dual_signature_input(sha256(purchase.order), purchase.payment_information_hash);
    purchase.dual_signature = fake_signature(kCustomer, input);
    return purchase;
  }

  PurchaseCredentials credentials_for(const std::string& nonce) {
    return {kRealm, nonce, kPurchaseId};
  }

  // Runs the challenge round trip and the resubmission; returns the second
  // purchase's result.
  Handled buy(Order order = sample_order()) {
    const Handled first = machine_.on_purchase(std::nullopt, std::nullopt, sample_time());
    EXPECT_EQ(first.sip_status, 401);
    const auto challenge = parse_challenge(header(first, "WWW-Authenticate"));
    EXPECT_TRUE(challenge.ok());
    nonce_ = challenge.ok() ? challenge->nonce : "";
    return machine_.on_purchase(credentials_for(nonce_), purchase_with(nonce_, order),
                                sample_time());
  }

  std::string order_ref() {
    const auto record = store_.find_by_purchase(kPurchaseId);
    return record && record->merchant_order_ref ? *record->merchant_order_ref : "";
  }

  FailureNotice gateway_notice(ReasonCode reason) {
    FailureNotice notice = sample_gateway_notice();
    notice.merchant_order_ref = order_ref();
    notice.reason = reason;
    return notice;
  }

  ReasonCode refusal_of(const Handled& handled) {
    EXPECT_EQ(handled.sip_status, 200) << handled.reason;
    const auto sent = actions_of<SendMessage>(handled.actions);
    EXPECT_EQ(sent.size(), 1u);
    if (sent.empty()) return ReasonCode::kAborted;
    EXPECT_EQ(sent[0].to, kCustomer);
    const auto notice = decode<FailureNotice>(sent[0].bytes);
    EXPECT_TRUE(notice.ok());
    EXPECT_EQ(notice->issuer, Issuer::kMerchant);
    EXPECT_TRUE(notice->next_nonce);
    return notice.ok() ? notice->reason : ReasonCode::kAborted;
  }

  InMemoryMerchantStore store_;
  FakeMerchantServices services_;
  CountingIds ids_{"m"};
  MerchantMachine machine_{store_, services_, ids_,
                           MerchantConfig{kMerchant, kRealm, kGateway, minutes(5), minutes(5)}};
  std::string nonce_;
};

TEST_F(MerchantMachineTest, ChallengeThenForward) {
  const Handled handled = buy();
  EXPECT_EQ(handled.sip_status, 200) << handled.reason;
  EXPECT_TRUE(parse_next_nonce(header(handled, "Authentication-Info")).ok());
  const auto sent = actions_of<SendMessage>(handled.actions);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, kGateway);
  const auto request = decode<PaymentRequest>(sent[0].bytes);
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_EQ(request->order_hash, sha256(purchase_with(nonce_).order));
  EXPECT_EQ(request->amount, 2500);
  EXPECT_EQ(request->merchant_order_ref, order_ref());
  EXPECT_EQ(services_.stock["coffee-beans"], 3);
}

TEST_F(MerchantMachineTest, RetransmissionKeepsOneReservation) {
  buy();
  // The 200 was lost: the same purchase, the nonce already used.
  const Handled again =
      machine_.on_purchase(credentials_for(nonce_), purchase_with(nonce_), sample_time());
  EXPECT_EQ(again.sip_status, 200);
  EXPECT_TRUE(again.actions.empty());
  EXPECT_EQ(services_.reserved.size(), 1u);
  EXPECT_EQ(services_.stock["coffee-beans"], 3);
}

TEST_F(MerchantMachineTest, ReplayedNonceIsChallenged) {
  buy();
  Order other = sample_order();
  other.purchase_id = "pid-replay-000000001";
  Purchase replay = purchase_with(nonce_, other);
  replay.purchase_id = other.purchase_id;
  const Handled handled = machine_.on_purchase(
      PurchaseCredentials{kRealm, nonce_, other.purchase_id}, replay, sample_time());
  EXPECT_EQ(handled.sip_status, 401);
  EXPECT_TRUE(parse_challenge(header(handled, "WWW-Authenticate")).ok());
  EXPECT_EQ(services_.reserved.size(), 1u);
}

TEST_F(MerchantMachineTest, HeldPurchaseFromOtherSignerIsForbidden) {
  buy();
  Purchase forged = purchase_with(nonce_);
  forged.dual_signature = fake_signature(
      "sip:mallory@operator.example",
      dual_signature_input(sha256(forged.order), forged.payment_information_hash));
  const Handled handled = machine_.on_purchase(credentials_for(nonce_), forged, sample_time());
  EXPECT_EQ(handled.sip_status, 403);
}

TEST_F(MerchantMachineTest, RefusesUnknownItem) {
  Order order = sample_order();
  order.item_id = "tea";
  EXPECT_EQ(refusal_of(buy(order)), ReasonCode::kUnknownItem);
  EXPECT_TRUE(services_.reserved.empty());
}

TEST_F(MerchantMachineTest, RefusesWrongPrice) {
  Order order = sample_order();
  order.unit_price = 1000;
  order.amount = 2000;
  EXPECT_EQ(refusal_of(buy(order)), ReasonCode::kPriceMismatch);
}

TEST_F(MerchantMachineTest, RefusesSoldOut) {
  services_.stock["coffee-beans"] = 1;
  EXPECT_EQ(refusal_of(buy()), ReasonCode::kSoldOut);
}

TEST_F(MerchantMachineTest, RefusesOtherMerchantsOrder) {
  Order order = sample_order();
  order.merchant = "sip:other@merchant.example";
  EXPECT_EQ(refusal_of(buy(order)), ReasonCode::kWrongMerchant);
}

TEST_F(MerchantMachineTest, RefusesStaleOrder) {
  Order order = sample_order();
  order.timestamp = sample_time() - minutes(6);
  EXPECT_EQ(refusal_of(buy(order)), ReasonCode::kStaleOrder);
}

TEST_F(MerchantMachineTest, RefusesTamperedOrder) {
  const Handled first = machine_.on_purchase(std::nullopt, std::nullopt, sample_time());
  const std::string nonce = parse_challenge(header(first, "WWW-Authenticate"))->nonce;
  Purchase purchase = purchase_with(nonce);
  // The customer signed 2 x 1250; the order now says 3 x 1250.
  Order altered = sample_order();
  altered.merchant_nonce = nonce;
  altered.quantity = 3;
  altered.amount = 3750;
  purchase.order = encode(altered);
  EXPECT_EQ(refusal_of(machine_.on_purchase(credentials_for(nonce), purchase, sample_time())),
            ReasonCode::kDualSignatureInvalid);
}

TEST_F(MerchantMachineTest, RefusalIsRepeatedNotRedone) {
  services_.stock["coffee-beans"] = 0;
  const Handled refused = buy();
  const Handled again =
      machine_.on_purchase(credentials_for(nonce_), purchase_with(nonce_), sample_time());
  const auto first = actions_of<SendMessage>(refused.actions);
  const auto second = actions_of<SendMessage>(again.actions);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].bytes, first[0].bytes);
}

TEST_F(MerchantMachineTest, ReceiptDeliversOnce) {
  buy();
  Receipt receipt = sample_receipt();
  receipt.merchant_order_ref = order_ref();
  const Handled first = machine_.on_receipt(kGateway, receipt);
  const Handled second = machine_.on_receipt(kGateway, receipt);
  EXPECT_EQ(actions_of<DeliverOrder>(first.actions).size(), 1u);
  EXPECT_TRUE(second.actions.empty());
  EXPECT_EQ(second.sip_status, 200);
}

TEST_F(MerchantMachineTest, ReceiptFromOthersIsForbidden) {
  buy();
  Receipt receipt = sample_receipt();
  receipt.merchant_order_ref = order_ref();
  EXPECT_EQ(machine_.on_receipt(kCustomer, receipt).sip_status, 403);
}

TEST_F(MerchantMachineTest, GatewayNoticeReleasesOnce) {
  buy();
  const FailureNotice notice = gateway_notice(ReasonCode::kWrongPin);
  const Handled first = machine_.on_failure_notice(kGateway, notice);
  const Handled second = machine_.on_failure_notice(kGateway, notice);
  EXPECT_EQ(actions_of<ReleaseStock>(first.actions).size(), 1u);
  EXPECT_TRUE(second.actions.empty());
}

TEST_F(MerchantMachineTest, DeadlineAsksGatewayAndReleasesNothing) {
  buy();
  EXPECT_TRUE(machine_.request_due_aborts(sample_time() + minutes(4)).empty());
  const auto actions = machine_.request_due_aborts(sample_time() + minutes(5));
  EXPECT_TRUE(actions_of<ReleaseStock>(actions).empty());
  const auto sent = actions_of<SendMessage>(actions);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].type, MessageType::kAbortRequest);
  // Asked once; the outbox resends it.
  EXPECT_TRUE(machine_.request_due_aborts(sample_time() + minutes(6)).empty());
  EXPECT_EQ(services_.stock["coffee-beans"], 3);
}

TEST_F(MerchantMachineTest, AbortAnswerSettledDelivers) {
  // The customer accepted just before the abort reached the gateway.
  buy();
  machine_.request_due_aborts(sample_time() + minutes(5));
  AbortAnswer answer = sample_abort_answer();
  answer.merchant_order_ref = order_ref();
  answer.state = TransactionState::kSettled;
  const Handled handled = machine_.on_abort_answer(kGateway, answer);
  EXPECT_EQ(actions_of<DeliverOrder>(handled.actions).size(), 1u);
  EXPECT_TRUE(actions_of<ReleaseStock>(handled.actions).empty());
}

TEST_F(MerchantMachineTest, AbortAnswerAbortedReleases) {
  buy();
  machine_.request_due_aborts(sample_time() + minutes(5));
  AbortAnswer answer = sample_abort_answer();
  answer.merchant_order_ref = order_ref();
  const Handled handled = machine_.on_abort_answer(kGateway, answer);
  EXPECT_EQ(actions_of<ReleaseStock>(handled.actions).size(), 1u);
  // A receipt reordered after the abort answer changes nothing.
  Receipt receipt = sample_receipt();
  receipt.merchant_order_ref = order_ref();
  EXPECT_TRUE(machine_.on_receipt(kGateway, receipt).actions.empty());
}

}  // namespace
}  // namespace sippay::payment
