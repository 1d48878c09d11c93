// The gateway's decisions on a real SQLite ledger with real CMS: each
// purchase error the gateway decides, the settlement, and restarts.
#include "roles/gateway/gateway_test_support.hpp"

#include <fmt/format.h>

#include "payment/protocol_names.hpp"

namespace sippay::roles::gateway::testing {
namespace {

using payment::Decision;
using payment::ReasonCode;

class GatewayProcessorTest : public GatewayFixture {
 protected:
  // Sends the request and returns the CR bytes the customer receives.
  std::string reserve(const std::string& purchase_id, const std::string& order_ref) {
    const auto handled = send_request(purchase(purchase_id, order_ref).request);
    EXPECT_EQ(handled.sip_status, 200) << handled.reason;
    const auto crs = of_type(drain_outbox(), "confirmation-request");
    EXPECT_EQ(crs.size(), 1u);
    if (crs.empty()) return {};
    EXPECT_EQ(crs[0].to_uri, kAlice);
    return crs[0].content;
  }

  // A refused purchase: both sides get one notice with `reason`, no money is held.
  void expect_refused(const payment::PaymentRequest& request, ReasonCode reason,
                      std::int64_t held_before = 0) {
    const auto handled = send_request(request);
    EXPECT_EQ(handled.sip_status, 200) << handled.reason;
    const auto notices = of_type(drain_outbox(), "failure-notice");
    ASSERT_FALSE(notices.empty());
    for (const auto& notice : notices) EXPECT_EQ(reason_of(notice), reason) << notice.content;
    EXPECT_EQ(notices.back().to_uri, kShop);
    EXPECT_EQ(account("alice").debits_pending, held_before);
    EXPECT_EQ(account("alice").balance, 10000);
    EXPECT_TRUE(invariant_violations().empty());
  }
};

TEST_F(GatewayProcessorTest, AcceptedPurchaseSettlesAndSendsReceiptsToBoth) {
  const std::string cr = reserve("purchase-0000000000000001", "order-1");
  EXPECT_EQ(account("alice").debits_pending, 2500);

  const auto handled = send(kAlice, ack_for(cr, Decision::kAccept));
  EXPECT_EQ(handled.sip_status, 200) << handled.reason;
  const auto receipts = of_type(drain_outbox(), "receipt");
  ASSERT_EQ(receipts.size(), 2u);
  EXPECT_EQ(receipts[0].to_uri, kAlice);
  EXPECT_EQ(receipts[1].to_uri, kShop);
  EXPECT_EQ(account("alice").balance, 7500);
  EXPECT_EQ(account("alice").debits_pending, 0);
  EXPECT_EQ(account("shop").balance, 2500);
  EXPECT_TRUE(invariant_violations().empty());
}

TEST_F(GatewayProcessorTest, DuplicatedConfirmationPostsOnceAndRepeatsTheReceipt) {
  const std::string cr = reserve("purchase-0000000000000002", "order-2");
  const std::string ack = ack_for(cr, Decision::kAccept);
  EXPECT_EQ(send(kAlice, ack).sip_status, 200);
  drain_outbox();
  EXPECT_EQ(send(kAlice, ack).sip_status, 200);
  const auto repeated = drain_outbox();
  ASSERT_EQ(repeated.size(), 1u);
  EXPECT_EQ(repeated[0].message_type, "receipt");
  EXPECT_EQ(account("alice").balance, 7500);
  EXPECT_EQ(account("shop").balance, 2500);
}

TEST_F(GatewayProcessorTest, DeclinedConfirmationVoidsAndTellsBoth) {
  const std::string cr = reserve("purchase-0000000000000003", "order-3");
  EXPECT_EQ(send(kAlice, ack_for(cr, Decision::kDecline)).sip_status, 200);
  const auto notices = of_type(drain_outbox(), "failure-notice");
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(reason_of(notices[0]), ReasonCode::kDeclined);
  EXPECT_EQ(notices[0].to_uri, kAlice);
  EXPECT_EQ(notices[1].to_uri, kShop);
  EXPECT_EQ(account("alice").balance, 10000);
  EXPECT_EQ(account("alice").debits_pending, 0);
  EXPECT_EQ(account("shop").balance, 0);
  EXPECT_EQ(count("SELECT count(*) FROM transfers WHERE state = 'voided' AND void_reason = 'declined'"), 1);
}

TEST_F(GatewayProcessorTest, ConfirmationAfterTheDeadlineNeverPosts) {
  const std::string cr = reserve("purchase-0000000000000004", "order-4");
  clock_.advance(policy_.machine.confirmation_timeout);  // exactly at the deadline
  EXPECT_EQ(send(kAlice, ack_for(cr, Decision::kAccept)).sip_status, 200);
  const auto notices = of_type(drain_outbox(), "failure-notice");
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(reason_of(notices[0]), ReasonCode::kExpired);
  EXPECT_EQ(account("alice").balance, 10000);
  EXPECT_EQ(account("shop").balance, 0);
  EXPECT_EQ(account("alice").debits_pending, 0);
}

TEST_F(GatewayProcessorTest, ExpirySweepVoidsOverdueTransactionsOnly) {
  reserve("purchase-0000000000000005", "order-5");
  EXPECT_EQ(processor_->expire_due(), 0u);
  EXPECT_EQ(account("alice").debits_pending, 2500);
  clock_.advance(policy_.machine.confirmation_timeout + 1s);
  EXPECT_EQ(processor_->expire_due(), 1u);
  const auto notices = of_type(drain_outbox(), "failure-notice");
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(reason_of(notices[1]), ReasonCode::kExpired);
  EXPECT_EQ(account("alice").debits_pending, 0);
  EXPECT_EQ(processor_->expire_due(), 0u);
}

TEST_F(GatewayProcessorTest, WrongPinIsRefusedAndTheThirdLocksTheAccount) {
  expect_refused(purchase("purchase-0000000000000010", "order-10", 100, "9999").request,
                 ReasonCode::kWrongPin);
  expect_refused(purchase("purchase-0000000000000011", "order-11", 100, "9999").request,
                 ReasonCode::kWrongPin);
  expect_refused(purchase("purchase-0000000000000012", "order-12", 100, "9999").request,
                 ReasonCode::kPinLocked);
  // Locked: the right PIN is refused too until the lockout ends.
  expect_refused(purchase("purchase-0000000000000013", "order-13").request, ReasonCode::kPinLocked);
  clock_.advance(policy_.pin.lockout);
  reserve("purchase-0000000000000014", "order-14");
  const auto pin = ledger_->transact([](ledger::LedgerTransaction& tx) { return tx.pin_state("alice"); });
  EXPECT_EQ(pin.failures, 0);
}

TEST_F(GatewayProcessorTest, InsufficientBalanceIsRefused) {
  expect_refused(purchase("purchase-0000000000000020", "order-20", 10001).request,
                 ReasonCode::kInsufficientFunds);
}

TEST_F(GatewayProcessorTest, HeldFundsCannotBeSpentTwice) {
  reserve("purchase-0000000000000021", "order-21");  // 2500 held of 10000
  expect_refused(purchase("purchase-0000000000000022", "order-22", 7501).request,
                 ReasonCode::kInsufficientFunds, 2500);
}

TEST_F(GatewayProcessorTest, TamperedOrderFailsTheDualSignature) {
  auto built = purchase("purchase-0000000000000030", "order-30");
  built.request.order_hash = payment::sha256(built.order_bytes + " ");
  expect_refused(built.request, ReasonCode::kDualSignatureInvalid);
}

TEST_F(GatewayProcessorTest, TamperedPaymentInformationFailsTheDualSignature) {
  payment::PaymentInformation pi;
  pi.purchase_id = "purchase-0000000000000031";
  pi.account = "alice";
  pi.pin = kPin;
  pi.merchant = kShop;
  pi.amount = 100;
  pi.currency = "EUR";
  pi.timestamp = std::chrono::floor<std::chrono::seconds>(clock_.now());
  const auto built = purchase("purchase-0000000000000031", "order-31", 100);
  // The customer signed 100; the bundle carries a PI raised to 9000.
  auto raised = pi;
  raised.amount = 9000;
  const auto request = seal(built.order_bytes, payment::encode(pi), pi.purchase_id, "order-31", 100,
                            alice_, payment::encode(raised));
  expect_refused(request, ReasonCode::kDualSignatureInvalid);
}

TEST_F(GatewayProcessorTest, MerchantClaimDifferentFromTheSignedPaymentIsRefused) {
  auto built = purchase("purchase-0000000000000032", "order-32", 100);
  built.request.amount = 90;  // the merchant claims less than the customer signed
  expect_refused(built.request, ReasonCode::kPaymentMismatch);
}

TEST_F(GatewayProcessorTest, DamagedEnvelopeIsUndecipherable) {
  auto built = purchase("purchase-0000000000000033", "order-33");
  built.request.payment_envelope[built.request.payment_envelope.size() - 3] ^= 0x01;
  EXPECT_EQ(send_request(built.request).sip_status, 493);
  EXPECT_TRUE(drain_outbox().empty());
  EXPECT_EQ(count("SELECT count(*) FROM gateway_transactions"), 0);
}

TEST_F(GatewayProcessorTest, ReplayedPurchaseGetsTheSameTransactionAgain) {
  const auto built = purchase("purchase-0000000000000040", "order-40");
  ASSERT_EQ(send_request(built.request).sip_status, 200);
  const auto first = of_type(drain_outbox(), "confirmation-request");
  ASSERT_EQ(send_request(built.request).sip_status, 200);
  const auto second = of_type(drain_outbox(), "confirmation-request");
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(first[0].content, second[0].content) << "the stored CR bytes, so H(CR) holds";
  EXPECT_EQ(account("alice").debits_pending, 2500);
  EXPECT_EQ(count("SELECT count(*) FROM transfers WHERE kind = 'payment'"), 1);
}

TEST_F(GatewayProcessorTest, ReplayedPurchaseUnderANewOrderRefIsRefused) {
  reserve("purchase-0000000000000041", "order-41");
  const auto replay = purchase("purchase-0000000000000041", "order-41b");
  ASSERT_EQ(send_request(replay.request).sip_status, 200);
  const auto notices = of_type(drain_outbox(), "failure-notice");
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].to_uri, kShop);
  EXPECT_EQ(reason_of(notices[0]), ReasonCode::kPurchaseIdReused);
  EXPECT_EQ(account("alice").debits_pending, 2500);
}

TEST_F(GatewayProcessorTest, RevokedCustomerCertificateIsRefused) {
  const sec::RevokedCertificate revoked{alice_.certificate.serial_hex(),
                                        std::chrono::system_clock::now() - 1min};
  sec::CrlRequest crl;
  crl.this_update = std::chrono::system_clock::now() - 1h;
  crl.next_update = std::chrono::system_clock::now() + 24h;
  const auto pem = sec::make_crl_pem(ca_.certificate, ca_.key, std::span(&revoked, 1), crl);
  ASSERT_TRUE(pem.ok());
  sec::TrustStore with_crl = *keys_.trust->current();
  ASSERT_TRUE(with_crl.add_crl_pem(pem.value()).ok());
  keys_.trust = std::make_shared<sec::ReloadableTrustStore>(std::move(with_crl), std::nullopt);
  expect_refused(purchase("purchase-0000000000000050", "order-50").request,
                 ReasonCode::kCertificateRevoked);
}

TEST_F(GatewayProcessorTest, SignatureFromAnotherCaIsRefused) {
  const auto other_ca = sec::testing::make_test_ca("another operator");
  const Party mallory = make_party(other_ca, kAlice);
  expect_refused(purchase("purchase-0000000000000051", "order-51", 2500, kPin, &mallory).request,
                 ReasonCode::kDualSignatureInvalid);
}

TEST_F(GatewayProcessorTest, AnotherCustomersCertificateCannotSpendAlicesAccount) {
  const Party bob = make_party(ca_, "sip:bob@pay.test");
  expect_refused(purchase("purchase-0000000000000052", "order-52", 2500, kPin, &bob).request,
                 ReasonCode::kUnknownAccount);
}

TEST_F(GatewayProcessorTest, RestartWhilePendingSettlesExactlyOnce) {
  const std::string cr = reserve("purchase-0000000000000060", "order-60");
  open();  // the gateway process restarts: only the file remains
  const std::string ack = ack_for(cr, Decision::kAccept);
  EXPECT_EQ(send(kAlice, ack).sip_status, 200);
  open();
  EXPECT_EQ(send(kAlice, ack).sip_status, 200);  // the customer's retransmission
  EXPECT_EQ(account("alice").balance, 7500);
  EXPECT_EQ(account("shop").balance, 2500);
  EXPECT_EQ(of_type(drain_outbox(), "receipt").size(), 3u);  // two, then one repeated
  EXPECT_TRUE(invariant_violations().empty());
}

TEST_F(GatewayProcessorTest, RestartAfterTheDeadlineVoidsOnTheFirstSweep) {
  reserve("purchase-0000000000000061", "order-61");
  ledger_.reset();
  processor_.reset();
  clock_.advance(policy_.machine.confirmation_timeout + 5s);
  open();
  EXPECT_EQ(processor_->expire_due(), 1u);
  EXPECT_EQ(account("alice").debits_pending, 0);
  EXPECT_EQ(account("alice").balance, 10000);
}

TEST_F(GatewayProcessorTest, UndeliveredMessagesSurviveARestart) {
  ASSERT_EQ(send_request(purchase("purchase-0000000000000062", "order-62").request).sip_status, 200);
  open();
  const auto messages = drain_outbox();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].message_type, "confirmation-request");
}

TEST_F(GatewayProcessorTest, FailedOutboxWriteLeavesNoReservation) {
  ledger_->transact([](ledger::LedgerTransaction& tx) {
    tx.connection().execute(
        "CREATE TRIGGER outbox_fails BEFORE INSERT ON gateway_outbox "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  });
  const auto built = purchase("purchase-0000000000000070", "order-70");
  EXPECT_THROW(send_request(built.request), ledger::LedgerError);
  EXPECT_EQ(account("alice").debits_pending, 0);
  EXPECT_EQ(count("SELECT count(*) FROM transfers WHERE kind = 'payment'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM gateway_transactions"), 0);

  ledger_->transact([](ledger::LedgerTransaction& tx) { tx.connection().execute("DROP TRIGGER outbox_fails"); });
  EXPECT_EQ(send_request(built.request).sip_status, 200);  // the merchant's resend
  EXPECT_EQ(account("alice").debits_pending, 2500);
  EXPECT_EQ(of_type(drain_outbox(), "confirmation-request").size(), 1u);
}

TEST_F(GatewayProcessorTest, FailedOutboxWriteOnAcceptLeavesThePendingTransfer) {
  const std::string cr = reserve("purchase-0000000000000071", "order-71");
  ledger_->transact([](ledger::LedgerTransaction& tx) {
    tx.connection().execute(
        "CREATE TRIGGER outbox_fails BEFORE INSERT ON gateway_outbox "
        "BEGIN SELECT RAISE(ABORT, 'disk full'); END");
  });
  const std::string ack = ack_for(cr, Decision::kAccept);
  EXPECT_THROW(send(kAlice, ack), ledger::LedgerError);
  EXPECT_EQ(account("alice").balance, 10000);
  EXPECT_EQ(account("alice").debits_pending, 2500);
  ledger_->transact([](ledger::LedgerTransaction& tx) { tx.connection().execute("DROP TRIGGER outbox_fails"); });
  EXPECT_EQ(send(kAlice, ack).sip_status, 200);
  EXPECT_EQ(account("alice").balance, 7500);
}

TEST_F(GatewayProcessorTest, AckFromSomeoneElseIsForbidden) {
  const std::string cr = reserve("purchase-0000000000000080", "order-80");
  EXPECT_EQ(send("sip:bob@pay.test", ack_for(cr, Decision::kAccept)).sip_status, 403);
  EXPECT_EQ(account("alice").debits_pending, 2500);
}

TEST_F(GatewayProcessorTest, MessagesTheGatewayDoesNotReceiveGet415AndGarbage400) {
  EXPECT_EQ(send(kShop, "{not json").sip_status, 400);
  EXPECT_EQ(send(kShop, R"({"type":"order"})").sip_status, 400);
  const std::string order = purchase("purchase-0000000000000081", "order-81").order_bytes;
  const auto handled = send(kShop, order);
  EXPECT_EQ(handled.sip_status, 415);
  EXPECT_EQ(handled.reason, "the gateway does not receive order");
  EXPECT_TRUE(drain_outbox().empty());
}

TEST_F(GatewayProcessorTest, HistoryListsTheSendersTransactionsNewestFirst) {
  reserve("purchase-0000000000000090", "order-90");
  reserve("purchase-0000000000000091", "order-91");
  reserve("purchase-0000000000000092", "order-92");
  payment::HistoryInquiry inquiry;
  inquiry.message_id = ids_.new_id();
  inquiry.limit = 2;
  inquiry.timestamp = std::chrono::floor<std::chrono::seconds>(clock_.now());
  ASSERT_EQ(send(kAlice, payment::encode(inquiry)).sip_status, 200);
  auto answers = of_type(drain_outbox(), "history-answer");
  ASSERT_EQ(answers.size(), 1u);
  auto page = payment::decode<payment::HistoryAnswer>(answers[0].content);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].purchase_id, "purchase-0000000000000092");
  EXPECT_EQ(page->entries[1].purchase_id, "purchase-0000000000000091");
  ASSERT_TRUE(page->next_cursor.has_value());

  inquiry.cursor = page->next_cursor;
  ASSERT_EQ(send(kAlice, payment::encode(inquiry)).sip_status, 200);
  page = payment::decode<payment::HistoryAnswer>(of_type(drain_outbox(), "history-answer").at(0).content);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 1u);
  EXPECT_EQ(page->entries[0].purchase_id, "purchase-0000000000000090");
  EXPECT_FALSE(page->next_cursor.has_value());

  // Someone else sees none of them.
  inquiry.cursor.reset();
  ASSERT_EQ(send("sip:bob@pay.test", payment::encode(inquiry)).sip_status, 200);
  page = payment::decode<payment::HistoryAnswer>(of_type(drain_outbox(), "history-answer").at(0).content);
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->entries.empty());
}

// Reserves purchases of 1.00, 2.00, ... `count`.00 EUR, oldest first.
class GatewayHistoryTest : public GatewayProcessorTest {
 protected:
  void reserve_amounts(int count) {
    for (int i = 1; i <= count; ++i) {
      const auto handled =
          send_request(purchase(fmt::format("purchase-00000000000001{:02}", i), fmt::format("order-1{:02}", i),
                                i * 100)
                           .request);
      ASSERT_EQ(handled.sip_status, 200) << handled.reason;
    }
    drain_outbox();
  }

  // Sends a history inquiry from `sender` and returns the history answer it receives.
  payment::HistoryAnswer page(const std::string& sender, std::optional<std::string> cursor, std::int64_t limit) {
    payment::HistoryInquiry inquiry;
    inquiry.message_id = ids_.new_id();
    inquiry.cursor = std::move(cursor);
    inquiry.limit = limit;
    inquiry.timestamp = std::chrono::floor<std::chrono::seconds>(clock_.now());
    const auto handled = send(sender, payment::encode(inquiry));
    EXPECT_EQ(handled.sip_status, 200) << handled.reason;
    const auto answers = of_type(drain_outbox(), "history-answer");
    EXPECT_EQ(answers.size(), 1u);
    if (answers.empty()) return {};
    EXPECT_EQ(answers[0].to_uri, sender);
    auto answer = payment::decode<payment::HistoryAnswer>(answers[0].content);
    EXPECT_TRUE(answer.ok());
    if (!answer.ok()) return {};
    EXPECT_EQ(answer->in_reply_to, inquiry.message_id);
    return *answer;
  }
};

TEST_F(GatewayHistoryTest, PagesCoverEveryTransactionOnce) {
  reserve_amounts(5);
  std::vector<std::int64_t> amounts;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    const payment::HistoryAnswer answer = page(kAlice, cursor, 2);
    ASSERT_LE(answer.entries.size(), 2u);
    for (const auto& entry : answer.entries) amounts.push_back(entry.amount);
    cursor = answer.next_cursor;
    ASSERT_LT(++pages, 10) << "the cursor does not reach the last page";
  } while (cursor);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(amounts, (std::vector<std::int64_t>{500, 400, 300, 200, 100}));
}

TEST_F(GatewayHistoryTest, FullLastPageHasNoCursor) {
  reserve_amounts(2);
  const payment::HistoryAnswer answer = page(kAlice, std::nullopt, 2);
  ASSERT_EQ(answer.entries.size(), 2u);
  EXPECT_EQ(answer.entries[0].amount, 200);
  EXPECT_FALSE(answer.next_cursor.has_value());
}

TEST_F(GatewayHistoryTest, MerchantSeesItsTransactions) {
  reserve_amounts(3);
  const payment::HistoryAnswer answer = page(kShop, std::nullopt, 100);
  ASSERT_EQ(answer.entries.size(), 3u);
  EXPECT_EQ(answer.entries[0].purchase_id, "purchase-0000000000000103");
  EXPECT_EQ(answer.entries[0].merchant, kShop);
  EXPECT_EQ(answer.entries[0].currency, "EUR");
  EXPECT_EQ(answer.entries[0].state, payment::TransactionState::kPending);
  EXPECT_EQ(answer.entries[2].amount, 100);
  EXPECT_FALSE(answer.next_cursor.has_value());
}

TEST_F(GatewayHistoryTest, CursorItDidNotHandOutIsRejected) {
  reserve_amounts(1);
  for (const std::string cursor : {"abc", "0", "-5", "12x", "99999999999999999999"}) {
    payment::HistoryInquiry inquiry;
    inquiry.message_id = ids_.new_id();
    inquiry.cursor = cursor;
    inquiry.limit = 10;
    inquiry.timestamp = std::chrono::floor<std::chrono::seconds>(clock_.now());
    const auto handled = send(kAlice, payment::encode(inquiry));
    EXPECT_EQ(handled.sip_status, 400) << cursor;
    EXPECT_EQ(handled.reason, "cursor is not one this gateway handed out") << cursor;
    EXPECT_TRUE(of_type(drain_outbox(), "history-answer").empty()) << cursor;
  }
}

TEST_F(GatewayHistoryTest, CursorPastTheOldestGivesAnEmptyPage) {
  reserve_amounts(1);
  const payment::HistoryAnswer answer = page(kAlice, std::string("1"), 10);
  EXPECT_TRUE(answer.entries.empty());
  EXPECT_FALSE(answer.next_cursor.has_value());
}

}  // namespace
}  // namespace sippay::roles::gateway::testing
