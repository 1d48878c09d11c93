// A gateway on a real SQLite ledger file with a test PKI made at test time,
// and purchases built the way a wallet and a merchant build them: OI and PI
// encoded, DS signed by the customer, the bundle enveloped for the gateway.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "ledger/invariants.hpp"
#include "ledger/sqlite_ledger.hpp"
#include "payment/dual_signature.hpp"
#include "payment/message_codec.hpp"
#include "roles/gateway/gateway_outbox.hpp"
#include "roles/gateway/gateway_processor.hpp"
#include "roles/endpoint/random_ids.hpp"
#include "security/cms_enveloped_data.hpp"
#include "security/cms_signed_data.hpp"
#include "security/pki_crl.hpp"
#include "security/security_test_support.hpp"

namespace sippay::roles::gateway::testing {

using namespace std::chrono_literals;
namespace sec = security;

inline constexpr const char* kAlice = "sip:alice@pay.test";
inline constexpr const char* kShop = "sip:shop@pay.test";
inline constexpr const char* kGateway = "sip:gateway@pay.test";
inline constexpr const char* kPin = "1234";

// Starts at the real time (certificates are valid around it); tests move it.
class TestClock {
 public:
  ledger::TimePoint now() const { return ledger::TimePoint(std::chrono::milliseconds(ms_.load())); }
  void advance(std::chrono::milliseconds step) { ms_ += step.count(); }

 private:
  std::atomic<std::int64_t> ms_{std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())
                                    .time_since_epoch() / std::chrono::milliseconds(1)};
};

struct Party {
  sec::PrivateKey key;
  sec::Certificate certificate;
};

inline Party make_party(const sec::testing::TestCa& ca, const std::string& uri) {
  auto key = sec::testing::take(sec::PrivateKey::generate(sec::PrivateKey::Algorithm::ec_p256, 2048));
  auto certificate = ca.issue(key, sec::testing::leaf_profile(uri));
  return {std::move(key), std::move(certificate)};
}

// The PKI, the ledger file with alice (10000 EUR minor units, PIN 1234) and
// the shop's merchant account, and a processor on it.
class GatewayFixture : public ::testing::Test {
 protected:
  GatewayFixture()
      : ca_(sec::testing::make_test_ca("sippay test operator")),
        alice_(make_party(ca_, kAlice)),
        gateway_(make_party(ca_, kGateway)),
        keys_{gateway_.certificate, gateway_.key,
              std::make_shared<sec::ReloadableTrustStore>(sec::TrustStore(ca_.certificate), std::nullopt),
              payment::generate_pin_key()} {}

  void SetUp() override {
    open();
    ledger_->transact([&](ledger::LedgerTransaction& tx) {
      tx.create_account({"alice", ledger::AccountKind::kCustomer, kAlice, "EUR"});
      tx.create_account({"shop", ledger::AccountKind::kMerchant, kShop, "EUR"});
      tx.top_up({"top-up-alice", "alice", 10000, "cash desk"});
      const auto value = payment::compute_pin_verification_value(keys_.pin_key, "alice", kPin);
      tx.set_pin_verification_value("alice", ledger::Bytes(value.begin(), value.end()));
    });
  }

  // Opens (again) the ledger file and a processor on it, as a restart does.
  void open() {
    processor_.reset();
    ledger_.reset();
    ledger::SqliteLedgerOptions options;
    options.clock = [this] { return clock_.now(); };
    ledger_ = std::make_unique<ledger::SqliteLedger>(folder_.path() / "ledger.db", options);
    processor_ = std::make_unique<GatewayProcessor>(*ledger_, keys_, policy_, ids_, [this] { return clock_.now(); });
  }

  struct Built {
    std::string order_bytes;
    payment::PaymentRequest request;
  };

  // A purchase as the customer and the merchant build it.
  Built purchase(const std::string& purchase_id, const std::string& order_ref,
                 std::int64_t amount = 2500, const std::string& pin = kPin,
                 const Party* signer = nullptr) {
    const payment::UtcTime now = std::chrono::floor<std::chrono::seconds>(clock_.now());
    payment::Order order;
    order.purchase_id = purchase_id;
    order.merchant = kShop;
    order.merchant_nonce = "nonce-0123456789abcdef";
    order.item_id = "coffee-beans";
    order.quantity = 1;
    order.unit_price = amount;
    order.amount = amount;
    order.currency = "EUR";
    order.timestamp = now;
    payment::PaymentInformation payment;
    payment.purchase_id = purchase_id;
    payment.account = "alice";
    payment.pin = pin;
    payment.merchant = kShop;
    payment.amount = amount;
    payment.currency = "EUR";
    payment.timestamp = now;
    const std::string order_bytes = payment::encode(order);
    const std::string payment_bytes = payment::encode(payment);
    return {order_bytes, seal(order_bytes, payment_bytes, purchase_id, order_ref, amount,
                              signer ? *signer : alice_)};
  }

  // DS over (order, signed_payment), the bundle carries `carried_payment`.
  payment::PaymentRequest seal(const std::string& order_bytes, const std::string& payment_bytes,
                               const std::string& purchase_id, const std::string& order_ref,
                               std::int64_t amount, const Party& signer,
                               std::optional<std::string> carried_payment = std::nullopt) {
    const std::string ds = sign(payment::dual_signature_input_from_bytes(order_bytes, payment_bytes), signer);
    payment::PaymentBundle bundle{carried_payment.value_or(payment_bytes), ds};
    auto envelope = sec::encrypt_data(payment::encode(bundle), {gateway_.certificate}, *keys_.trust->current());
    if (!envelope) throw std::runtime_error(envelope.error().to_string());
    payment::PaymentRequest request;
    request.message_id = ids_.new_id();
    request.purchase_id = purchase_id;
    request.merchant = kShop;
    request.merchant_order_ref = order_ref;
    request.order_hash = payment::sha256(order_bytes);
    request.amount = amount;
    request.currency = "EUR";
    request.payment_envelope = envelope.value();
    request.timestamp = std::chrono::floor<std::chrono::seconds>(clock_.now());
    return request;
  }

  static std::string sign(const std::string& content, const Party& signer) {
    auto signed_data = sec::sign_data(content, sec::SignerCredentials{signer.certificate, signer.key, {}});
    if (!signed_data) throw std::runtime_error(signed_data.error().to_string());
    return signed_data.value();
  }

  payment::Handled send(const std::string& signer, const std::string& content) {
    return processor_->handle(signer, content);
  }
  payment::Handled send_request(const payment::PaymentRequest& request) {
    return send(kShop, payment::encode(request));
  }

  // Everything in the outbox now, delivered (removed) as a 2xx would.
  std::vector<OutboxMessage> drain_outbox() {
    LedgerOutboxStore outbox(*ledger_);
    auto all = outbox.undelivered();
    for (const auto& message : all) outbox.mark_delivered(message.id);
    return all;
  }

  static std::vector<OutboxMessage> of_type(const std::vector<OutboxMessage>& messages,
                                            std::string_view type) {
    std::vector<OutboxMessage> found;
    for (const auto& message : messages) {
      if (message.message_type == type) found.push_back(message);
    }
    return found;
  }

  // The CA's answer to `cr_bytes`.
  std::string ack_for(const std::string& cr_bytes, payment::Decision decision) {
    const auto cr = payment::decode<payment::ConfirmationRequest>(cr_bytes);
    EXPECT_TRUE(cr.ok());
    payment::ConfirmationAck ack;
    ack.message_id = ids_.new_id();
    ack.transaction_id = cr->transaction_id;
    ack.purchase_id = cr->purchase_id;
    ack.decision = decision;
    ack.confirmation_request_hash = payment::sha256(cr_bytes);
    ack.timestamp = std::chrono::floor<std::chrono::seconds>(clock_.now());
    return payment::encode(ack);
  }

  ledger::Account account(const std::string& id) {
    return ledger_->transact([&](ledger::LedgerTransaction& tx) { return tx.get_account(id); });
  }
  std::vector<std::string> invariant_violations() {
    return ledger_->transact([](ledger::LedgerTransaction& tx) { return ledger::check_invariants(tx); });
  }
  std::int64_t count(const std::string& sql) {
    return ledger_->transact([&](ledger::LedgerTransaction& tx) {
      ledger::sql::Query query(tx.connection(), sql);
      query->step();
      return query->column_int64(0);
    });
  }

  static payment::ReasonCode reason_of(const OutboxMessage& notice) {
    const auto decoded = payment::decode<payment::FailureNotice>(notice.content);
    EXPECT_TRUE(decoded.ok()) << notice.content;
    return decoded.ok() ? decoded->reason : payment::ReasonCode::kAborted;
  }

  sec::testing::TempDir folder_;
  TestClock clock_;
  sec::testing::TestCa ca_;
  Party alice_;
  Party gateway_;
  GatewayKeys keys_;
  GatewayPolicy policy_;
  RandomIds ids_;
  std::unique_ptr<ledger::SqliteLedger> ledger_;
  std::unique_ptr<GatewayProcessor> processor_;
};

}  // namespace sippay::roles::gateway::testing
