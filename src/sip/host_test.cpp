// Hosts of RFC 3261 §25.1: hostname, IPv4address, IPv6reference and the
// bare IPv6address of the Via received parameter.
#include "sip/host.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace sippay::sip {
namespace {

TEST(Host, ValidHostnames) {
  const std::vector<std::string_view> values = {
      "example.com",
      "example.com.",
      "a",
      "a1",
      "EXAMPLE.COM",
      "x-1.y--z.com",
      "1a.example.com",
      "123.com",
      "host9",
      "a.b.c.d.e.f.example",
      "a-b",
      "1.2.3.4.example.com",
      "0xff.example",
      "a.b1",
  };
  for (std::string_view value : values) {
    HostType type = HostType::kNone;
    EXPECT_TRUE(is_host(value, type)) << value;
    EXPECT_EQ(type, HostType::kHostname) << value;
  }
}

TEST(Host, InvalidHostnames) {
  const std::vector<std::string_view> values = {
      "",         "-a.com",  "a-.com",       "a..com",      ".com",         "example.123",
      "1example", "a_b.com", "a.com..",      "a b",         "example.-com", "example.com-",
      "a.1b",     ".",       "example.com/", "ex@mple.com",
  };
  for (std::string_view value : values) {
    HostType type = HostType::kNone;
    EXPECT_FALSE(is_host(value, type)) << value;
  }
}

TEST(Host, ValidIpv4) {
  const std::vector<std::string_view> values = {
      "0.0.0.0", "255.255.255.255", "192.0.2.1", "01.02.03.004", "10.0.0.255",
  };
  for (std::string_view value : values) {
    EXPECT_TRUE(is_ipv4(value)) << value;
    HostType type = HostType::kNone;
    EXPECT_TRUE(is_host(value, type)) << value;
    EXPECT_EQ(type, HostType::kIpv4) << value;
  }
}

TEST(Host, InvalidIpv4) {
  const std::vector<std::string_view> values = {
      "",          "256.1.1.1", "1.256.1.1",  "1.1.1.256", "999.1.1.1",  "1.2.3",
      "1.2.3.4.5", "1.2.3.",    "1.2.3.4.",   "1..2.3",    "1234.1.1.1", "1.2.3.-4",
      " 1.2.3.4",  "1.2.3.4 ",  "1.2.3.0004", "-1.2.3.4",
  };
  for (std::string_view value : values) {
    EXPECT_FALSE(is_ipv4(value)) << value;
    HostType type = HostType::kNone;
    EXPECT_FALSE(is_host(value, type)) << value;
  }
}

TEST(Host, DottedLettersAreHostname) {
  EXPECT_FALSE(is_ipv4("a.b.c.d"));
  HostType type = HostType::kNone;
  EXPECT_TRUE(is_host("a.b.c.d", type));
  EXPECT_EQ(type, HostType::kHostname);
}

TEST(Host, ValidIpv6) {
  const std::vector<std::string_view> values = {
      "::",
      "::1",
      "1::",
      "2001:db8::1",
      "2001:DB8:0:0:8:800:200C:417A",
      "1:2:3:4:5:6:7:8",
      "1:2:3:4:5:6:7::",
      "::2:3:4:5:6:7:8",
      "::ffff:192.0.2.1",
      "1:2:3:4:5:6:1.2.3.4",
      "1::1.2.3.4",
      "::1.2.3.4",
      "fe80::1:2",
      "0000:0000:0000:0000:0000:0000:0000:0001",
  };
  for (std::string_view value : values) {
    EXPECT_TRUE(is_ipv6(value)) << value;
    // Built by appends: g++ 12 at -O3 gives a false -Wrestrict error for "[" + std::string.
    std::string bracketed = "[";
    bracketed += value;
    bracketed += ']';
    HostType type = HostType::kNone;
    EXPECT_TRUE(is_host(bracketed, type)) << bracketed;
    EXPECT_EQ(type, HostType::kIpv6) << bracketed;
  }
}

TEST(Host, InvalidIpv6) {
  const std::vector<std::string_view> values = {
      "",
      ":",
      ":::",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "1::2::3",
      "12345::",
      "1:2:3:4:5:6:7:8::",
      "::1:2:3:4:5:6:7:8",
      "g::1",
      "1:",
      ":1",
      "1:2:3:4:5:6:7:1.2.3.4",
      "::1.2.3",
      "::256.1.1.1",
      "1.2.3.4",
      "::1.2.3.4:5",
      "::1.2.3.4.5",
      "[::1]",
      "fe80::1%eth0",
      "1:2:3:4:5:6:7:8 ",
  };
  for (std::string_view value : values) {
    EXPECT_FALSE(is_ipv6(value)) << value;
    // Built by appends: g++ 12 at -O3 gives a false -Wrestrict error for "[" + std::string.
    std::string bracketed = "[";
    bracketed += value;
    bracketed += ']';
    HostType type = HostType::kNone;
    EXPECT_FALSE(is_host(bracketed, type)) << bracketed;
  }
}

TEST(Host, Ipv6NeedsBracketsInHost) {
  HostType type = HostType::kNone;
  EXPECT_FALSE(is_host("::1", type));
  EXPECT_FALSE(is_host("2001:db8::1", type));
  EXPECT_FALSE(is_host("[::1", type));
  EXPECT_FALSE(is_host("::1]", type));
  EXPECT_FALSE(is_host("[]", type));
  EXPECT_FALSE(is_host("[1.2.3.4]", type));
  EXPECT_FALSE(is_host("[example.com]", type));
}

TEST(Host, ScanStopsAtHostEnd) {
  struct Case {
    std::string_view text;
    std::size_t pos;
    std::size_t end;
    HostType type;
  };
  const std::vector<Case> cases = {
      {"example.com:5060", 0, 11, HostType::kHostname},
      {"example.com.:5060", 0, 12, HostType::kHostname},
      {"192.0.2.1:5060", 0, 9, HostType::kIpv4},
      {"192.0.2.1;maddr", 0, 9, HostType::kIpv4},
      {"[::1]:5060", 0, 5, HostType::kIpv6},
      {"sip:host.example.com;lr", 4, 20, HostType::kHostname},
      {"sip:[2001:db8::1]>", 4, 17, HostType::kIpv6},
  };
  for (const Case& c : cases) {
    HostType type = HostType::kNone;
    EXPECT_EQ(scan_host(c.text, c.pos, type), c.end) << c.text;
    EXPECT_EQ(type, c.type) << c.text;
  }
}

TEST(Host, ScanReturnsStartWhenNoHost) {
  const std::vector<std::string_view> values = {"", ":5060", ";x", "-a", "[::1", "256.0.0.1", " a"};
  for (std::string_view value : values) {
    HostType type = HostType::kNone;
    EXPECT_EQ(scan_host(value, 0, type), 0U) << value;
    EXPECT_EQ(type, HostType::kNone) << value;
  }
  HostType type = HostType::kNone;
  EXPECT_EQ(scan_host("abc", 3, type), 3U);
  EXPECT_EQ(scan_host("abc", 10, type), 10U);
}

TEST(Host, ScanBareIpv6) {
  struct Case {
    std::string_view text;
    std::size_t end;
    HostType type;
  };
  const std::vector<Case> cases = {
      {"2001:db8::1;x", 11, HostType::kIpv6},
      {"::ffff:192.0.2.1", 16, HostType::kIpv6},
      {"[::1]", 5, HostType::kIpv6},
      {"192.0.2.1", 9, HostType::kIpv4},
      {"abc.example", 11, HostType::kHostname},
      {"abcd", 4, HostType::kHostname},
  };
  for (const Case& c : cases) {
    HostType type = HostType::kNone;
    EXPECT_EQ(scan_host(c.text, 0, type, true), c.end) << c.text;
    EXPECT_EQ(type, c.type) << c.text;
  }
  HostType type = HostType::kNone;
  EXPECT_EQ(scan_host("2001:db8::1", 0, type), 0U) << "bare IPv6 without bare_ipv6";
}

}  // namespace
}  // namespace sippay::sip
