// WWW-Authenticate, Proxy-Authenticate, Authorization, Proxy-Authorization
// and Authentication-Info (RFC 3261 §20.5-20.7, §20.27-20.28, §20.44,
// grammar §25.1; SHA-256 responses from RFC 8760).
//
// Every element that reads credentials must read the same ones, so this
// parser is strict: each parameter name appears at most once, and the
// Digest parameters have the form their grammar gives them.
#include <array>
#include <string>

#include "sip/header_grammar.hpp"
#include "sip/headers.hpp"

namespace sippay::sip {
namespace {

using grammar::quote_for_error;

bool is_quoted(std::string_view value) { return !value.empty() && value.front() == '"'; }

bool is_lhex(std::string_view text) {
  for (char c : text) {
    if (!charset::is_hex(c) || (c >= 'A' && c <= 'F')) return false;
  }
  return true;
}

// LDQUOT qop-value *("," qop-value) RDQUOT (§25.1 qop-options). Whitespace
// around the commas is accepted too, because RFC 7616 §3.3 defines the value
// only as a quoted string of one or more tokens.
bool is_quoted_token_list(std::string_view value) {
  if (!is_quoted(value)) return false;
  Scanner s(value.substr(1, value.size() - 2));
  do {
    s.skip_lws();
    if (s.take_token().empty()) return false;
    s.skip_lws();
  } while (s.consume(','));
  return s.at_end();
}

enum class ValueForm {
  kQuoted,
  kToken,
  kQuotedTokenList,
  kBoolean,
  kNonceCount,
  kDigestResponse,
  kQuotedHex,
  kAny
};

// The value form of each Digest parameter, or nullopt for extension params.
std::optional<ValueForm> digest_param_form(std::string_view name, bool is_challenge) {
  struct Rule {
    std::string_view name;
    ValueForm challenge;
    ValueForm credentials;
  };
  static constexpr Rule kRules[] = {
      {"realm", ValueForm::kQuoted, ValueForm::kQuoted},
      {"nonce", ValueForm::kQuoted, ValueForm::kQuoted},
      {"opaque", ValueForm::kQuoted, ValueForm::kQuoted},
      {"domain", ValueForm::kQuoted, ValueForm::kAny},
      {"algorithm", ValueForm::kToken, ValueForm::kToken},
      {"stale", ValueForm::kBoolean, ValueForm::kAny},
      {"qop", ValueForm::kQuotedTokenList, ValueForm::kToken},
      {"username", ValueForm::kAny, ValueForm::kQuoted},
      {"uri", ValueForm::kAny, ValueForm::kQuoted},
      {"response", ValueForm::kAny, ValueForm::kDigestResponse},
      {"cnonce", ValueForm::kAny, ValueForm::kQuoted},
      {"nc", ValueForm::kAny, ValueForm::kNonceCount},
  };
  for (const Rule& rule : kRules) {
    if (charset::iequals(name, rule.name)) return is_challenge ? rule.challenge : rule.credentials;
  }
  return std::nullopt;
}

bool value_has_form(std::string_view value, ValueForm form) {
  switch (form) {
    case ValueForm::kQuoted:
      return is_quoted(value);
    case ValueForm::kToken:
      return !is_quoted(value);
    case ValueForm::kQuotedTokenList:
      return is_quoted_token_list(value);
    case ValueForm::kBoolean:  // stale = "stale" EQUAL ( "true" / "false" ), any case
      return charset::iequals(value, "true") || charset::iequals(value, "false");
    case ValueForm::kNonceCount:  // nc-value = 8LHEX
      return value.size() == 8 && is_lhex(value);
    case ValueForm::kDigestResponse: {  // LDQUOT 32LHEX RDQUOT, or 64 for SHA-256
      const std::string_view hex = value.substr(1, value.size() - 2);
      return is_quoted(value) && (hex.size() == 32 || hex.size() == 64) && is_lhex(hex);
    }
    case ValueForm::kQuotedHex:  // response-auth: LDQUOT *LHEX RDQUOT
      return is_quoted(value) && is_lhex(value.substr(1, value.size() - 2));
    case ValueForm::kAny:
      return true;
  }
  return false;
}

// Maximum auth parameters in one header, an estimate well above what Digest
// uses. The bound keeps the duplicate check below cheap on hostile input.
constexpr std::size_t kMaxAuthParams = 64;

// auth-param *(COMMA auth-param), auth-param = token EQUAL ( token / quoted-string ).
// Calls `on_param(name, value)` for each after checking for duplicates.
template <typename OnParam>
std::optional<ParseError> scan_auth_params(Scanner& s, OnParam&& on_param) {
  std::array<std::string_view, kMaxAuthParams> names;
  std::size_t count = 0;
  do {
    const std::size_t name_pos = s.pos();
    const std::string_view name = s.take_token();
    if (name.empty()) return s.error("missing auth parameter name");
    if (!s.consume_separator('=')) {
      return s.error("expected '=' after auth parameter " + quote_for_error(name));
    }
    const std::size_t value_pos = s.pos();
    const char* error = nullptr;
    std::string_view value;
    if (!s.at_end() && s.peek() == '"') {
      value = s.take_quoted_string(error);
    } else {
      value = s.take_token();
      if (value.empty()) error = "missing or invalid value";
    }
    if (error != nullptr) {
      return s.error_at(value_pos,
                        std::string(error) + " in auth parameter " + quote_for_error(name));
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (charset::iequals(names[i], name)) {
        return s.error_at(name_pos, "duplicate auth parameter " + quote_for_error(name));
      }
    }
    if (count == kMaxAuthParams) {
      return s.error_at(name_pos,
                        "more than " + std::to_string(kMaxAuthParams) + " auth parameters");
    }
    names[count++] = name;
    if (auto e = on_param(name, value, name_pos)) return e;
  } while (s.consume_separator(','));
  s.skip_lws();
  if (!s.at_end()) return s.error("expected ',' between auth parameters");
  return std::nullopt;
}

void pick_digest_param(AuthHeader& header, std::string_view name, std::string_view value) {
  struct Field {
    std::string_view name;
    std::string_view AuthHeader::*member;
  };
  static constexpr Field kFields[] = {
      {"realm", &AuthHeader::realm},   {"nonce", &AuthHeader::nonce},
      {"opaque", &AuthHeader::opaque}, {"algorithm", &AuthHeader::algorithm},
      {"qop", &AuthHeader::qop},       {"stale", &AuthHeader::stale},
      {"domain", &AuthHeader::domain}, {"username", &AuthHeader::username},
      {"uri", &AuthHeader::uri},       {"response", &AuthHeader::response},
      {"cnonce", &AuthHeader::cnonce}, {"nc", &AuthHeader::nonce_count},
  };
  for (const Field& field : kFields) {
    if (charset::iequals(name, field.name)) {
      header.*field.member = value;
      return;
    }
  }
}

}  // namespace

Result<AuthHeader> parse_auth_header(std::string_view value, std::size_t base, bool is_challenge) {
  Scanner s(value, base);
  AuthHeader header;
  header.scheme = s.take_token();
  if (header.scheme.empty()) return s.error("missing auth scheme");
  header.is_digest = charset::iequals(header.scheme, "Digest");
  if (!s.skip_lws() || s.at_end()) {
    return s.error("expected parameters after auth scheme " + quote_for_error(header.scheme));
  }
  const std::size_t params_start = s.pos();
  auto on_param = [&](std::string_view name, std::string_view param_value,
                      std::size_t pos) -> std::optional<ParseError> {
    if (!header.is_digest) return std::nullopt;
    const auto form = digest_param_form(name, is_challenge);
    if (form && !value_has_form(param_value, *form)) {
      return s.error_at(pos, "Digest parameter " + quote_for_error(name) +
                                 " has an invalid value " + quote_for_error(param_value));
    }
    pick_digest_param(header, name, param_value);
    return std::nullopt;
  };
  auto e = scan_auth_params(s, on_param);
  if (e) return std::move(*e);
  header.params = ParamList(s.slice(params_start, s.pos()), ParamList::Style::kAuth);
  return header;
}

Result<AuthenticationInfo> parse_authentication_info(std::string_view value, std::size_t base) {
  Scanner s(value, base);
  AuthenticationInfo info;
  auto e = scan_auth_params(
      s,
      [&](std::string_view name, std::string_view param_value,
          std::size_t pos) -> std::optional<ParseError> {
        struct Field {
          std::string_view name;
          ValueForm form;
          std::string_view AuthenticationInfo::*member;
        };
        static constexpr Field kFields[] = {
            {"nextnonce", ValueForm::kQuoted, &AuthenticationInfo::next_nonce},
            {"qop", ValueForm::kToken, &AuthenticationInfo::qop},
            {"rspauth", ValueForm::kQuotedHex, &AuthenticationInfo::response_auth},
            {"cnonce", ValueForm::kQuoted, &AuthenticationInfo::cnonce},
            {"nc", ValueForm::kNonceCount, &AuthenticationInfo::nonce_count},
        };
        for (const Field& field : kFields) {
          if (!charset::iequals(name, field.name)) continue;
          if (!value_has_form(param_value, field.form)) {
            return s.error_at(pos, "Authentication-Info parameter " + quote_for_error(name) +
                                       " has an invalid value " + quote_for_error(param_value));
          }
          info.*field.member = param_value;
        }
        return std::nullopt;
      });
  if (e) return std::move(*e);
  info.params = ParamList(value, ParamList::Style::kAuth);
  return info;
}

}  // namespace sippay::sip
