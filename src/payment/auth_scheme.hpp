// The SipPay HTTP authentication scheme that carries the merchant challenge
// (RFC 3261 §20.27 other-challenge and §20.7 other-response grammar,
// auth-param = token "=" (token / quoted-string)).
//
// A purchase without a valid, unused merchant nonce gets 401 Unauthorized
// with
//   WWW-Authenticate: SipPay realm="shop.example.com", nonce="...", version=1
// and the customer resubmits, the nonce inside the signed OI, with
//   Authorization: SipPay realm="shop.example.com", nonce="...",
//                  purchase-id="...", version=1
// The header lets the merchant reject a stale or unknown nonce before any
// decryption. The customer's signature covers only the copy inside OI, so
// the merchant requires the two to be equal. A merchant may hand out the next nonce in the 2xx to a
// purchase with
//   Authentication-Info: nextnonce="..."
//
// Parsing is strict: exactly these parameters, each once, in any order,
// quoted or token exactly as shown; the scheme name in any case.
#pragma once

#include <string>
#include <string_view>

#include "payment/decode_error.hpp"

namespace sippay::payment {

inline constexpr std::string_view kAuthScheme = "SipPay";

struct MerchantChallenge {
  std::string realm;  // the merchant's realm, printable ASCII without '"' and '\'
  std::string nonce;  // single use, kNonceRule
};

struct PurchaseCredentials {
  std::string realm;
  std::string nonce;
  std::string purchase_id;
};

// Each format_ function throws std::invalid_argument when a value breaks
// its rule; each parse_ function takes a header value without the name.
std::string format_challenge(const MerchantChallenge& challenge);
DecodeResult<MerchantChallenge> parse_challenge(std::string_view header_value);

std::string format_credentials(const PurchaseCredentials& credentials);
DecodeResult<PurchaseCredentials> parse_credentials(std::string_view header_value);

// The Authentication-Info value `nextnonce="NONCE"`.
std::string format_next_nonce(std::string_view nonce);
// The nextnonce of an Authentication-Info value containing only that parameter.
DecodeResult<std::string> parse_next_nonce(std::string_view header_value);

}  // namespace sippay::payment
