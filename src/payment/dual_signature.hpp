// The dual signature input: what the customer signs so that one signature
// binds the order (OI), which only the merchant reads, to the payment
// information (PI), which only the gateway reads.
//
// The input is 107 bytes (kDualSignatureInputBytes). Each part is
// length-framed, so that it parses one way only, and it names the protocol
// version and which hash is which:
//
//   u16be(label length) || label
//   u16be(protocol version)
//   u16be(32) || H(OI)
//   u16be(32) || H(PI)
//
// where H is SHA-256 over the exact OI and PI bytes. DS is a CMS SignedData
// by the customer whose encapsulated content is this input, so the signed
// messageDigest attribute is H(label || version || H(OI) || H(PI)) with the
// framing above. A verifier rebuilds the input from the hashes it computed
// itself and compares bytes; it never trusts hashes read out of the input.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "payment/encoding.hpp"

namespace sippay::payment {

inline constexpr std::string_view kDualSignatureLabel = "sippay dual signature: H(OI), H(PI)";
inline constexpr std::size_t kDualSignatureInputBytes =
    2 + kDualSignatureLabel.size() + 2 + 2 + kSha256Bytes + 2 + kSha256Bytes;

// Builds the input from the two hashes.
std::string dual_signature_input(const Sha256Digest& order_hash,
                                 const Sha256Digest& payment_information_hash);

// Builds the input from the exact OI and PI bytes.
std::string dual_signature_input_from_bytes(std::string_view order_bytes,
                                            std::string_view payment_information_bytes);

// SHA-256 of the input: the messageDigest a CMS signature over it carries.
Sha256Digest dual_signature_digest(const Sha256Digest& order_hash,
                                   const Sha256Digest& payment_information_hash);

struct DualSignatureHashes {
  Sha256Digest order_hash{};
  Sha256Digest payment_information_hash{};
};

// Splits an input of exactly the layout above (this label, this version).
// Returns nothing for anything else. For logs and tools: verifiers compare
// with dual_signature_input() instead.
std::optional<DualSignatureHashes> parse_dual_signature_input(std::string_view input);

}  // namespace sippay::payment
