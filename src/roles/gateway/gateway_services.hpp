// The GatewayMachine's crypto and ledger operations, bound to one ledger
// transaction: the gateway key opens Env_G(bundle), the trust store (with
// the CRL) checks the customer's dual signature, the PIN is compared with
// the keyed verification value the ledger stores, and funds are reserved as
// a pending two-phase transfer whose deadline is a column of the transfer.
#pragma once

#include <chrono>
#include <string>

#include "ledger/ledger.hpp"
#include "payment/gateway_machine.hpp"
#include "payment/pin_verification.hpp"
#include "security/certificate.hpp"
#include "security/private_key.hpp"
#include "security/reloadable_trust_store.hpp"

namespace sippay::roles::gateway {

// PIN lockout (docs/gateway.md): after `max_failures` consecutive wrong PINs
// the account refuses every PIN for `lockout`.
struct PinPolicy {
  int max_failures = 3;
  std::chrono::seconds lockout{900};
};

// What the gateway holds for its checks; outlives every GatewayServices.
struct GatewayKeys {
  security::Certificate certificate;  // the gateway's own, recipient of Env_G
  security::PrivateKey private_key;
  // The operator CA and CRL, shared with the endpoint, so that a CRL reload
  // covers the dual signature check too.
  std::shared_ptr<const security::ReloadableTrustStore> trust;
  payment::PinKey pin_key;
};

// Decrypts Env_G(bundle) with the gateway key. Nothing when it cannot be
// decrypted or is not AuthEnvelopedData.
std::optional<std::string> open_payment_envelope(const GatewayKeys& keys, std::string_view envelope);
// Verifies the DS against the operator CA and CRL as of `at`.
payment::DualSignatureCheck verify_dual_signature(const GatewayKeys& keys, std::string_view dual_signature,
                                                  std::chrono::system_clock::time_point at);

// The crypto of one payment request, done before its ledger transaction so
// that the transaction holds the write lock for less time. Each result is
// used only for exactly the input bytes it was computed from.
struct PaymentCrypto {
  std::string envelope;
  std::optional<std::string> bundle;  // open_payment_envelope(envelope)
  // The DS carried in the bundle and its check; unset when the bundle did
  // not open or decode.
  std::optional<std::string> dual_signature;
  payment::DualSignatureCheck signature;
};

// Opens `envelope` and verifies the DS of the bundle inside as of `at`.
PaymentCrypto precompute_payment_crypto(const GatewayKeys& keys, std::string envelope,
                                        std::chrono::system_clock::time_point at);

class LedgerGatewayServices final : public payment::GatewayServices {
 public:
  // With `precomputed`, the envelope and DS checks return its results for
  // the same bytes and compute only for others (the DS then as of tx.now()).
  LedgerGatewayServices(ledger::LedgerTransaction& tx, const GatewayKeys& keys, PinPolicy policy,
                        const PaymentCrypto* precomputed = nullptr)
      : tx_(tx), keys_(keys), policy_(policy), precomputed_(precomputed) {}

  std::optional<std::string> open_payment_envelope(std::string_view envelope) override;
  // Any certificate of the operator CA may sign; the signer's SIP URI comes
  // from its subjectAltName. A revoked certificate gives kRevoked.
  payment::DualSignatureCheck verify_dual_signature(std::string_view dual_signature) override;
  // The account must be a customer account owned by the DS signer verified
  // before (else kUnknownAccount), active, and not locked out.
  payment::PinCheck check_pin(std::string_view account, std::string_view pin) override;
  // The credit account is the merchant account whose owner is `merchant`
  // (the merchant's SIP URI) in `currency`.
  payment::FundsCheck reserve_funds(std::string_view transaction_id, std::string_view account,
                                    std::string_view merchant, std::int64_t amount,
                                    std::string_view currency, payment::UtcTime expires) override;

 private:
  ledger::LedgerTransaction& tx_;
  const GatewayKeys& keys_;
  PinPolicy policy_;
  const PaymentCrypto* precomputed_;
  std::string verified_signer_;
};

}  // namespace sippay::roles::gateway
