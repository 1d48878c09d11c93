#include "roles/customer/secure_wallet_services.hpp"

#include <stdexcept>

#include "security/cms_enveloped_data.hpp"

namespace sippay::roles {

SecureWalletServices::SecureWalletServices(security::SignerCredentials customer, security::Certificate gateway,
                                           security::TrustStore trust)
    : customer_(std::move(customer)), gateway_(std::move(gateway)), trust_(std::move(trust)) {}

std::string SecureWalletServices::sign(std::string_view content) {
  auto signed_data = security::sign_data(content, customer_);
  if (!signed_data) throw std::runtime_error("cannot sign the purchase: " + signed_data.error().to_string());
  return std::move(signed_data.value());
}

std::string SecureWalletServices::envelope_for_gateway(std::string_view plaintext) {
  auto enveloped = security::encrypt_data(plaintext, {gateway_}, trust_);
  if (!enveloped) {
    throw std::runtime_error("cannot envelope the payment for the gateway: " + enveloped.error().to_string());
  }
  return std::move(enveloped.value());
}

}  // namespace sippay::roles
