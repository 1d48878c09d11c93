#include "sip/host.hpp"

#include "sip/charset.hpp"

namespace sippay::sip {
namespace {

// IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each at most 255.
std::size_t scan_ipv4(std::string_view text, std::size_t pos) {
  std::size_t i = pos;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (i >= text.size() || text[i] != '.') return pos;
      ++i;
    }
    int value = 0;
    std::size_t digits = 0;
    while (i < text.size() && charset::is_digit(text[i]) && digits < 3) {
      value = value * 10 + (text[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0 || value > 255) return pos;
  }
  // A fifth digit or a further label makes this a hostname, not an address.
  if (i < text.size() && (charset::is_digit(text[i]) || charset::is(text[i], charset::kHostname))) {
    return pos;
  }
  return i;
}

// IPv6address per RFC 3261 §25.1 (hexpart [":" IPv4address]): eight groups of
// 1 to 4 hex digits, or fewer with one "::"; an embedded IPv4 address counts
// as two groups.
std::size_t scan_ipv6(std::string_view text, std::size_t pos) {
  std::size_t i = pos;
  int groups = 0;
  bool compressed = false;
  if (text.substr(i, 2) == "::") {
    compressed = true;
    i += 2;
  }
  while (i < text.size()) {
    const std::size_t ipv4_end = scan_ipv4(text, i);
    if (ipv4_end != i && (i == pos || text[i - 1] == ':')) {
      groups += 2;
      i = ipv4_end;
      break;
    }
    std::size_t digits = 0;
    while (i < text.size() && charset::is_hex(text[i]) && digits < 5) {
      ++i;
      ++digits;
    }
    if (digits == 0) break;
    if (digits > 4) return pos;
    ++groups;
    if (i < text.size() && text[i] == ':') {
      if (i + 1 < text.size() && text[i + 1] == ':') {
        if (compressed) return pos;
        compressed = true;
        i += 2;
        continue;
      }
      if (i + 1 >= text.size() || !charset::is_hex(text[i + 1])) return pos;
      ++i;
      continue;
    }
    break;
  }
  if (groups > 8 || (!compressed && groups != 8) || (compressed && groups > 7)) return pos;
  return i;
}

// hostname = *( domainlabel "." ) toplabel [ "." ]; labels of alphanum and
// "-" that neither start nor end with "-"; the top label starts with a letter.
// The host is the longest run of alphanum, "-" and ".", checked label by
// label in one pass.
std::size_t scan_hostname(std::string_view text, std::size_t pos) {
  const std::size_t size = text.size();
  std::size_t i = pos;
  bool top_alpha = false;  // the last label starts with a letter
  while (true) {
    const std::size_t label_start = i;
    while (i < size && charset::is(text[i], charset::kLabel)) ++i;
    if (i == label_start) {
      // An empty label is the end of a host after its trailing dot, unless
      // it is the first label or another dot follows.
      if (i == pos || (i < size && text[i] == '.')) return pos;
      break;
    }
    if (text[label_start] == '-' || text[i - 1] == '-') return pos;
    top_alpha = charset::is_alpha(text[label_start]);
    if (i == size || text[i] != '.') break;
    ++i;
  }
  return top_alpha ? i : pos;
}

}  // namespace

std::size_t scan_host(std::string_view text, std::size_t pos, HostType& type, bool bare_ipv6) {
  if (pos >= text.size()) return pos;
  if (text[pos] == '[') {
    const std::size_t end = scan_ipv6(text, pos + 1);
    if (end == pos + 1 || end >= text.size() || text[end] != ']') return pos;
    type = HostType::kIpv6;
    return end + 1;
  }
  if (bare_ipv6) {
    const std::size_t end = scan_ipv6(text, pos);
    if (end != pos && (end >= text.size() || text[end] != '.')) {
      type = HostType::kIpv6;
      return end;
    }
  }
  // An IPv4 address starts with a digit, and most hosts are names.
  if (const std::size_t end = charset::is_digit(text[pos]) ? scan_ipv4(text, pos) : pos;
      end != pos) {
    type = HostType::kIpv4;
    return end;
  }
  if (const std::size_t end = scan_hostname(text, pos); end != pos) {
    type = HostType::kHostname;
    return end;
  }
  return pos;
}

bool is_host(std::string_view text, HostType& type) {
  return !text.empty() && scan_host(text, 0, type) == text.size();
}

bool is_ipv4(std::string_view text) { return !text.empty() && scan_ipv4(text, 0) == text.size(); }

bool is_ipv6(std::string_view text) { return !text.empty() && scan_ipv6(text, 0) == text.size(); }

}  // namespace sippay::sip
