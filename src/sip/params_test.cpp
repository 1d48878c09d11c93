#include "sip/params.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace sippay::sip {
namespace {

struct ExpectedParam {
  std::string name;
  std::string value;
  bool has_value;
};

std::vector<ExpectedParam> collect(const ParamList& list) {
  std::vector<ExpectedParam> out;
  for (const Param& param : list) {
    out.push_back({std::string(param.name), std::string(param.value), param.has_value});
  }
  return out;
}

void expect_params(const ParamList& list, const std::vector<ExpectedParam>& expected) {
  const std::vector<ExpectedParam> actual = collect(list);
  ASSERT_EQ(actual.size(), expected.size()) << "list: " << list.raw();
  EXPECT_EQ(list.size(), expected.size()) << "list: " << list.raw();
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].name, expected[i].name) << "param " << i << " of " << list.raw();
    EXPECT_EQ(actual[i].value, expected[i].value) << "param " << i << " of " << list.raw();
    EXPECT_EQ(actual[i].has_value, expected[i].has_value) << "param " << i << " of " << list.raw();
  }
}

TEST(ParamListEmpty, DefaultHasNoParams) {
  const ParamList list;
  EXPECT_TRUE(list.empty());
  EXPECT_EQ(list.size(), 0U);
  EXPECT_TRUE(list.begin() == list.end());
  EXPECT_FALSE(list.find("tag").has_value());
  EXPECT_FALSE(list.contains("tag"));
}

TEST(ParamListHeader, PlainParams) {
  const ParamList list(";tag=abc;lr;branch=z9hG4bK776", ParamList::Style::kHeader);
  expect_params(list, {{"tag", "abc", true}, {"lr", "", false}, {"branch", "z9hG4bK776", true}});
}

TEST(ParamListHeader, WhitespaceAroundSeparators) {
  const ParamList list(";  tag = abc ;\tlr ; expires= 60  ", ParamList::Style::kHeader);
  expect_params(list, {{"tag", "abc", true}, {"lr", "", false}, {"expires", "60", true}});
}

TEST(ParamListHeader, FoldedLines) {
  const ParamList list(";tag\r\n =\r\n\tabc\r\n ;lr", ParamList::Style::kHeader);
  expect_params(list, {{"tag", "abc", true}, {"lr", "", false}});
}

TEST(ParamListHeader, QuotedValueWithSeparators) {
  const ParamList list(R"(;reason="a;b=c";q=0.5)", ParamList::Style::kHeader);
  expect_params(list, {{"reason", R"("a;b=c")", true}, {"q", "0.5", true}});
}

TEST(ParamListHeader, QuotedValueWithEscapedQuote) {
  const ParamList list(R"(; text = "say \"hi\"; now" ; x)", ParamList::Style::kHeader);
  expect_params(list, {{"text", R"("say \"hi\"; now")", true}, {"x", "", false}});
}

TEST(ParamListUri, FlagAndValues) {
  const ParamList list(";transport=tcp;lr;maddr=239.255.255.1", ParamList::Style::kUri);
  expect_params(list,
                {{"transport", "tcp", true}, {"lr", "", false}, {"maddr", "239.255.255.1", true}});
}

TEST(ParamListUri, ParamUnreservedCharacters) {
  // param-unreserved allows '&', '[', ']', '/', ':', '+' and '$' in names and
  // values (RFC 3261 §25.1).
  const ParamList list(";a&b=c&d;x=[::1]:5060/+$;%41=%42", ParamList::Style::kUri);
  expect_params(list, {{"a&b", "c&d", true}, {"x", "[::1]:5060/+$", true}, {"%41", "%42", true}});
}

TEST(ParamListUriHeaders, AmpersandSeparated) {
  const ParamList list("?subject=project%20x&priority=urgent&to=sip:bob%40biloxi.com",
                       ParamList::Style::kUriHeaders);
  expect_params(list, {{"subject", "project%20x", true},
                       {"priority", "urgent", true},
                       {"to", "sip:bob%40biloxi.com", true}});
}

TEST(ParamListUriHeaders, EmptyValue) {
  const ParamList list("?subject=&body=hi", ParamList::Style::kUriHeaders);
  expect_params(list, {{"subject", "", true}, {"body", "hi", true}});
}

TEST(ParamListFind, IgnoresCase) {
  const ParamList list(";Transport=TCP;LR", ParamList::Style::kUri);
  const auto transport = list.find("transport");
  ASSERT_TRUE(transport.has_value());
  EXPECT_EQ(transport->name, "Transport");
  EXPECT_EQ(transport->value, "TCP");
  EXPECT_TRUE(list.contains("lr"));
  EXPECT_TRUE(list.contains("TRANSPORT"));
  EXPECT_FALSE(list.contains("maddr"));
  EXPECT_FALSE(list.contains("trans"));
}

TEST(ParamListFind, ReturnsFirstOfDuplicates) {
  const ParamList list("; tag=1 ; TAG=2", ParamList::Style::kHeader);
  const auto tag = list.find("tag");
  ASSERT_TRUE(tag.has_value());
  EXPECT_EQ(tag->value, "1");
  EXPECT_EQ(list.size(), 2U);
}

TEST(ParamListFind, HeaderStyleQuotedValue) {
  const ParamList list(R"(;realm="atlanta.com";nonce = "84a4cc6f3082121f32b42a2187831a9e")",
                       ParamList::Style::kHeader);
  const auto nonce = list.find("NONCE");
  ASSERT_TRUE(nonce.has_value());
  EXPECT_EQ(nonce->value, R"("84a4cc6f3082121f32b42a2187831a9e")");
}

TEST(ParamListIterator, PostIncrementReturnsPrevious) {
  const ParamList list(";a=1;b=2", ParamList::Style::kUri);
  auto it = list.begin();
  const auto previous = it++;
  EXPECT_EQ(previous->name, "a");
  EXPECT_EQ(it->name, "b");
  ++it;
  EXPECT_TRUE(it == list.end());
}

}  // namespace
}  // namespace sippay::sip
