#include "roles/merchant/merchant_services.hpp"

#include <spdlog/spdlog.h>

#include "security/cms_signed_data.hpp"

namespace sippay::roles::merchant {

MerchantServicesImpl::MerchantServicesImpl(SqliteMerchantStore& store,
                                           std::shared_ptr<const security::ReloadableTrustStore> trust,
                                           std::chrono::seconds nonce_lifetime)
    : store_(store), trust_(std::move(trust)), nonce_lifetime_(nonce_lifetime) {}

void MerchantServicesImpl::begin_request(std::string sender_uri,
                                         std::chrono::system_clock::time_point at) {
  sender_uri_ = std::move(sender_uri);
  at_ = at;
}

payment::DualSignatureCheck MerchantServicesImpl::verify_dual_signature(
    std::string_view dual_signature) {
  payment::DualSignatureCheck check;
  security::VerifyOptions options;
  options.claimed_sender = sender_uri_;
  options.at = at_;
  auto verified = security::verify_signed_data(dual_signature, *trust_->current(), options);
  if (verified) {
    check.status = payment::DualSignatureCheck::Status::kValid;
    check.content = std::move(verified.value().content);
    check.signer = sender_uri_;
    return check;
  }
  spdlog::info("dual signature from {} rejected: {}", sender_uri_, verified.error().to_string());
  if (verified.error().code == security::ErrorCode::revoked) {
    check.status = payment::DualSignatureCheck::Status::kRevoked;
    check.signer = sender_uri_;
  }
  return check;
}

std::optional<payment::CatalogItem> MerchantServicesImpl::find_item(std::string_view item_id) {
  return store_.find_listed_item(item_id);
}

bool MerchantServicesImpl::reserve_stock(std::string_view order_ref, std::string_view item_id,
                                         std::int64_t quantity, payment::UtcTime until) {
  return store_.reserve(order_ref, item_id, quantity, until);
}

std::string MerchantServicesImpl::issue_nonce(payment::UtcTime now) {
  std::string nonce = ids_.new_id();
  store_.insert_nonce(nonce, now + nonce_lifetime_);
  return nonce;
}

bool MerchantServicesImpl::consume_nonce(std::string_view nonce, payment::UtcTime now) {
  return store_.consume_nonce(nonce, now);
}

}  // namespace sippay::roles::merchant
