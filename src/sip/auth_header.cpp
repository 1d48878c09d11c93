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

bool is_lhex(std::string_view text) { return charset::all_lower_hex(text); }

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

// The Digest parameters that AuthHeader picks out, with the value form of
// each in a challenge and in credentials.
struct DigestParam {
  std::string_view name;
  ValueForm challenge;
  ValueForm credentials;
  std::string_view AuthHeader::*member;
};

constexpr DigestParam kDigestParams[] = {
    {"realm", ValueForm::kQuoted, ValueForm::kQuoted, &AuthHeader::realm},
    {"nonce", ValueForm::kQuoted, ValueForm::kQuoted, &AuthHeader::nonce},
    {"opaque", ValueForm::kQuoted, ValueForm::kQuoted, &AuthHeader::opaque},
    {"domain", ValueForm::kQuoted, ValueForm::kAny, &AuthHeader::domain},
    {"algorithm", ValueForm::kToken, ValueForm::kToken, &AuthHeader::algorithm},
    {"stale", ValueForm::kBoolean, ValueForm::kAny, &AuthHeader::stale},
    {"qop", ValueForm::kQuotedTokenList, ValueForm::kToken, &AuthHeader::qop},
    {"username", ValueForm::kAny, ValueForm::kQuoted, &AuthHeader::username},
    {"uri", ValueForm::kAny, ValueForm::kQuoted, &AuthHeader::uri},
    {"response", ValueForm::kAny, ValueForm::kDigestResponse, &AuthHeader::response},
    {"cnonce", ValueForm::kAny, ValueForm::kQuoted, &AuthHeader::cnonce},
    {"nc", ValueForm::kAny, ValueForm::kNonceCount, &AuthHeader::nonce_count},
};

// The Authentication-Info parameters (§20.6) and their value forms.
struct InfoParam {
  std::string_view name;
  ValueForm form;
  std::string_view AuthenticationInfo::*member;
};

constexpr InfoParam kInfoParams[] = {
    {"nextnonce", ValueForm::kQuoted, &AuthenticationInfo::next_nonce},
    {"qop", ValueForm::kToken, &AuthenticationInfo::qop},
    {"rspauth", ValueForm::kQuotedHex, &AuthenticationInfo::response_auth},
    {"cnonce", ValueForm::kQuoted, &AuthenticationInfo::cnonce},
    {"nc", ValueForm::kNonceCount, &AuthenticationInfo::nonce_count},
};

template <typename Param, std::size_t N>
consteval std::array<std::string_view, N> names_of(const Param (&params)[N]) {
  std::array<std::string_view, N> names{};
  for (std::size_t i = 0; i < N; ++i) names[i] = params[i].name;
  return names;
}

constexpr grammar::NameIndex kDigestIndex(names_of(kDigestParams));
constexpr grammar::NameIndex kInfoIndex(names_of(kInfoParams));

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
// Calls `on_param(name, known, value, name_pos)` for each after checking
// for duplicates, where `known` is the position of the name in `index` or -1.
template <std::size_t N, typename OnParam>
std::optional<ParseError> scan_auth_params(Scanner& scanner, const grammar::NameIndex<N>& index,
                                           OnParam&& on_param) {
  static_assert(N <= 32, "the known names must fit the bits of seen_known");
  // A local copy, which the compiler can keep in registers; `scanner` gets
  // its position back at the end.
  Scanner s = scanner;
  // Duplicates among the known names are found with a bit each; only other
  // names need comparing with the names seen before. `other_names` is left
  // uninitialized because it is read only below `other_count`.
  std::uint32_t seen_known = 0;
  struct Name {
    const char* data;
    std::size_t size;
  };
  Name other_names[kMaxAuthParams];
  std::size_t other_count = 0;
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
    const int known = index.find(name);
    bool duplicate = false;
    if (known >= 0) {
      duplicate = (seen_known & (std::uint32_t{1} << known)) != 0;
    } else {
      for (std::size_t i = 0; i < other_count && !duplicate; ++i) {
        duplicate = charset::iequals({other_names[i].data, other_names[i].size}, name);
      }
    }
    if (duplicate) return s.error_at(name_pos, "duplicate auth parameter " + quote_for_error(name));
    if (count == kMaxAuthParams) {
      return s.error_at(name_pos,
                        "more than " + std::to_string(kMaxAuthParams) + " auth parameters");
    }
    ++count;
    if (known >= 0) {
      seen_known |= std::uint32_t{1} << known;
    } else {
      other_names[other_count++] = {name.data(), name.size()};
    }
    if (auto e = on_param(name, known, value, name_pos)) return e;
  } while (s.consume_separator(','));
  s.skip_lws();
  if (!s.at_end()) return s.error("expected ',' between auth parameters");
  scanner = s;
  return std::nullopt;
}

}  // namespace

std::optional<ParseError> parse_auth_header_into(std::string_view value, std::size_t base,
                                                 bool is_challenge, AuthHeader& header) {
  Scanner s(value, base);
  header.scheme = s.take_token();
  if (header.scheme.empty()) return s.error("missing auth scheme");
  header.is_digest = charset::token_iequals(header.scheme, "Digest");
  if (!s.skip_lws() || s.at_end()) {
    return s.error("expected parameters after auth scheme " + quote_for_error(header.scheme));
  }
  const std::size_t params_start = s.pos();
  auto on_param = [&](std::string_view name, int known, std::string_view param_value,
                      std::size_t pos) -> std::optional<ParseError> {
    if (!header.is_digest || known < 0) return std::nullopt;
    const DigestParam& param = kDigestParams[known];
    if (!value_has_form(param_value, is_challenge ? param.challenge : param.credentials)) {
      return s.error_at(pos, "Digest parameter " + quote_for_error(name) +
                                 " has an invalid value " + quote_for_error(param_value));
    }
    header.*param.member = param_value;
    return std::nullopt;
  };
  if (auto e = scan_auth_params(s, kDigestIndex, on_param)) return e;
  header.params = ParamList(s.slice(params_start, s.pos()), ParamList::Style::kAuth);
  return std::nullopt;
}

Result<AuthHeader> parse_auth_header(std::string_view value, std::size_t base, bool is_challenge) {
  Result<AuthHeader> result{std::in_place};
  if (auto e = parse_auth_header_into(value, base, is_challenge, result.value())) {
    result = std::move(*e);
  }
  return result;
}

Result<AuthenticationInfo> parse_authentication_info(std::string_view value, std::size_t base) {
  Scanner s(value, base);
  AuthenticationInfo info;
  auto e = scan_auth_params(
      s, kInfoIndex,
      [&](std::string_view name, int known, std::string_view param_value,
          std::size_t pos) -> std::optional<ParseError> {
        if (known < 0) return std::nullopt;
        const InfoParam& param = kInfoParams[known];
        if (!value_has_form(param_value, param.form)) {
          return s.error_at(pos, "Authentication-Info parameter " + quote_for_error(name) +
                                     " has an invalid value " + quote_for_error(param_value));
        }
        info.*param.member = param_value;
        return std::nullopt;
      });
  if (e) return std::move(*e);
  info.params = ParamList(value, ParamList::Style::kAuth);
  return info;
}

}  // namespace sippay::sip
