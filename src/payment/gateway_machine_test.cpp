#include "payment/gateway_machine.hpp"

#include <gtest/gtest.h>

#include "payment/payment_test_support.hpp"
#include "payment/role_test_support.hpp"

namespace sippay::payment {
namespace {

using namespace testing;
using std::chrono::minutes;
using std::chrono::seconds;


// One purchase as the merchant forwards it: the OI bytes and a request
// carrying an envelope with PI and a DS over both.
struct Forwarded {
  std::string order_bytes;
  PaymentRequest request;
};

Forwarded forwarded(const PaymentInformation& payment = sample_payment(),
                    const std::string& signer = kCustomer, const char* order_ref = kOrderRef) {
  Forwarded f;
  f.order_bytes = encode(sample_order());
  const std::string payment_bytes = encode(payment);
  const std::string input = dual_signature_input_from_bytes(f.order_bytes, payment_bytes);
  const PaymentBundle bundle{payment_bytes, fake_signature(signer, input)};
  f.request = sample_payment_request();
  f.request.merchant_order_ref = order_ref;
  f.request.order_hash = sha256(f.order_bytes);
  f.request.payment_envelope = fake_envelope(encode(bundle));
  return f;
}

std::vector<SendMessage> sent(const Handled& handled) {
  return actions_of<SendMessage>(handled.actions);
}

class GatewayMachineTest : public ::testing::Test {
 protected:
  Handled request(const PaymentRequest& r, UtcTime now) {
    return machine_.on_payment_request(kMerchant, r, now);
  }

  // Sends the purchase and returns the CR bytes sent to the customer.
  std::string open_transaction(UtcTime now) {
    const Handled handled = request(forwarded().request, now);
    EXPECT_EQ(handled.sip_status, 200) << handled.reason;
    const auto messages = sent(handled);
    EXPECT_EQ(messages.size(), 1u);
    if (messages.empty()) return {};
    EXPECT_EQ(messages[0].to, kCustomer);
    EXPECT_EQ(messages[0].type, MessageType::kConfirmationRequest);
    return messages[0].bytes;
  }

  ConfirmationAck ack_for(const std::string& cr_bytes, Decision decision) {
    const auto cr = decode<ConfirmationRequest>(cr_bytes);
    EXPECT_TRUE(cr.ok());
    ConfirmationAck ack;
    ack.message_id = "msg-ack-00000000001";
    ack.transaction_id = cr->transaction_id;
    ack.purchase_id = cr->purchase_id;
    ack.decision = decision;
    ack.confirmation_request_hash = sha256(cr_bytes);
    ack.timestamp = sample_time();
    return ack;
  }

  FailureNotice notice_in(const SendMessage& message) {
    EXPECT_EQ(message.type, MessageType::kFailureNotice);
    auto notice = decode<FailureNotice>(message.bytes);
    EXPECT_TRUE(notice.ok()) << notice.error().to_string();
    return notice.ok() ? notice.value() : FailureNotice{};
  }

  // Expects a refusal with `reason` told to the merchant and, when
  // `customer_told`, to the customer, and no funds reserved.
  void expect_refused(const Handled& handled, ReasonCode reason, bool customer_told = true) {
    EXPECT_EQ(handled.sip_status, 200) << handled.reason;
    const auto messages = sent(handled);
    ASSERT_EQ(messages.size(), customer_told ? 2u : 1u);
    for (const SendMessage& message : messages) {
      const FailureNotice notice = notice_in(message);
      EXPECT_EQ(notice.reason, reason);
      EXPECT_TRUE(notice.transaction_id);
      EXPECT_EQ(notice.merchant_order_ref, std::optional<std::string>(kOrderRef));
      EXPECT_EQ(notice.purchase_id, kPurchaseId);
    }
    EXPECT_EQ(messages.back().to, kMerchant);
    if (customer_told) {
      EXPECT_EQ(messages.front().to, kCustomer);
    }
    EXPECT_TRUE(services_.reservations.empty());
  }

  InMemoryGatewayStore store_;
  FakeGatewayServices services_;
  CountingIds ids_{"gw"};
  GatewayMachine machine_{store_, services_, ids_, GatewayConfig{minutes(2)}};
};

TEST_F(GatewayMachineTest, AcceptSettlesOnce) {
  const std::string cr = open_transaction(sample_time());
  ASSERT_FALSE(cr.empty());
  EXPECT_EQ(services_.reservations.size(), 1u);

  const Handled handled =
      machine_.on_confirmation_ack(kCustomer, ack_for(cr, Decision::kAccept), sample_time());
  EXPECT_EQ(handled.sip_status, 200) << handled.reason;
  ASSERT_EQ(actions_of<PostTransfer>(handled.actions).size(), 1u);
  const auto messages = sent(handled);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].to, kCustomer);
  EXPECT_EQ(messages[1].to, kMerchant);
  const auto receipt = decode<Receipt>(messages[0].bytes);
  ASSERT_TRUE(receipt.ok());
  EXPECT_EQ(receipt->purchase_id, kPurchaseId);
  EXPECT_EQ(receipt->merchant_order_ref, kOrderRef);
  EXPECT_EQ(receipt->amount, 2500);
}

TEST_F(GatewayMachineTest, RepeatedRequestResendsSameConfirmation) {
  const std::string cr = open_transaction(sample_time());
  const Handled again = request(forwarded().request, sample_time() + seconds(5));
  EXPECT_EQ(again.sip_status, 200);
  const auto messages = sent(again);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].bytes, cr);
  EXPECT_EQ(services_.reservations.size(), 1u);
  EXPECT_EQ(store_.size(), 1u);
}

TEST_F(GatewayMachineTest, SecondOrderRefForSamePurchaseIsRefused) {
  // The 401-retry failure: the same purchase forwarded twice under two order
  // refs must not open two pending transfers.
  open_transaction(sample_time());
  const Handled second = request(forwarded(sample_payment(), kCustomer, "ORD-2").request,
                                 sample_time());
  EXPECT_EQ(second.sip_status, 200);
  const auto messages = sent(second);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].to, kMerchant);
  EXPECT_EQ(notice_in(messages[0]).reason, ReasonCode::kPurchaseIdReused);
  EXPECT_EQ(services_.reservations.size(), 1u);
}

TEST_F(GatewayMachineTest, DuplicateAckPostsOnce) {
  const std::string cr = open_transaction(sample_time());
  const ConfirmationAck ack = ack_for(cr, Decision::kAccept);
  const Handled first = machine_.on_confirmation_ack(kCustomer, ack, sample_time());
  const Handled second = machine_.on_confirmation_ack(kCustomer, ack, sample_time() + seconds(1));
  EXPECT_EQ(actions_of<PostTransfer>(first.actions).size(), 1u);
  EXPECT_TRUE(actions_of<PostTransfer>(second.actions).empty());
  EXPECT_EQ(second.sip_status, 200);
  const auto messages = sent(second);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].type, MessageType::kReceipt);
}

TEST_F(GatewayMachineTest, RequestAfterSettlementRepeatsReceipt) {
  const std::string cr = open_transaction(sample_time());
  machine_.on_confirmation_ack(kCustomer, ack_for(cr, Decision::kAccept), sample_time());
  const Handled replay = request(forwarded().request, sample_time() + minutes(1));
  EXPECT_EQ(replay.sip_status, 200);
  EXPECT_TRUE(actions_of<PostTransfer>(replay.actions).empty());
  const auto messages = sent(replay);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].to, kMerchant);
  EXPECT_EQ(messages[0].type, MessageType::kReceipt);
}

TEST_F(GatewayMachineTest, AckWithOtherHashIsRejected) {
  const std::string cr = open_transaction(sample_time());
  ConfirmationAck ack = ack_for(cr, Decision::kAccept);
  ack.confirmation_request_hash = sha256("another CR");
  const Handled handled = machine_.on_confirmation_ack(kCustomer, ack, sample_time());
  EXPECT_EQ(handled.sip_status, 400);
  EXPECT_TRUE(handled.actions.empty());
}

TEST_F(GatewayMachineTest, AckFromOtherCustomerIsForbidden) {
  const std::string cr = open_transaction(sample_time());
  const Handled handled = machine_.on_confirmation_ack("sip:mallory@operator.example",
                                                       ack_for(cr, Decision::kAccept),
                                                       sample_time());
  EXPECT_EQ(handled.sip_status, 403);
  EXPECT_TRUE(handled.actions.empty());
}

TEST_F(GatewayMachineTest, AckForUnknownTransactionIsNotFound) {
  const std::string cr = open_transaction(sample_time());
  ConfirmationAck ack = ack_for(cr, Decision::kAccept);
  ack.transaction_id = "gw-unknown-0000001";
  EXPECT_EQ(machine_.on_confirmation_ack(kCustomer, ack, sample_time()).sip_status, 404);
}

TEST_F(GatewayMachineTest, AckAfterDeadlineNeverPosts) {
  // The expiry sweep has not run: the decision itself checks the deadline.
  const std::string cr = open_transaction(sample_time());
  const Handled late = machine_.on_confirmation_ack(kCustomer, ack_for(cr, Decision::kAccept),
                                                    sample_time() + minutes(2));
  EXPECT_EQ(late.sip_status, 200);
  EXPECT_TRUE(actions_of<PostTransfer>(late.actions).empty());
  EXPECT_EQ(actions_of<VoidTransfer>(late.actions).size(), 1u);
  const auto messages = sent(late);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(notice_in(messages[0]).reason, ReasonCode::kExpired);
}

TEST_F(GatewayMachineTest, DeclineVoidsAndTellsBoth) {
  const std::string cr = open_transaction(sample_time());
  const Handled handled =
      machine_.on_confirmation_ack(kCustomer, ack_for(cr, Decision::kDecline), sample_time());
  EXPECT_EQ(actions_of<VoidTransfer>(handled.actions).size(), 1u);
  EXPECT_TRUE(actions_of<PostTransfer>(handled.actions).empty());
  const auto messages = sent(handled);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(notice_in(messages[0]).reason, ReasonCode::kDeclined);
  EXPECT_EQ(messages[1].to, kMerchant);
}

TEST_F(GatewayMachineTest, ExpirySweepVoidsThenAckIsLate) {
  const std::string cr = open_transaction(sample_time());
  EXPECT_TRUE(machine_.expire_due(sample_time() + minutes(1)).empty());
  const auto expired = machine_.expire_due(sample_time() + minutes(3));
  EXPECT_EQ(actions_of<VoidTransfer>(expired).size(), 1u);
  EXPECT_TRUE(machine_.expire_due(sample_time() + minutes(4)).empty());
  const Handled late = machine_.on_confirmation_ack(kCustomer, ack_for(cr, Decision::kAccept),
                                                    sample_time() + minutes(5));
  EXPECT_TRUE(actions_of<PostTransfer>(late.actions).empty());
  EXPECT_TRUE(actions_of<VoidTransfer>(late.actions).empty());
  ASSERT_EQ(sent(late).size(), 1u);
  EXPECT_EQ(notice_in(sent(late)[0]).reason, ReasonCode::kExpired);
}

TEST_F(GatewayMachineTest, WrongPinStaysRefused) {
  PaymentInformation payment = sample_payment();
  payment.pin = "9999";
  const Forwarded f = forwarded(payment);
  expect_refused(request(f.request, sample_time()), ReasonCode::kWrongPin);
  const Handled again = request(f.request, sample_time() + seconds(1));
  ASSERT_EQ(sent(again).size(), 1u);
  EXPECT_EQ(notice_in(sent(again)[0]).reason, ReasonCode::kWrongPin);
  EXPECT_EQ(services_.pin_checks, 1);
}

TEST_F(GatewayMachineTest, InsufficientFundsIsRefused) {
  services_.balances["alice"] = 100;
  expect_refused(request(forwarded().request, sample_time()), ReasonCode::kInsufficientFunds);
}

TEST_F(GatewayMachineTest, LockedPinIsRefused) {
  services_.failures["alice"] = 3;
  expect_refused(request(forwarded().request, sample_time()), ReasonCode::kPinLocked);
}

TEST_F(GatewayMachineTest, TamperedOrderHashFailsDualSignature) {
  Forwarded f = forwarded();
  f.request.order_hash = sha256("a different order");
  expect_refused(request(f.request, sample_time()), ReasonCode::kDualSignatureInvalid);
}

TEST_F(GatewayMachineTest, RevokedCertificateIsRefused) {
  services_.revoked.insert(kCustomer);
  expect_refused(request(forwarded().request, sample_time()), ReasonCode::kCertificateRevoked);
}

TEST_F(GatewayMachineTest, ClaimDifferingFromPaymentIsRefused) {
  // The customer signed PI with 2500; the merchant claims 2400 under the
  // same H(OI), so DS holds but the claim does not match PI.
  Forwarded f = forwarded();
  f.request.amount = 2400;
  expect_refused(request(f.request, sample_time()), ReasonCode::kPaymentMismatch);
}

TEST_F(GatewayMachineTest, UndecryptableEnvelopeIs493) {
  Forwarded f = forwarded();
  f.request.payment_envelope = "garbage";
  const Handled handled = request(f.request, sample_time());
  EXPECT_EQ(handled.sip_status, 493);
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(GatewayMachineTest, RequestFromOtherSignerIsForbidden) {
  const Handled handled =
      machine_.on_payment_request("sip:evil@merchant.example", forwarded().request, sample_time());
  EXPECT_EQ(handled.sip_status, 403);
  EXPECT_EQ(store_.size(), 0u);
}

TEST_F(GatewayMachineTest, AbortBeforeRequestIsRemembered) {
  const Handled abort = machine_.on_abort_request(kMerchant, sample_abort_request(), sample_time());
  ASSERT_EQ(sent(abort).size(), 1u);
  const auto answer = decode<AbortAnswer>(sent(abort)[0].bytes);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->state, TransactionState::kAborted);
  EXPECT_FALSE(answer->transaction_id);
  // The late request cannot open the transaction.
  expect_refused(request(forwarded().request, sample_time() + seconds(1)), ReasonCode::kAborted);
}

TEST_F(GatewayMachineTest, AbortWhilePendingVoidsThenAcceptFails) {
  const std::string cr = open_transaction(sample_time());
  const Handled abort = machine_.on_abort_request(kMerchant, sample_abort_request(), sample_time());
  EXPECT_EQ(actions_of<VoidTransfer>(abort.actions).size(), 1u);
  const auto messages = sent(abort);
  ASSERT_EQ(messages.size(), 3u);  // notices to customer and merchant, the answer
  EXPECT_EQ(notice_in(messages[0]).reason, ReasonCode::kAborted);
  const auto answer = decode<AbortAnswer>(messages[2].bytes);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->state, TransactionState::kAborted);
  EXPECT_TRUE(answer->transaction_id);

  const Handled accept =
      machine_.on_confirmation_ack(kCustomer, ack_for(cr, Decision::kAccept), sample_time());
  EXPECT_TRUE(actions_of<PostTransfer>(accept.actions).empty());
}

TEST_F(GatewayMachineTest, AbortAfterSettlementAnswersSettled) {
  const std::string cr = open_transaction(sample_time());
  machine_.on_confirmation_ack(kCustomer, ack_for(cr, Decision::kAccept), sample_time());
  const Handled abort = machine_.on_abort_request(kMerchant, sample_abort_request(), sample_time());
  EXPECT_TRUE(actions_of<VoidTransfer>(abort.actions).empty());
  ASSERT_EQ(sent(abort).size(), 1u);
  const auto answer = decode<AbortAnswer>(sent(abort)[0].bytes);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->state, TransactionState::kSettled);
}

TEST_F(GatewayMachineTest, StateInquiryShowsOnlyParties) {
  open_transaction(sample_time());
  const auto state_for = [&](const char* signer, StateInquiry inquiry) {
    const Handled handled = machine_.on_state_inquiry(signer, inquiry, sample_time());
    EXPECT_EQ(sent(handled).size(), 1u);
    const auto answer = decode<StateAnswer>(sent(handled)[0].bytes);
    EXPECT_TRUE(answer.ok()) << answer.error().to_string();
    return answer.ok() ? answer->state : TransactionState::kUnknown;
  };
  EXPECT_EQ(state_for(kCustomer, sample_state_inquiry()), TransactionState::kPending);
  StateInquiry by_ref = sample_state_inquiry();
  by_ref.purchase_id.reset();
  by_ref.merchant_order_ref = kOrderRef;
  EXPECT_EQ(state_for(kMerchant, by_ref), TransactionState::kPending);
  EXPECT_EQ(state_for("sip:mallory@operator.example", sample_state_inquiry()),
            TransactionState::kUnknown);
}

}  // namespace
}  // namespace sippay::payment
