// The merchant's MerchantServices on the real parts: the dual signature
// through the security layer's CMS verification, the catalog, stock and
// nonces in the merchant's SQLite store.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "payment/merchant_machine.hpp"
#include "roles/endpoint/random_ids.hpp"
#include "roles/merchant/merchant_store.hpp"
#include "security/reloadable_trust_store.hpp"

namespace sippay::roles::merchant {

class MerchantServicesImpl final : public payment::MerchantServices {
 public:
  // `trust` is read afresh for each dual signature, so a reloaded CRL
  // applies to the next purchase.
  MerchantServicesImpl(SqliteMerchantStore& store, std::shared_ptr<const security::ReloadableTrustStore> trust,
                       std::chrono::seconds nonce_lifetime);

  // The SIP URI the current request claims to come from (its From), and the
  // time the certificate checks use. Set before each request. A purchase
  // comes without an outer signature, so the dual signature check below is
  // what binds it to this URI.
  void begin_request(std::string sender_uri, std::chrono::system_clock::time_point at);

  // Verifies DS as a CMS SignedData whose certificate chains to the operator
  // CA and names the sender. A revoked signer certificate gives kRevoked with
  // the sender as signer. Any other failure gives kInvalid.
  payment::DualSignatureCheck verify_dual_signature(std::string_view dual_signature) override;
  std::optional<payment::CatalogItem> find_item(std::string_view item_id) override;
  bool reserve_stock(std::string_view order_ref, std::string_view item_id, std::int64_t quantity,
                     payment::UtcTime until) override;
  std::string issue_nonce(payment::UtcTime now) override;
  bool consume_nonce(std::string_view nonce, payment::UtcTime now) override;

 private:
  SqliteMerchantStore& store_;
  std::shared_ptr<const security::ReloadableTrustStore> trust_;
  std::chrono::seconds nonce_lifetime_;
  RandomIds ids_;
  std::string sender_uri_;
  std::chrono::system_clock::time_point at_{};
};

}  // namespace sippay::roles::merchant
