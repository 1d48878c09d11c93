#include "proxy/unparsable_reply.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>

#include "sip/charset.hpp"

namespace sippay::proxy {
namespace {

constexpr std::size_t kMaxReasonBytes = 200;

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (sip::charset::to_lower(a[i]) != sip::charset::to_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Whether `name` is one of the headers a response copies from its request (§8.2.6.2).
bool is_copied_header(std::string_view name) {
  static constexpr std::array<std::string_view, 10> kNames = {"via", "v", "from", "f", "to",
                                                              "t",   "call-id", "i", "cseq", "CSeq"};
  return std::any_of(kNames.begin(), kNames.end(),
                     [name](std::string_view known) { return equals_ignoring_case(known, name); });
}

bool has_control_characters(std::string_view line) {
  return std::any_of(line.begin(), line.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t') || byte == 0x7f;
  });
}

}  // namespace

std::optional<std::string> build_unparsable_reply(std::string_view bytes, int status_code,
                                                  std::string_view reason_phrase) {
  if (bytes.starts_with("SIP/")) return std::nullopt;
  std::string out = fmt::format("SIP/2.0 {} {}\r\n", status_code, reason_phrase);
  bool has_via = false;
  std::size_t position = bytes.find('\n');
  while (position != std::string_view::npos && position + 1 < bytes.size()) {
    const std::size_t start = position + 1;
    const std::size_t end = bytes.find('\n', start);
    std::string_view line = bytes.substr(start, end == std::string_view::npos ? bytes.size() - start : end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the end of the header section
    position = end;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, colon));
    if (!is_copied_header(name)) continue;
    if (has_control_characters(line)) return std::nullopt;
    has_via = has_via || equals_ignoring_case(name, "via") || equals_ignoring_case(name, "v");
    out.append(line);
    out.append("\r\n");
  }
  if (!has_via) return std::nullopt;
  out.append("Content-Length: 0\r\n\r\n");
  return out;
}

std::string to_reason_phrase(std::string_view text) {
  std::string phrase;
  phrase.reserve(std::min(text.size(), kMaxReasonBytes));
  for (const char c : text.substr(0, kMaxReasonBytes)) {
    const auto byte = static_cast<unsigned char>(c);
    const bool allowed = byte >= 0x80 || c == ' ' || std::isalnum(byte) != 0 ||
                         std::string_view(";/?:@&=+$,-_.!~*'()").find(c) != std::string_view::npos;
    phrase.push_back(allowed ? c : ' ');
  }
  return phrase;
}

}  // namespace sippay::proxy
