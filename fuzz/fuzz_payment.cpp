// Fuzzes the payment protocol's decoders.
//
// Input layout: byte 0 picks the decoder (its value modulo kDecoderCount, in
// the order of the switch below); the rest is the input. A message that
// decodes must encode again without error, and those bytes must decode to
// an equal message, so the encoder never produces what the decoder rejects.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz_support.hpp"
#include "payment/auth_scheme.hpp"
#include "payment/dual_signature.hpp"
#include "payment/encoding.hpp"
#include "payment/message_codec.hpp"
#include "payment/utc_time.hpp"

namespace {

using sippay::fuzz::fail;
namespace payment = sippay::payment;

constexpr unsigned kDecoderCount = 7;

void check_error(const payment::DecodeError& error, std::string_view input) {
  if (error.message.empty()) fail("decode error without a message", input);
}

void check_message(std::string_view input) {
  const auto decoded = payment::decode_any(input);
  if (!decoded) return check_error(decoded.error(), input);
  std::visit(
      [&](const auto& message) {
        using T = std::decay_t<decltype(message)>;
        std::string bytes;
        try {
          bytes = payment::encode(message);
        } catch (const std::exception& error) {
          fail("a decoded message failed to encode", error.what());
        }
        const auto again = payment::decode<T>(bytes);
        if (!again) fail("the encoder's output failed to decode", again.error().to_string());
        if (!(again.value() == message)) fail("the round trip changed the message", bytes);
      },
      decoded.value());
}

void check_auth(std::string_view input) {
  if (const auto challenge = payment::parse_challenge(input)) {
    const auto again = payment::parse_challenge(payment::format_challenge(challenge.value()));
    if (!again || again->realm != challenge->realm || again->nonce != challenge->nonce) {
      fail("challenge round trip failed", input);
    }
  } else {
    check_error(challenge.error(), input);
  }
  if (const auto credentials = payment::parse_credentials(input)) {
    const auto again = payment::parse_credentials(payment::format_credentials(credentials.value()));
    if (!again || again->purchase_id != credentials->purchase_id) {
      fail("credentials round trip failed", input);
    }
  } else {
    check_error(credentials.error(), input);
  }
  if (const auto nonce = payment::parse_next_nonce(input)) {
    const auto again = payment::parse_next_nonce(payment::format_next_nonce(nonce.value()));
    if (!again || again.value() != nonce.value()) fail("nextnonce round trip failed", input);
  }
}

void check_dual_signature_input(std::string_view input) {
  const auto hashes = payment::parse_dual_signature_input(input);
  if (!hashes) return;
  if (payment::dual_signature_input(hashes->order_hash, hashes->payment_information_hash) !=
      input) {
    fail("dual signature input round trip failed", input);
  }
}

void check_base64(std::string_view input) {
  const auto bytes = payment::from_base64(input);
  if (bytes && payment::to_base64(*bytes) != input) fail("base64 is not canonical", input);
}

void check_time(std::string_view input) {
  const auto time = payment::parse_utc_time(input);
  if (time && payment::format_utc_time(*time) != input) fail("time round trip failed", input);
}

void check_digest(std::string_view input) {
  const auto digest = payment::sha256_from_hex(input);
  if (digest && payment::to_hex(*digest) != input) fail("hex round trip failed", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned decoder = data[0] % kDecoderCount;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (decoder) {
    case 0:
    case 1:  // two of seven selectors, because messages are the main target
      check_message(input);
      break;
    case 2:
      check_auth(input);
      break;
    case 3:
      check_dual_signature_input(input);
      break;
    case 4:
      check_base64(input);
      break;
    case 5:
      check_time(input);
      break;
    default:
      check_digest(input);
      if (const auto error = payment::content_type_error(input)) {
        if (error->empty()) fail("content type error without a message", input);
      }
      break;
  }
  return 0;
}
