// The scanning helpers of charset.hpp and the name lookup of
// header_grammar.hpp, each against the plain byte-by-byte definition, at
// lengths on both sides of the 4-, 8- and 16-byte steps they take.
#include "sip/charset.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sip/header_grammar.hpp"

namespace sippay::sip {
namespace {

bool is_printable_qdtext(unsigned char c) {
  return c >= 0x20 && c <= 0x7E && c != '"' && c != '\\';
}

TEST(Charset, TokenIequalsMatchesIequals) {
  const std::vector<std::string_view> names = {
      "a",
      "ab",
      "abc",
      "qop",
      "Date",
      "realm",
      "Accept",
      "Call-ID",
      "username",
      "algorithm",
      "Content-Type",
      "Max-Forwards",
      "Proxy-Authenticate",
      "Proxy-Authorization",
      "x-1.2",
  };
  for (std::string_view name : names) {
    std::string upper(name);
    std::string lower(name);
    for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    for (char& c : lower) c = charset::to_lower(c);
    EXPECT_TRUE(charset::token_iequals(upper, name)) << name;
    EXPECT_TRUE(charset::token_iequals(lower, name)) << name;
    // Each byte changed to another token character makes them differ.
    for (std::size_t i = 0; i < name.size(); ++i) {
      std::string changed(name);
      changed[i] = changed[i] == '~' ? '!' : '~';
      EXPECT_FALSE(charset::token_iequals(changed, name)) << changed;
      EXPECT_EQ(charset::token_iequals(changed, name), charset::iequals(changed, name)) << changed;
    }
    EXPECT_FALSE(charset::token_iequals(std::string(name) + "a", name)) << name;
    EXPECT_FALSE(charset::token_iequals(name.substr(1), name)) << name;
  }
  EXPECT_TRUE(charset::token_iequals("", ""));
}

TEST(Charset, TokenIequalsWithLetterNamesTakesAnyByte) {
  // For a name of letters the result equals iequals for every byte.
  for (int byte = 0; byte < 256; ++byte) {
    const std::string text = {'s', static_cast<char>(byte), 'p'};
    EXPECT_EQ(charset::token_iequals(text, "sip"), charset::iequals(text, "sip")) << byte;
  }
}

TEST(Charset, SkipClassStopsAtFirstOutsideByte) {
  const std::string run = "abcdefghijklmnopqrst";
  for (std::size_t length = 0; length <= run.size(); ++length) {
    for (char stop : {' ', ';', '\0', '\xC3'}) {
      const std::string text = run.substr(0, length) + stop + "xyz";
      const char* end =
          charset::skip_class(text.data(), text.data() + text.size(), charset::kToken);
      EXPECT_EQ(static_cast<std::size_t>(end - text.data()), length) << text;
    }
    const std::string text = run.substr(0, length);
    const char* end = charset::skip_class(text.data(), text.data() + text.size(), charset::kToken);
    EXPECT_EQ(end, text.data() + text.size()) << text;
  }
}

TEST(Charset, QdtextRunMatchesByteTest) {
  for (int byte = 0; byte < 256; ++byte) {
    for (std::size_t pos : {0, 3, 15, 16, 17, 31, 40}) {
      std::string text(48, 'a');
      text[pos] = static_cast<char>(byte);
      const std::size_t expected = is_printable_qdtext(static_cast<unsigned char>(byte)) ? 48 : pos;
      EXPECT_EQ(charset::qdtext_run(text), expected) << "byte " << byte << " at " << pos;
    }
  }
  EXPECT_EQ(charset::qdtext_run(""), 0U);
  EXPECT_EQ(charset::qdtext_run("abc"), 3U);
}

TEST(Charset, AllLowerHexMatchesByteTest) {
  const auto is_lhex = [](int c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  for (int byte = 0; byte < 256; ++byte) {
    for (std::size_t length : {1, 8, 15, 16, 17, 32, 33, 64}) {
      for (std::size_t pos : {std::size_t{0}, length / 2, length - 1}) {
        std::string text(length, '7');
        text[pos] = static_cast<char>(byte);
        EXPECT_EQ(charset::all_lower_hex(text), is_lhex(byte))
            << "byte " << byte << " at " << pos << " of " << length;
      }
    }
  }
  EXPECT_TRUE(charset::all_lower_hex(""));
  EXPECT_TRUE(charset::all_lower_hex("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(charset::all_lower_hex("0123456789ABCDEF0123456789abcdef"));
}

TEST(NameIndex, FindsEachNameInAnyCase) {
  constexpr grammar::NameIndex<4> index({"branch", "received", "rport", "ttl"});
  EXPECT_EQ(index.find("branch"), 0);
  EXPECT_EQ(index.find("BRANCH"), 0);
  EXPECT_EQ(index.find("Received"), 1);
  EXPECT_EQ(index.find("rPort"), 2);
  EXPECT_EQ(index.find("ttl"), 3);
  EXPECT_EQ(index.name(1), "received");
}

TEST(NameIndex, RejectsOtherNames) {
  constexpr grammar::NameIndex<4> index({"branch", "received", "rport", "ttl"});
  const std::vector<std::string_view> others = {
      "",      "b",     "branc", "branchx", "brunch", "rports", "rpor",
      "maddr", "ttl-x", "tt",    "!ttl",    "0ttl",   "~ttl",   "a-very-long-parameter-name",
  };
  for (std::string_view name : others) EXPECT_EQ(index.find(name), -1) << name;
}

}  // namespace
}  // namespace sippay::sip
