#include "payment/dual_signature.hpp"

#include <gtest/gtest.h>

#include <set>

#include "payment/payment_test_support.hpp"

namespace sippay::payment {
namespace {

TEST(DualSignature, InputHasTheDocumentedLayout) {
  const Sha256Digest order_hash = sha256("order");
  const Sha256Digest payment_hash = sha256("payment");
  const std::string input = dual_signature_input(order_hash, payment_hash);
  ASSERT_EQ(input.size(), kDualSignatureInputBytes);

  std::string expected;
  expected.push_back(0);
  expected.push_back(static_cast<char>(kDualSignatureLabel.size()));
  expected.append(kDualSignatureLabel);
  expected.append(std::string("\0\1", 2));  // version 1
  expected.append(std::string("\0\x20", 2));
  expected.append(reinterpret_cast<const char*>(order_hash.data()), order_hash.size());
  expected.append(std::string("\0\x20", 2));
  expected.append(reinterpret_cast<const char*>(payment_hash.data()), payment_hash.size());
  EXPECT_EQ(input, expected);
  EXPECT_EQ(dual_signature_digest(order_hash, payment_hash), sha256(expected));
}

TEST(DualSignature, FromBytesHashesExactBytes) {
  const std::string order = encode(testing::sample_order());
  const std::string payment = encode(testing::sample_payment());
  EXPECT_EQ(dual_signature_input_from_bytes(order, payment),
            dual_signature_input(sha256(order), sha256(payment)));
  // One added space changes the input: nothing is re-encoded before hashing.
  EXPECT_NE(dual_signature_input_from_bytes(order + " ", payment),
            dual_signature_input_from_bytes(order, payment));
}

TEST(DualSignature, SwappingHashesChangesInput) {
  const Sha256Digest a = sha256("a");
  const Sha256Digest b = sha256("b");
  EXPECT_NE(dual_signature_input(a, b), dual_signature_input(b, a));
  EXPECT_NE(dual_signature_digest(a, b), dual_signature_digest(b, a));
}

TEST(DualSignature, DistinctPairsGiveDistinctInputs) {
  // Every (OI, PI) pair over a set of byte strings, including ones that
  // concatenate to the same text, maps to its own input.
  const std::string parts[] = {"", "a", "ab", "b", "ba", "abc", "c", "bc"};
  std::set<std::string> inputs;
  std::size_t pairs = 0;
  for (const std::string& order : parts) {
    for (const std::string& payment : parts) {
      inputs.insert(dual_signature_input_from_bytes(order, payment));
      ++pairs;
    }
  }
  EXPECT_EQ(inputs.size(), pairs);
}

TEST(DualSignature, ParseRecoversHashes) {
  const Sha256Digest a = sha256("a");
  const Sha256Digest b = sha256("b");
  const auto hashes = parse_dual_signature_input(dual_signature_input(a, b));
  ASSERT_TRUE(hashes);
  EXPECT_EQ(hashes->order_hash, a);
  EXPECT_EQ(hashes->payment_information_hash, b);
}

TEST(DualSignature, ParseRejectsAlteredFraming) {
  const std::string input = dual_signature_input(sha256("a"), sha256("b"));
  EXPECT_FALSE(parse_dual_signature_input(""));
  EXPECT_FALSE(parse_dual_signature_input(input.substr(1)));
  EXPECT_FALSE(parse_dual_signature_input(input + "x"));
  // Every framing byte (label length, label, version, hash lengths) matters.
  const std::size_t order_at = 2 + kDualSignatureLabel.size() + 4;
  for (std::size_t i = 0; i < input.size(); ++i) {
    const bool in_order_hash = i >= order_at && i < order_at + kSha256Bytes;
    const bool in_payment_hash = i >= order_at + kSha256Bytes + 2;
    if (in_order_hash || in_payment_hash) continue;
    std::string altered = input;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    EXPECT_FALSE(parse_dual_signature_input(altered)) << "byte " << i;
  }
}

}  // namespace
}  // namespace sippay::payment
