#include "security/cms_ber.hpp"

#include <gtest/gtest.h>

#include "security/cms_content_info.hpp"

namespace sippay::security {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out += static_cast<char>(value);
  return out;
}

// `depth` SEQUENCEs nested in one another around an empty one, with definite lengths.
std::string nested_sequences(std::size_t depth) {
  std::string der = bytes({0x30, 0x00});
  for (std::size_t i = 1; i < depth; ++i) {
    der = bytes({0x30, static_cast<int>(der.size())}) + der;
  }
  return der;
}

CmsFailure failure_of(std::string_view input, const CmsLimits& limits = {}) {
  const auto result = check_ber(input, limits);
  if (result.ok()) return CmsFailure::internal;  // a value no check returns, so the test fails
  return result.error().failure;
}

TEST(CmsBer, ReadsDefiniteSequence) {
  const std::string der = bytes({0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0x41});
  const auto element = check_ber(der);
  ASSERT_TRUE(element.ok()) << element.error().to_string();
  EXPECT_TRUE(element.value().is(BerClass::universal, kBerSequence));
  EXPECT_TRUE(element.value().constructed);
  const auto children = ber_children(element.value());
  ASSERT_TRUE(children.ok());
  ASSERT_EQ(children.value().size(), 2U);
  EXPECT_EQ(ber_small_integer(children.value()[0]).value(), 5U);
  EXPECT_EQ(ber_octet_string(children.value()[1]).value(), "A");
}

TEST(CmsBer, ReadsIndefiniteLengthAndConstructedString) {
  // SEQUENCE (indefinite) { OCTET STRING (constructed, indefinite) { "ab", "c" } }
  const std::string ber = bytes({0x30, 0x80, 0x24, 0x80, 0x04, 0x02, 'a', 'b', 0x04, 0x01, 'c',
                                 0x00, 0x00, 0x00, 0x00});
  const auto element = check_ber(ber);
  ASSERT_TRUE(element.ok()) << element.error().to_string();
  EXPECT_TRUE(element.value().indefinite_length);
  const auto children = ber_children(element.value());
  ASSERT_TRUE(children.ok());
  ASSERT_EQ(children.value().size(), 1U);
  EXPECT_EQ(ber_octet_string(children.value()[0]).value(), "abc");
}

TEST(CmsBer, ReadsHighTagNumber) {
  const std::string der = bytes({0xbf, 0x81, 0x00, 0x00});  // [128] constructed, empty
  const auto element = check_ber(der);
  ASSERT_TRUE(element.ok()) << element.error().to_string();
  EXPECT_TRUE(element.value().is(BerClass::context, 128));
}

TEST(CmsBer, RejectsInputAboveSizeLimit) {
  CmsLimits limits;
  limits.max_input_bytes = 4;
  EXPECT_EQ(failure_of(bytes({0x04, 0x03, 1, 2, 3}), limits), CmsFailure::input_too_large);
}

TEST(CmsBer, RejectsNestingAboveDepthLimit) {
  CmsLimits limits;
  limits.max_nesting_depth = 8;
  EXPECT_TRUE(check_ber(nested_sequences(8), limits).ok());
  EXPECT_EQ(failure_of(nested_sequences(9), limits), CmsFailure::nesting_too_deep);
}

TEST(CmsBer, CapsDepthLimitAtCeiling) {
  CmsLimits limits;
  limits.max_nesting_depth = 1000000;
  limits.max_input_bytes = 1 << 20;
  std::string deep;
  for (std::size_t i = 0; i < kMaxNestingDepthCeiling + 1; ++i) deep += bytes({0x30, 0x80});
  for (std::size_t i = 0; i < kMaxNestingDepthCeiling + 1; ++i) deep += bytes({0x00, 0x00});
  EXPECT_EQ(failure_of(deep, limits), CmsFailure::nesting_too_deep);
}

TEST(CmsBer, RejectsLengthPastParent) {
  // The inner OCTET STRING claims 5 bytes inside a SEQUENCE of 4.
  EXPECT_EQ(failure_of(bytes({0x30, 0x04, 0x04, 0x05, 1, 2})), CmsFailure::malformed_ber);
}

TEST(CmsBer, RejectsLengthPastInput) {
  EXPECT_EQ(failure_of(bytes({0x04, 0x05, 1, 2})), CmsFailure::malformed_ber);
}

TEST(CmsBer, RejectsTrailingBytes) {
  EXPECT_EQ(failure_of(bytes({0x04, 0x01, 1, 0x00})), CmsFailure::malformed_ber);
}

TEST(CmsBer, RejectsIndefinitePrimitive) {
  EXPECT_EQ(failure_of(bytes({0x04, 0x80, 1, 0x00, 0x00})), CmsFailure::malformed_ber);
}

TEST(CmsBer, RejectsMissingEndOfContents) {
  EXPECT_EQ(failure_of(bytes({0x30, 0x80, 0x04, 0x01, 1})), CmsFailure::malformed_ber);
}

TEST(CmsBer, RejectsStrayEndOfContents) {
  EXPECT_EQ(failure_of(bytes({0x30, 0x02, 0x00, 0x00})), CmsFailure::malformed_ber);
}

TEST(CmsBer, RejectsOversizedLengthField) {
  EXPECT_EQ(failure_of(bytes({0x04, 0x85, 1, 0, 0, 0, 0})), CmsFailure::malformed_ber);
  EXPECT_EQ(failure_of(bytes({0x04, 0xff})), CmsFailure::malformed_ber);
}

TEST(CmsBer, RejectsEmptyInput) { EXPECT_EQ(failure_of(""), CmsFailure::malformed_ber); }

TEST(CmsContentInfo, RejectsContentInfoWithoutContent) {
  // SEQUENCE { OID signedData } with no [0] content.
  const std::string der = bytes({0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01,
                                 0x07, 0x02});
  const auto result = parse_content_info(der, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().failure, CmsFailure::malformed_cms);
  EXPECT_NE(result.error().detail.find("without content"), std::string::npos);
}

TEST(CmsContentInfo, RejectsUnknownContentType) {
  // SEQUENCE { OID 1.2.3, [0] { NULL } }
  const std::string der = bytes({0x30, 0x08, 0x06, 0x02, 0x2a, 0x03, 0xa0, 0x02, 0x05, 0x00});
  const auto result = peek_content_type(der, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().failure, CmsFailure::unexpected_content_type);
}

}  // namespace
}  // namespace sippay::security
