#include "payment/reason_code.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sippay::payment {
namespace {

TEST(ReasonCode, TableMatchesEnumOrder) {
  std::size_t index = 0;
  for (const ReasonInfo& info : reason_codes()) {
    EXPECT_EQ(static_cast<std::size_t>(info.code), index) << info.name;
    ++index;
  }
}

TEST(ReasonCode, NamesAreUniqueAndParse) {
  std::set<std::string_view> names;
  for (const ReasonInfo& info : reason_codes()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_EQ(parse_reason_code(info.name), info.code);
    EXPECT_TRUE(info.merchant_may_send || info.gateway_may_send) << info.name;
    EXPECT_FALSE(info.customer_text.empty()) << info.name;
  }
  EXPECT_FALSE(parse_reason_code("Wrong-Pin"));
  EXPECT_FALSE(parse_reason_code(""));
}

}  // namespace
}  // namespace sippay::payment
