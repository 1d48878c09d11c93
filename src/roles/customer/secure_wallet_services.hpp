// The wallet's cryptography with the security layer: the dual signature
// with the customer's key (CMS SignedData) and the payment bundle's
// envelope for the gateway's certificate (AuthEnvelopedData).
#pragma once

#include <string>

#include "payment/wallet_machine.hpp"
#include "security/cms_signed_data.hpp"
#include "security/trust_store.hpp"

namespace sippay::roles {

class SecureWalletServices : public payment::WalletServices {
 public:
  SecureWalletServices(security::SignerCredentials customer, security::Certificate gateway,
                       security::TrustStore trust);

  // Both throw std::runtime_error naming the failure (never key material).
  std::string sign(std::string_view content) override;
  std::string envelope_for_gateway(std::string_view plaintext) override;

 private:
  security::SignerCredentials customer_;
  security::Certificate gateway_;
  security::TrustStore trust_;
};

}  // namespace sippay::roles
