#include "roles/merchant/merchant_services.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <array>
#include <stdexcept>

#include "security/cms_signed_data.hpp"

namespace sippay::roles::merchant {

std::string RandomIds::new_id() {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed to draw a random id");
  }
  // Base64url without padding: 16 bytes are 128 bits, 22 characters of 6 bits.
  std::string id;
  unsigned int buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      id.push_back(kAlphabet[(buffer >> bits) & 0x3F]);
    }
  }
  if (bits > 0) id.push_back(kAlphabet[(buffer << (6 - bits)) & 0x3F]);
  return id;
}

MerchantServicesImpl::MerchantServicesImpl(SqliteMerchantStore& store,
                                           const security::TrustStore& trust,
                                           std::chrono::seconds nonce_lifetime)
    : store_(store), trust_(trust), nonce_lifetime_(nonce_lifetime) {}

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
  auto verified = security::verify_signed_data(dual_signature, trust_, options);
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
