#include "payment/field_rules.hpp"

#include <fmt/format.h>

#include "sip/uri.hpp"

namespace sippay::payment {
namespace {

bool is_id_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

bool is_account_char(unsigned char c) {
  return is_id_char(c) || c == '.' || c == ':' || c == '+' || c == '@';
}

std::string_view charset_description(Charset charset) {
  switch (charset) {
    case Charset::kId:
      return "the characters A-Z a-z 0-9 - _";
    case Charset::kAccount:
      return "the characters A-Z a-z 0-9 - _ . : + @";
    case Charset::kCurrency:
      return "upper-case letters A-Z (an ISO 4217 alphabetic code)";
    case Charset::kPin:
      return "the digits 0-9";
    case Charset::kSipUri:
      return "a sip: or sips: URI";
    case Charset::kText:
      return "text without control characters";
  }
  return "valid characters";
}

bool matches_charset(std::string_view value, Charset charset) {
  switch (charset) {
    case Charset::kId:
      for (const char c : value) {
        if (!is_id_char(static_cast<unsigned char>(c))) return false;
      }
      return true;
    case Charset::kAccount:
      for (const char c : value) {
        if (!is_account_char(static_cast<unsigned char>(c))) return false;
      }
      return true;
    case Charset::kCurrency:
      for (const char c : value) {
        if (c < 'A' || c > 'Z') return false;
      }
      return true;
    case Charset::kPin:
      for (const char c : value) {
        if (c < '0' || c > '9') return false;
      }
      return true;
    case Charset::kSipUri: {
      for (const char c : value) {
        if (c <= 0x20 || c >= 0x7f) return false;
      }
      const auto uri = sip::parse_uri(value);
      return uri.ok() && uri->is_sip_or_sips();
    }
    case Charset::kText:
      // The JSON parser has checked UTF-8 already; this rejects C0 controls
      // and DEL, and the C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F).
      for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (c < 0x20 || c == 0x7f) return false;
        if (c == 0xc2 && i + 1 < value.size()) {
          const auto next = static_cast<unsigned char>(value[i + 1]);
          if (next >= 0x80 && next <= 0x9f) return false;
        }
      }
      return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> text_rule_error(std::string_view value, const TextRule& rule) {
  if (value.size() < rule.min_size || value.size() > rule.max_size) {
    if (rule.min_size == rule.max_size) {
      return fmt::format("must be exactly {} bytes long, got {}", rule.min_size, value.size());
    }
    return fmt::format("must be {} to {} bytes long, got {}", rule.min_size, rule.max_size,
                       value.size());
  }
  if (!matches_charset(value, rule.charset)) {
    return fmt::format("must consist of {}", charset_description(rule.charset));
  }
  return std::nullopt;
}

}  // namespace sippay::payment
