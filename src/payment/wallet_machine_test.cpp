#include "payment/wallet_machine.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "payment/payment_test_support.hpp"
#include "payment/role_test_support.hpp"

namespace sippay::payment {
namespace {

using namespace testing;

const Offer kOffer{kMerchant, "coffee-beans", 2, 1250, "EUR"};
const MerchantChallenge kChallenge{"merchant.example", "nonce-0123456789abcdef"};

std::vector<SendMessage> sent(const Handled& handled) {
  std::vector<SendMessage> found;
  for (const Action& action : handled.actions) {
    if (const auto* message = std::get_if<SendMessage>(&action)) found.push_back(*message);
  }
  return found;
}

class WalletMachineTest : public ::testing::Test {
 protected:
  // Starts a purchase, answers the challenge and returns the purchase sent.
  Purchase submit() {
    WalletStep step;
    purchase_id_ = machine_.begin(kOffer, "1234", sample_time(), step);
    const auto probe = sent(step.handled);
    EXPECT_EQ(probe.size(), 1u);
    EXPECT_TRUE(probe.empty() || probe[0].bytes.empty());
    const WalletStep retry = machine_.on_challenge(purchase_id_, kChallenge, sample_time());
    const auto messages = sent(retry.handled);
    EXPECT_EQ(messages.size(), 1u);
    if (messages.empty()) return {};
    auto purchase = decode<Purchase>(messages[0].bytes);
    EXPECT_TRUE(purchase.ok());
    return purchase.ok() ? purchase.value() : Purchase{};
  }

  // A CR for the submitted purchase, as the gateway would send it.
  std::pair<std::string, ConfirmationRequest> confirmation(const Purchase& purchase) {
    ConfirmationRequest request = sample_confirmation_request();
    request.purchase_id = purchase_id_;
    request.order_hash = sha256(purchase.order);
    return {encode(request), request};
  }

  InMemoryWalletStore store_;
  FakeWalletServices services_{kCustomer};
  CountingIds ids_{"w"};
  WalletMachine machine_{store_, services_, ids_, WalletConfig{"alice", kGateway, 3}};
  std::string purchase_id_;
};

TEST_F(WalletMachineTest, ChallengeRetryKeepsPurchaseId) {
  const Purchase purchase = submit();
  EXPECT_EQ(purchase.purchase_id, purchase_id_);
  const auto order = decode<Order>(purchase.order);
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(order->merchant_nonce, kChallenge.nonce);
  EXPECT_EQ(order->purchase_id, purchase_id_);

  // A second challenge (the nonce went stale): same purchase id, new nonce.
  const WalletStep again =
      machine_.on_challenge(purchase_id_, {"merchant.example", "nonce-second-00000001"},
                            sample_time());
  const auto messages = sent(again.handled);
  ASSERT_EQ(messages.size(), 1u);
  ASSERT_EQ(messages[0].headers.size(), 1u);
  const auto credentials = parse_credentials(messages[0].headers[0].second);
  ASSERT_TRUE(credentials.ok());
  EXPECT_EQ(credentials->purchase_id, purchase_id_);
  EXPECT_EQ(credentials->nonce, "nonce-second-00000001");
}

TEST_F(WalletMachineTest, DualSignatureCoversOrderAndPayment) {
  const Purchase purchase = submit();
  const auto envelope = purchase.payment_envelope;
  ASSERT_EQ(envelope.substr(0, 4), "ENV:");
  const auto bundle = decode<PaymentBundle>(envelope.substr(4));
  ASSERT_TRUE(bundle.ok());
  EXPECT_EQ(sha256(bundle->payment_information), purchase.payment_information_hash);
  EXPECT_EQ(bundle->dual_signature,
            fake_signature(kCustomer, dual_signature_input_from_bytes(
                                          purchase.order, bundle->payment_information)));
  const auto payment = decode<PaymentInformation>(bundle->payment_information);
  ASSERT_TRUE(payment.ok());
  EXPECT_EQ(payment->amount, 2500);
  EXPECT_EQ(payment->purchase_id, purchase_id_);
}

TEST_F(WalletMachineTest, TooManyChallengesGiveUp) {
  submit();
  machine_.on_challenge(purchase_id_, kChallenge, sample_time());
  machine_.on_challenge(purchase_id_, kChallenge, sample_time());
  const WalletStep last = machine_.on_challenge(purchase_id_, kChallenge, sample_time());
  EXPECT_EQ(last.handled.sip_status, 401);
  EXPECT_TRUE(sent(last.handled).empty());
}

TEST_F(WalletMachineTest, CachedNonceSkipsTheProbe) {
  store_.put_nonce(kMerchant, kChallenge);
  WalletStep step;
  machine_.begin(kOffer, "1234", sample_time(), step);
  const auto messages = sent(step.handled);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_FALSE(messages[0].bytes.empty());
}

TEST_F(WalletMachineTest, InvalidPinIsRejectedWithoutEcho) {
  WalletStep step;
  try {
    machine_.begin(kOffer, "12x45", sample_time(), step);
    FAIL() << "an invalid PIN was accepted";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()).find("12x45"), std::string::npos);
  }
}

// With a unit price near INT64_MAX, unit_price * quantity overflows (undefined
// behavior), so begin() must reject the offer before it multiplies.
TEST_F(WalletMachineTest, OversizedOfferIsRejected) {
  Offer huge_price = kOffer;
  huge_price.unit_price = std::numeric_limits<std::int64_t>::max() / 2 + 1;
  Offer huge_quantity = kOffer;
  huge_quantity.quantity = std::numeric_limits<std::int64_t>::max();
  Offer zero_quantity = kOffer;
  zero_quantity.quantity = 0;

  for (const Offer& offer : {huge_price, huge_quantity, zero_quantity}) {
    WalletStep step;
    EXPECT_THROW(machine_.begin(offer, "1234", sample_time(), step), std::invalid_argument)
        << "unit_price " << offer.unit_price << ", quantity " << offer.quantity;
    EXPECT_TRUE(step.handled.actions.empty());
  }
}

TEST_F(WalletMachineTest, OneConfirmationPerPurchase) {
  const Purchase purchase = submit();
  machine_.on_purchase_accepted(purchase_id_, std::nullopt);
  const auto [bytes, request] = confirmation(purchase);
  const WalletStep first = machine_.on_confirmation_request(kGateway, bytes, request, sample_time());
  ASSERT_TRUE(first.ask_user);

  // A second CR for the same purchase with another transaction is ignored.
  ConfirmationRequest other = request;
  other.transaction_id = "txn-other-0123456789";
  const WalletStep second =
      machine_.on_confirmation_request(kGateway, encode(other), other, sample_time());
  EXPECT_FALSE(second.ask_user);
  EXPECT_TRUE(sent(second.handled).empty());

  const WalletStep accept = machine_.on_user_decision(purchase_id_, Decision::kAccept, sample_time());
  const auto acks = sent(accept.handled);
  ASSERT_EQ(acks.size(), 1u);
  const auto ack = decode<ConfirmationAck>(acks[0].bytes);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->confirmation_request_hash, sha256(bytes));
  EXPECT_EQ(ack->transaction_id, request.transaction_id);

  // The same CR again: the stored ack is resent, the user is not asked.
  const WalletStep repeat = machine_.on_confirmation_request(kGateway, bytes, request, sample_time());
  EXPECT_FALSE(repeat.ask_user);
  ASSERT_EQ(sent(repeat.handled).size(), 1u);
  EXPECT_EQ(sent(repeat.handled)[0].bytes, acks[0].bytes);
  // A second decision sends nothing.
  EXPECT_TRUE(sent(machine_.on_user_decision(purchase_id_, Decision::kDecline, sample_time())
                       .handled)
                  .empty());
}

TEST_F(WalletMachineTest, MismatchedConfirmationIsDeclined) {
  const Purchase purchase = submit();
  auto [bytes, request] = confirmation(purchase);
  request.amount = 9000;
  bytes = encode(request);
  const WalletStep step = machine_.on_confirmation_request(kGateway, bytes, request, sample_time());
  EXPECT_FALSE(step.ask_user);
  const auto acks = sent(step.handled);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(decode<ConfirmationAck>(acks[0].bytes)->decision, Decision::kDecline);
}

TEST_F(WalletMachineTest, ConfirmationFromOthersIsForbidden) {
  const Purchase purchase = submit();
  const auto [bytes, request] = confirmation(purchase);
  EXPECT_EQ(machine_.on_confirmation_request(kMerchant, bytes, request, sample_time())
                .handled.sip_status,
            403);
}

TEST_F(WalletMachineTest, OutcomeShownOnce) {
  submit();
  Receipt receipt = sample_receipt();
  receipt.purchase_id = purchase_id_;
  EXPECT_TRUE(machine_.on_receipt(kGateway, receipt).receipt);
  EXPECT_FALSE(machine_.on_receipt(kGateway, receipt).receipt);
  FailureNotice late = sample_gateway_notice();
  late.purchase_id = purchase_id_;
  EXPECT_FALSE(machine_.on_failure_notice(kGateway, late).failure);
}

TEST_F(WalletMachineTest, MerchantNoticeMustComeFromMerchant) {
  submit();
  FailureNotice notice = sample_merchant_notice();
  notice.purchase_id = purchase_id_;
  EXPECT_EQ(machine_.on_failure_notice(kGateway, notice).handled.sip_status, 403);
  const WalletStep step = machine_.on_failure_notice(kMerchant, notice);
  ASSERT_TRUE(step.failure);
  EXPECT_EQ(step.failure->reason, ReasonCode::kSoldOut);
  // The notice's nonce is kept for the next purchase at this merchant.
  EXPECT_EQ(store_.take_nonce(kMerchant)->nonce, *notice.next_nonce);
}

}  // namespace
}  // namespace sippay::payment
