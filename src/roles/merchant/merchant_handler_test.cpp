// The merchant host on the real parts: a SQLite file, CMS dual signatures
// from certificates made at test time, and the payment codec.
#include "roles/merchant/merchant_handler.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "payment/auth_scheme.hpp"
#include "payment/dual_signature.hpp"
#include "payment/message_codec.hpp"
#include "roles/merchant/merchant_test_support.hpp"
#include "security/cms_test_fixture.hpp"

namespace sippay::roles::merchant {
namespace {

using namespace std::chrono_literals;
using payment::MessageType;
using payment::ReasonCode;
using security::testing::CmsWorld;
using security::testing::Party;

const std::string kAlice(security::testing::kAlice);
const std::string kMerchant(security::testing::kMerchant);
const std::string kGateway(security::testing::kGateway);
constexpr const char* kRealm = "shop.test";
constexpr const char* kPurchaseId = "pid-0123456789abcdef";

std::string header(const MerchantReply& reply, std::string_view name) {
  for (const auto& [field, value] : reply.headers) {
    if (field == name) return value;
  }
  return {};
}

class MerchantHandlerTest : public ::testing::Test {
 protected:
  MerchantHandlerTest() { open(); }

  // Opens the store and the handler on the same file, as a daemon start does.
  void open() {
    handler_.reset();
    services_.reset();
    store_.reset();
    store_ = std::make_unique<SqliteMerchantStore>(folder_.path() / "merchant.sqlite");
    store_->sync_catalog(testing::sample_catalog());
    services_ = std::make_unique<MerchantServicesImpl>(
        *store_, std::make_shared<security::ReloadableTrustStore>(world().trust, std::nullopt), 300s);
    handler_ = std::make_unique<MerchantHandler>(
        *store_, *services_, ids_, payment::MerchantConfig{kMerchant, kRealm, kGateway, 300s, 300s});
  }

  static const CmsWorld& world() { return CmsWorld::get(); }

  std::string challenge() {
    const MerchantReply reply = handler_->handle({kAlice, "", std::nullopt}, now_);
    EXPECT_EQ(reply.status, 401);
    const auto parsed = payment::parse_challenge(header(reply, "WWW-Authenticate"));
    EXPECT_TRUE(parsed.ok());
    if (!parsed.ok()) return "";
    EXPECT_EQ(parsed->realm, kRealm);
    return parsed->nonce;
  }

  payment::Order order(const std::string& nonce) const {
    return testing::sample_order(kMerchant, nonce, std::chrono::floor<std::chrono::seconds>(now_));
  }

  // The purchase as a wallet builds it: DS signed by `signer` over the
  // order bytes that travel (or over `signed_order` when given, to tamper).
  std::string purchase(const payment::Order& order, const Party& signer,
                       std::optional<payment::Order> signed_order = std::nullopt) const {
    payment::Purchase purchase;
    purchase.message_id = "msg-purchase-000001";
    purchase.purchase_id = order.purchase_id;
    purchase.order = payment::encode(order);
    purchase.payment_information_hash = payment::sha256("the PI bytes");
    const std::string signed_bytes = payment::encode(signed_order.value_or(order));
    purchase.dual_signature = security::testing::take_cms(security::sign_data(
        payment::dual_signature_input(payment::sha256(signed_bytes),
                                      purchase.payment_information_hash),
        signer.credentials()));
    purchase.payment_envelope = "opaque payment envelope";
    return payment::encode(purchase);
  }

  MerchantReply send(const std::string& content, const std::string& nonce,
                     const std::string& purchase_id = kPurchaseId) {
    return handler_->handle(
        {kAlice, content,
         payment::format_credentials({kRealm, nonce, purchase_id})},
        now_);
  }

  // Challenge, then the purchase with the nonce; returns the reply.
  MerchantReply buy(payment::Order base = {}, bool use_base = false) {
    nonce_ = challenge();
    payment::Order built = use_base ? base : order(nonce_);
    built.merchant_nonce = nonce_;
    return send(purchase(built, world().alice), nonce_);
  }

  std::vector<PendingMessage> outbox() {
    return store_->due_messages(std::chrono::floor<std::chrono::seconds>(now_ + 24h), 100);
  }

  // The reason of the one merchant failure notice queued for the customer.
  ReasonCode refusal() {
    const auto messages = outbox();
    EXPECT_EQ(messages.size(), 1u);
    if (messages.empty()) return ReasonCode::kAborted;
    EXPECT_EQ(messages[0].to_uri, kAlice);
    const auto notice = payment::decode<payment::FailureNotice>(messages[0].content);
    EXPECT_TRUE(notice.ok());
    if (!notice.ok()) return ReasonCode::kAborted;
    EXPECT_EQ(notice->issuer, payment::Issuer::kMerchant);
    EXPECT_TRUE(notice->next_nonce);
    return notice->reason;
  }

  std::string order_ref() {
    const auto record = store_->find_by_purchase(kPurchaseId);
    return record && record->merchant_order_ref ? *record->merchant_order_ref : "";
  }

  std::string gateway_message(payment::TransactionState state, std::string ref = "") {
    payment::AbortAnswer answer;
    answer.message_id = "msg-answer-00000001";
    answer.in_reply_to = "msg-abort-000000001";
    answer.transaction_id = "txn-0000000000000001";
    answer.purchase_id = kPurchaseId;
    answer.merchant_order_ref = ref.empty() ? order_ref() : ref;
    answer.merchant = kMerchant;
    answer.state = state;
    answer.timestamp = std::chrono::floor<std::chrono::seconds>(now_);
    return payment::encode(answer);
  }

  testing::TempFolder folder_;
  RandomIds ids_;
  std::unique_ptr<SqliteMerchantStore> store_;
  std::unique_ptr<MerchantServicesImpl> services_;
  std::unique_ptr<MerchantHandler> handler_;
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
  std::string nonce_;
};

TEST_F(MerchantHandlerTest, ProbeGetsChallenge) {
  EXPECT_EQ(challenge().size(), 22u);
}

TEST_F(MerchantHandlerTest, PurchaseWithoutAuthorizationIsChallenged) {
  const std::string nonce = challenge();
  const MerchantReply reply =
      handler_->handle({kAlice, purchase(order(nonce), world().alice), std::nullopt}, now_);
  EXPECT_EQ(reply.status, 401);
  EXPECT_TRUE(payment::parse_challenge(header(reply, "WWW-Authenticate")).ok());
  EXPECT_TRUE(outbox().empty());
}

TEST_F(MerchantHandlerTest, MalformedAuthorizationIsBadRequest) {
  const std::string nonce = challenge();
  const MerchantReply reply = handler_->handle(
      {kAlice, purchase(order(nonce), world().alice), std::string("SipPay nonce=1")}, now_);
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(reply.reason.find("Authorization"), std::string::npos) << reply.reason;
}

TEST_F(MerchantHandlerTest, ValidPurchaseIsForwarded) {
  const MerchantReply reply = buy();
  ASSERT_EQ(reply.status, 200) << reply.reason;
  EXPECT_TRUE(payment::parse_next_nonce(header(reply, "Authentication-Info")).ok());

  const auto messages = outbox();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].to_uri, kGateway);
  EXPECT_EQ(messages[0].type, MessageType::kPaymentRequest);
  const auto request = payment::decode<payment::PaymentRequest>(messages[0].content);
  ASSERT_TRUE(request.ok()) << request.error().to_string();
  EXPECT_EQ(request->order_hash, payment::sha256(payment::encode(order(nonce_))));
  EXPECT_EQ(request->payment_envelope, "opaque payment envelope");
  EXPECT_EQ(request->amount, 2500);
  EXPECT_EQ(request->merchant_order_ref, order_ref());
  EXPECT_EQ(store_->stock("coffee-beans")->available, 3);
  EXPECT_EQ(store_->stock("coffee-beans")->reserved, 2);
  EXPECT_EQ(handler_->take_queued_count(), 1u);
}

TEST_F(MerchantHandlerTest, UnknownItemIsRefused) {
  payment::Order unknown = order("");
  unknown.item_id = "caviar";
  ASSERT_EQ(buy(unknown, true).status, 200);
  EXPECT_EQ(refusal(), ReasonCode::kUnknownItem);
}

TEST_F(MerchantHandlerTest, SoldOutIsRefused) {
  payment::Order many = order("");
  many.quantity = 6;
  many.amount = 6 * 1250;
  ASSERT_EQ(buy(many, true).status, 200);
  EXPECT_EQ(refusal(), ReasonCode::kSoldOut);
  EXPECT_EQ(store_->stock("coffee-beans")->available, 5);
}

TEST_F(MerchantHandlerTest, PriceMismatchIsRefused) {
  payment::Order cheap = order("");
  cheap.unit_price = 1000;
  cheap.amount = 2000;
  ASSERT_EQ(buy(cheap, true).status, 200);
  EXPECT_EQ(refusal(), ReasonCode::kPriceMismatch);
  EXPECT_EQ(store_->stock("coffee-beans")->available, 5);
}

TEST_F(MerchantHandlerTest, TamperedOrderIsRefused) {
  const std::string nonce = challenge();
  // The customer signed 2 x 12.50; the order that arrives says 3 x 12.50.
  payment::Order altered = order(nonce);
  altered.quantity = 3;
  altered.amount = 3750;
  ASSERT_EQ(send(purchase(altered, world().alice, order(nonce)), nonce).status, 200);
  EXPECT_EQ(refusal(), ReasonCode::kDualSignatureInvalid);
  EXPECT_EQ(store_->stock("coffee-beans")->available, 5);
}

TEST_F(MerchantHandlerTest, SignatureOfAnotherSignerIsForbidden) {
  const std::string nonce = challenge();
  const MerchantReply reply = send(purchase(order(nonce), world().bob_rsa), nonce);
  EXPECT_EQ(reply.status, 403);
  EXPECT_TRUE(outbox().empty());
}

// The refusal is the SIP response, because the merchant's outbox could not
// envelope a notice for the revoked certificate.
TEST_F(MerchantHandlerTest, RevokedCertificateIsForbidden) {
  const std::string nonce = challenge();
  const MerchantReply reply = send(purchase(order(nonce), world().revoked), nonce);
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.reason, "Your certificate is revoked; contact your operator.");
  EXPECT_TRUE(outbox().empty());
  EXPECT_EQ(store_->stock("coffee-beans")->available, 5);
}

TEST_F(MerchantHandlerTest, ReplayedPurchaseIsChallenged) {
  ASSERT_EQ(buy().status, 200);
  // Another purchase id with the nonce already used.
  payment::Order replay = order(nonce_);
  replay.purchase_id = "pid-replay-000000001";
  const MerchantReply reply =
      send(purchase(replay, world().alice), nonce_, "pid-replay-000000001");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(outbox().size(), 1u);
  EXPECT_EQ(store_->stock("coffee-beans")->available, 3);
}

TEST_F(MerchantHandlerTest, ExpiredNonceIsChallenged) {
  const std::string nonce = challenge();
  now_ += 300s;
  const MerchantReply reply = send(purchase(order(nonce), world().alice), nonce);
  EXPECT_EQ(reply.status, 401);
  EXPECT_NE(payment::parse_challenge(header(reply, "WWW-Authenticate"))->nonce, nonce);
  EXPECT_TRUE(outbox().empty());
}

TEST_F(MerchantHandlerTest, NonceSurvivesRestart) {
  const std::string nonce = challenge();
  open();
  EXPECT_EQ(send(purchase(order(nonce), world().alice), nonce).status, 200);
  EXPECT_EQ(outbox().size(), 1u);
}

TEST_F(MerchantHandlerTest, RetransmissionAfterRestartIsSameReservation) {
  ASSERT_EQ(buy().status, 200);
  const std::string first_ref = order_ref();
  const std::string retransmitted = purchase(order(nonce_), world().alice);
  open();
  const MerchantReply reply = send(retransmitted, nonce_);
  EXPECT_EQ(reply.status, 200) << reply.reason;
  EXPECT_EQ(order_ref(), first_ref);
  EXPECT_EQ(outbox().size(), 1u);
  EXPECT_EQ(store_->stock("coffee-beans")->available, 3);
  EXPECT_EQ(store_->stock("coffee-beans")->reserved, 2);
}

TEST_F(MerchantHandlerTest, DeadlineAsksGatewayAndKeepsStock) {
  ASSERT_EQ(buy().status, 200);
  EXPECT_EQ(handler_->sweep(now_ + 299s), 0u);
  open();  // the deadline is a column: a restart keeps it
  EXPECT_EQ(handler_->sweep(now_ + 300s), 1u);
  EXPECT_EQ(handler_->sweep(now_ + 400s), 0u);
  const auto messages = outbox();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[1].type, MessageType::kAbortRequest);
  EXPECT_EQ(messages[1].to_uri, kGateway);
  EXPECT_EQ(store_->stock("coffee-beans")->reserved, 2);
}

TEST_F(MerchantHandlerTest, AbortAnswerReleasesStock) {
  ASSERT_EQ(buy().status, 200);
  handler_->sweep(now_ + 300s);
  const MerchantReply reply =
      handler_->handle({kGateway, gateway_message(payment::TransactionState::kAborted), {}}, now_);
  EXPECT_EQ(reply.status, 200) << reply.reason;
  EXPECT_EQ(store_->stock("coffee-beans")->available, 5);
  EXPECT_EQ(store_->reservation(order_ref())->state, ReservationState::kReleased);
}

TEST_F(MerchantHandlerTest, AbortAnswerSettledDelivers) {
  ASSERT_EQ(buy().status, 200);
  handler_->sweep(now_ + 300s);
  const MerchantReply reply =
      handler_->handle({kGateway, gateway_message(payment::TransactionState::kSettled), {}}, now_);
  EXPECT_EQ(reply.status, 200) << reply.reason;
  EXPECT_EQ(store_->stock("coffee-beans")->available, 3);
  EXPECT_EQ(store_->reservation(order_ref())->state, ReservationState::kDelivered);
}

TEST_F(MerchantHandlerTest, UnsignedAnswerReleasesNothing) {
  ASSERT_EQ(buy().status, 200);
  handler_->sweep(now_ + 300s);
  MerchantRequest forged{kGateway, gateway_message(payment::TransactionState::kAborted), {}};
  forged.signer_verified = false;
  EXPECT_EQ(handler_->handle(forged, now_).status, 403);
  EXPECT_EQ(store_->stock("coffee-beans")->reserved, 2);
}

TEST_F(MerchantHandlerTest, UnsignedPurchaseIsAccepted) {
  const std::string nonce = challenge();
  MerchantRequest request{kAlice, purchase(order(nonce), world().alice),
                          payment::format_credentials({kRealm, nonce, kPurchaseId})};
  request.signer_verified = false;
  EXPECT_EQ(handler_->handle(request, now_).status, 200);
  EXPECT_EQ(store_->stock("coffee-beans")->reserved, 2);
}

TEST_F(MerchantHandlerTest, AnswerFromCustomerReleasesNothing) {
  ASSERT_EQ(buy().status, 200);
  const MerchantReply reply =
      handler_->handle({kAlice, gateway_message(payment::TransactionState::kAborted), {}}, now_);
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(store_->stock("coffee-beans")->reserved, 2);
}

TEST_F(MerchantHandlerTest, GatewayNoticeReleasesStock) {
  ASSERT_EQ(buy().status, 200);
  payment::FailureNotice notice;
  notice.message_id = "msg-notice-00000001";
  notice.issuer = payment::Issuer::kGateway;
  notice.transaction_id = "txn-0000000000000001";
  notice.purchase_id = kPurchaseId;
  notice.merchant_order_ref = order_ref();
  notice.merchant = kMerchant;
  notice.amount = 2500;
  notice.currency = "EUR";
  notice.reason = ReasonCode::kWrongPin;
  notice.timestamp = std::chrono::floor<std::chrono::seconds>(now_);
  const std::string bytes = payment::encode(notice);
  EXPECT_EQ(handler_->handle({kGateway, bytes, {}}, now_).status, 200);
  EXPECT_EQ(handler_->handle({kGateway, bytes, {}}, now_).status, 200);
  EXPECT_EQ(store_->stock("coffee-beans")->available, 5);
  EXPECT_EQ(store_->stock("coffee-beans")->reserved, 0);
}

TEST_F(MerchantHandlerTest, ReceiptDeliversAndIsKept) {
  ASSERT_EQ(buy().status, 200);
  payment::Receipt receipt;
  receipt.message_id = "msg-receipt-0000001";
  receipt.transaction_id = "txn-0000000000000001";
  receipt.purchase_id = kPurchaseId;
  receipt.merchant_order_ref = order_ref();
  receipt.merchant = kMerchant;
  receipt.amount = 2500;
  receipt.currency = "EUR";
  receipt.order_hash = payment::sha256(payment::encode(order(nonce_)));
  receipt.settled_at = std::chrono::floor<std::chrono::seconds>(now_);
  const std::string bytes = payment::encode(receipt);
  EXPECT_EQ(handler_->handle({kGateway, bytes, {}}, now_).status, 200);
  EXPECT_EQ(store_->kept_receipt(order_ref()), bytes);
  EXPECT_EQ(store_->reservation(order_ref())->state, ReservationState::kDelivered);
  EXPECT_EQ(store_->stock("coffee-beans")->available, 3);
}

TEST_F(MerchantHandlerTest, UnknownOrderRefIsNotFound) {
  const MerchantReply reply =
      handler_->handle({kGateway, gateway_message(payment::TransactionState::kAborted, "order-unknown"), {}}, now_);
  EXPECT_EQ(reply.status, 404);
}

TEST_F(MerchantHandlerTest, UndecodableContentIsBadRequest) {
  const MerchantReply reply = handler_->handle({kAlice, "{\"type\":\"order\"}", {}}, now_);
  EXPECT_EQ(reply.status, 400);
  EXPECT_FALSE(reply.reason.empty());
}

TEST_F(MerchantHandlerTest, OtherMessageTypeIsForbidden) {
  payment::StateInquiry inquiry;
  inquiry.message_id = "msg-inquiry-0000001";
  inquiry.purchase_id = kPurchaseId;
  inquiry.timestamp = std::chrono::floor<std::chrono::seconds>(now_);
  const MerchantReply reply = handler_->handle({kAlice, payment::encode(inquiry), {}}, now_);
  EXPECT_EQ(reply.status, 403);
  EXPECT_NE(reply.reason.find("state-inquiry"), std::string::npos) << reply.reason;
}

}  // namespace
}  // namespace sippay::roles::merchant
