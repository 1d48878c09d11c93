// The envelope and dual signature checks done before the transaction, and
// the services that return their results inside it for the same bytes only.
#include "roles/gateway/gateway_services.hpp"

#include "roles/gateway/gateway_test_support.hpp"

namespace sippay::roles::gateway::testing {
namespace {

using payment::DualSignatureCheck;

class GatewayServicesTest : public GatewayFixture {
 protected:
  std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::time_point(clock_.now().time_since_epoch());
  }
};

TEST_F(GatewayServicesTest, PrecomputeOpensAndVerifies) {
  const auto built = purchase("purchase-0000000000000301", "order-301");
  const PaymentCrypto crypto = precompute_payment_crypto(keys_, built.request.payment_envelope, now());
  EXPECT_EQ(crypto.envelope, built.request.payment_envelope);
  ASSERT_TRUE(crypto.bundle.has_value());
  const auto bundle = payment::decode<payment::PaymentBundle>(*crypto.bundle);
  ASSERT_TRUE(bundle.ok());
  EXPECT_EQ(crypto.dual_signature, bundle->dual_signature);
  EXPECT_EQ(crypto.signature.status, DualSignatureCheck::Status::kValid);
  EXPECT_EQ(crypto.signature.signer, kAlice);
}

TEST_F(GatewayServicesTest, PrecomputeOfGarbageFindsNothing) {
  const PaymentCrypto crypto = precompute_payment_crypto(keys_, "not an envelope", now());
  EXPECT_FALSE(crypto.bundle.has_value());
  EXPECT_FALSE(crypto.dual_signature.has_value());
  EXPECT_EQ(crypto.signature.status, DualSignatureCheck::Status::kInvalid);
}

TEST_F(GatewayServicesTest, PrecomputedResultsServeOnlyTheSameBytes) {
  const auto built = purchase("purchase-0000000000000302", "order-302");
  PaymentCrypto primed = precompute_payment_crypto(keys_, built.request.payment_envelope, now());
  ASSERT_TRUE(primed.dual_signature.has_value());
  // Marked results show whether the services computed or returned them.
  primed.bundle = "primed bundle";
  primed.signature.content = "primed content";

  ledger_->transact([&](ledger::LedgerTransaction& tx) {
    LedgerGatewayServices services(tx, keys_, policy_.pin, &primed);
    EXPECT_EQ(services.open_payment_envelope(built.request.payment_envelope), "primed bundle");
    EXPECT_EQ(services.open_payment_envelope("another envelope"), std::nullopt);

    const DualSignatureCheck other = services.verify_dual_signature("another signature");
    EXPECT_EQ(other.status, DualSignatureCheck::Status::kInvalid);
    const DualSignatureCheck check = services.verify_dual_signature(*primed.dual_signature);
    EXPECT_EQ(check.status, DualSignatureCheck::Status::kValid);
    EXPECT_EQ(check.content, "primed content");
    EXPECT_EQ(check.signer, kAlice);
    // The primed signer binds the PIN check as a computed one does.
    EXPECT_EQ(services.check_pin("alice", kPin), payment::PinCheck::kOk);
  });
}

TEST_F(GatewayServicesTest, WithoutPrecomputedResultsServicesCompute) {
  const auto built = purchase("purchase-0000000000000303", "order-303");
  ledger_->transact([&](ledger::LedgerTransaction& tx) {
    LedgerGatewayServices services(tx, keys_, policy_.pin);
    const auto bundle_bytes = services.open_payment_envelope(built.request.payment_envelope);
    ASSERT_TRUE(bundle_bytes.has_value());
    const auto bundle = payment::decode<payment::PaymentBundle>(*bundle_bytes);
    ASSERT_TRUE(bundle.ok());
    const DualSignatureCheck check = services.verify_dual_signature(bundle->dual_signature);
    EXPECT_EQ(check.status, DualSignatureCheck::Status::kValid);
    EXPECT_EQ(check.signer, kAlice);
    EXPECT_EQ(services.check_pin("alice", "9999"), payment::PinCheck::kWrong);
  });
}

}  // namespace
}  // namespace sippay::roles::gateway::testing
