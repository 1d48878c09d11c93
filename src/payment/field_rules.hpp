// Limits and value rules of the payment protocol's message members. Every
// number here is listed in docs/protocol.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sippay::payment {

// The only protocol version this code speaks; every message carries it.
inline constexpr std::int64_t kProtocolVersion = 1;

// Maximum size of one encoded message, in bytes, before any parsing.
inline constexpr std::size_t kMaxMessageBytes = 65536;
// Maximum sizes of the byte strings carried inside messages (after base64
// decoding). Together with their base64 growth they fit kMaxMessageBytes.
inline constexpr std::size_t kMaxOrderBytes = 4096;
inline constexpr std::size_t kMaxPaymentInformationBytes = 4096;
inline constexpr std::size_t kMaxDualSignatureBytes = 12288;
inline constexpr std::size_t kMaxPaymentEnvelopeBytes = 24576;
// Maximum nesting of JSON arrays and objects: a history answer is an object
// containing an array of objects, depth 3.
inline constexpr int kMaxJsonDepth = 3;

// Amounts and unit prices are integer minor units in 1..kMaxAmount.
inline constexpr std::int64_t kMaxAmount = 999'999'999'999;
inline constexpr std::int64_t kMaxQuantity = 1000;
inline constexpr std::int64_t kMaxHistoryEntries = 100;

enum class Charset : unsigned char {
  kId,        // A-Z a-z 0-9 '-' '_' (the base64url alphabet)
  kAccount,   // kId plus '.' ':' '+' '@'
  kCurrency,  // A-Z
  kPin,       // 0-9
  kSipUri,    // a sip: or sips: URI of printable ASCII, as RFC 3261 §25.1 parses it
  kText,      // UTF-8 without control characters
};

struct TextRule {
  std::size_t min_size;  // bytes
  std::size_t max_size;  // bytes
  Charset charset;
};

inline constexpr TextRule kMessageIdRule{16, 64, Charset::kId};
inline constexpr TextRule kPurchaseIdRule{16, 64, Charset::kId};
inline constexpr TextRule kTransactionIdRule{16, 64, Charset::kId};
inline constexpr TextRule kOrderRefRule{1, 64, Charset::kId};
inline constexpr TextRule kNonceRule{16, 128, Charset::kId};
inline constexpr TextRule kItemIdRule{1, 64, Charset::kId};
inline constexpr TextRule kCursorRule{1, 128, Charset::kId};
inline constexpr TextRule kAccountRule{1, 64, Charset::kAccount};
inline constexpr TextRule kCurrencyRule{3, 3, Charset::kCurrency};
inline constexpr TextRule kPinRule{4, 12, Charset::kPin};
inline constexpr TextRule kSipUriRule{7, 256, Charset::kSipUri};
inline constexpr TextRule kDetailRule{1, 256, Charset::kText};
// The merchant's realm in the SipPay auth scheme: printable ASCII without
// '"' and '\', so that it needs no escaping inside a quoted-string.
inline constexpr std::size_t kMaxRealmBytes = 128;

// Checks `value` against `rule`. Returns nothing when it complies, else a
// message stating the rule. The message never contains the value, because
// some values (PINs) are secret.
std::optional<std::string> text_rule_error(std::string_view value, const TextRule& rule);

}  // namespace sippay::payment
