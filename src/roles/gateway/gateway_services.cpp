#include "roles/gateway/gateway_services.hpp"

#include "payment/message_codec.hpp"
#include "security/cms_enveloped_data.hpp"
#include "security/cms_signed_data.hpp"

namespace sippay::roles::gateway {
namespace {

using payment::DualSignatureCheck;
using payment::FundsCheck;
using payment::PinCheck;

std::chrono::system_clock::time_point system_time(ledger::TimePoint now) {
  return std::chrono::system_clock::time_point(now.time_since_epoch());
}

std::optional<std::string> merchant_account(ledger::LedgerTransaction& tx, std::string_view owner,
                                            std::string_view currency) {
  ledger::sql::Query query(tx.connection(),
                           "SELECT id FROM accounts WHERE owner_uri = ?1 AND kind = 'merchant' "
                           "AND currency = ?2 ORDER BY id LIMIT 1");
  query->bind(1, owner).bind(2, currency);
  if (!query->step()) return std::nullopt;
  return query->column_text(0);
}

}  // namespace

std::optional<std::string> open_payment_envelope(const GatewayKeys& keys, std::string_view envelope) {
  auto decrypted = security::decrypt_data(envelope, keys.certificate, keys.private_key);
  // The bundle is not signed as a whole, so only AuthEnvelopedData (AES-GCM)
  // protects the PI's integrity.
  if (!decrypted || decrypted.value().protection != security::ContentProtection::authenticated) {
    return std::nullopt;
  }
  return std::move(decrypted.value().content);
}

DualSignatureCheck verify_dual_signature(const GatewayKeys& keys, std::string_view dual_signature,
                                         std::chrono::system_clock::time_point at) {
  security::VerifyOptions options;
  options.require_identity = false;
  options.at = at;
  auto verified = security::verify_signed_data(dual_signature, *keys.trust->current(), options);
  DualSignatureCheck check;
  if (!verified) {
    const auto& error = verified.error();
    if (error.failure == security::CmsFailure::signer_certificate_rejected &&
        error.code == security::ErrorCode::revoked) {
      check.status = DualSignatureCheck::Status::kRevoked;
    }
    return check;
  }
  for (const std::string& uri : verified.value().signer.sip_uris) {
    if (uri.rfind("sip:", 0) == 0 || uri.rfind("sips:", 0) == 0) {
      check.signer = uri;
      break;
    }
  }
  // A signature by a certificate that names no SIP URI binds no customer.
  if (check.signer.empty()) return check;
  check.status = DualSignatureCheck::Status::kValid;
  check.content = std::move(verified.value().content);
  return check;
}

PaymentCrypto precompute_payment_crypto(const GatewayKeys& keys, std::string envelope,
                                        std::chrono::system_clock::time_point at) {
  PaymentCrypto crypto;
  crypto.bundle = open_payment_envelope(keys, envelope);
  crypto.envelope = std::move(envelope);
  if (!crypto.bundle) return crypto;
  auto bundle = payment::decode<payment::PaymentBundle>(*crypto.bundle);
  if (!bundle) return crypto;
  crypto.signature = verify_dual_signature(keys, bundle.value().dual_signature, at);
  crypto.dual_signature = std::move(bundle.value().dual_signature);
  return crypto;
}

std::optional<std::string> LedgerGatewayServices::open_payment_envelope(std::string_view envelope) {
  if (precomputed_ != nullptr && precomputed_->envelope == envelope) return precomputed_->bundle;
  return gateway::open_payment_envelope(keys_, envelope);
}

DualSignatureCheck LedgerGatewayServices::verify_dual_signature(std::string_view dual_signature) {
  DualSignatureCheck check;
  if (precomputed_ != nullptr && precomputed_->dual_signature == dual_signature) {
    check = precomputed_->signature;
  } else {
    check = gateway::verify_dual_signature(keys_, dual_signature, system_time(tx_.now()));
  }
  // check_pin accepts only an account of this signer.
  if (check.status == DualSignatureCheck::Status::kValid) verified_signer_ = check.signer;
  return check;
}

PinCheck LedgerGatewayServices::check_pin(std::string_view account_id, std::string_view pin) {
  const auto account = tx_.find_account(account_id);
  if (!account || account->kind != ledger::AccountKind::kCustomer ||
      account->owner_uri != verified_signer_) {
    return PinCheck::kUnknownAccount;
  }
  if (account->status == ledger::AccountStatus::kFrozen) return PinCheck::kAccountFrozen;
  const ledger::PinState state = tx_.pin_state(account_id);
  if (state.locked_until && tx_.now() < *state.locked_until) return PinCheck::kLocked;

  std::optional<payment::PinVerificationValue> stored;
  if (state.verification_value &&
      state.verification_value->size() == payment::kPinVerificationValueBytes) {
    stored.emplace();
    std::copy(state.verification_value->begin(), state.verification_value->end(), stored->begin());
  }
  if (stored && payment::verify_pin(keys_.pin_key, account_id, pin, *stored)) {
    if (state.failures > 0 || state.locked_until) tx_.reset_pin_failures(account_id);
    return PinCheck::kOk;
  }
  const ledger::PinState after = tx_.record_pin_failure(
      account_id, policy_.max_failures,
      std::chrono::duration_cast<std::chrono::milliseconds>(policy_.lockout));
  if (after.locked_until && tx_.now() < *after.locked_until) return PinCheck::kLocked;
  return PinCheck::kWrong;
}

FundsCheck LedgerGatewayServices::reserve_funds(std::string_view transaction_id,
                                                std::string_view account, std::string_view merchant,
                                                std::int64_t amount, std::string_view currency,
                                                payment::UtcTime expires) {
  const auto credit = merchant_account(tx_, merchant, currency);
  if (!credit) return FundsCheck::kUnknownAccount;
  ledger::ReserveRequest request;
  request.transfer_id = std::string(transaction_id);
  request.debit_account = std::string(account);
  request.credit_account = *credit;
  request.amount = amount;
  request.currency = std::string(currency);
  request.expires_at = std::chrono::time_point_cast<std::chrono::milliseconds>(expires);
  request.reference = "payment to " + std::string(merchant).substr(0, 200);
  try {
    tx_.reserve(request);
  } catch (const ledger::LedgerError& error) {
    switch (error.code()) {
      case ledger::LedgerErrorCode::kInsufficientFunds:
        return FundsCheck::kInsufficient;
      case ledger::LedgerErrorCode::kCurrencyMismatch:
      case ledger::LedgerErrorCode::kInvalidCurrency:
        return FundsCheck::kUnsupportedCurrency;
      case ledger::LedgerErrorCode::kAccountFrozen:
        return FundsCheck::kAccountFrozen;
      case ledger::LedgerErrorCode::kUnknownAccount:
      case ledger::LedgerErrorCode::kWrongAccountKind:
        return FundsCheck::kUnknownAccount;
      default:
        throw;
    }
  }
  return FundsCheck::kReserved;
}

}  // namespace sippay::roles::gateway
