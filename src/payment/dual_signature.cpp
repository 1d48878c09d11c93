#include "payment/dual_signature.hpp"

#include <cstdint>

#include "payment/field_rules.hpp"

namespace sippay::payment {
namespace {

void append_u16be(std::string& out, std::size_t value) {
  out.push_back(static_cast<char>((value >> 8) & 0xff));
  out.push_back(static_cast<char>(value & 0xff));
}

void append_framed(std::string& out, std::string_view part) {
  append_u16be(out, part.size());
  out.append(part);
}

std::string_view as_chars(const Sha256Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

}  // namespace

std::string dual_signature_input(const Sha256Digest& order_hash,
                                 const Sha256Digest& payment_information_hash) {
  std::string input;
  input.reserve(kDualSignatureInputBytes);
  append_framed(input, kDualSignatureLabel);
  append_u16be(input, static_cast<std::size_t>(kProtocolVersion));
  append_framed(input, as_chars(order_hash));
  append_framed(input, as_chars(payment_information_hash));
  return input;
}

std::string dual_signature_input_from_bytes(std::string_view order_bytes,
                                            std::string_view payment_information_bytes) {
  return dual_signature_input(sha256(order_bytes), sha256(payment_information_bytes));
}

Sha256Digest dual_signature_digest(const Sha256Digest& order_hash,
                                   const Sha256Digest& payment_information_hash) {
  return sha256(dual_signature_input(order_hash, payment_information_hash));
}

std::optional<DualSignatureHashes> parse_dual_signature_input(std::string_view input) {
  if (input.size() != kDualSignatureInputBytes) return std::nullopt;
  // The layout is fixed, so a template with zero hashes shows where they go.
  const std::string expected = dual_signature_input({}, {});
  const std::size_t order_at = 2 + kDualSignatureLabel.size() + 2 + 2;
  const std::size_t payment_at = order_at + kSha256Bytes + 2;
  if (input.substr(0, order_at) != std::string_view(expected).substr(0, order_at) ||
      input.substr(order_at + kSha256Bytes, 2) !=
          std::string_view(expected).substr(order_at + kSha256Bytes, 2)) {
    return std::nullopt;
  }
  DualSignatureHashes hashes;
  for (std::size_t i = 0; i < kSha256Bytes; ++i) {
    hashes.order_hash[i] = static_cast<unsigned char>(input[order_at + i]);
    hashes.payment_information_hash[i] = static_cast<unsigned char>(input[payment_at + i]);
  }
  return hashes;
}

}  // namespace sippay::payment
