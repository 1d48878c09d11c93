#include "payment/auth_scheme.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>
#include <stdexcept>

#include "payment/field_rules.hpp"
#include "sip/charset.hpp"
#include "sip/headers.hpp"

namespace sippay::payment {
namespace {

std::optional<std::string> realm_error(std::string_view realm) {
  if (realm.empty() || realm.size() > kMaxRealmBytes) {
    return fmt::format("must be 1 to {} bytes long, got {}", kMaxRealmBytes, realm.size());
  }
  for (const char c : realm) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      return std::string("must be printable ASCII without '\"' and '\\'");
    }
  }
  return std::nullopt;
}

// One expected parameter of the scheme: its name, whether it is a
// quoted-string, and where its unquoted value goes.
struct ExpectedParam {
  std::string_view name;
  bool quoted;
  std::string* out;
  bool seen = false;
};

// Reads `value` as a SipPay header with exactly the parameters in `expected`
// plus version=1.
template <std::size_t N>
std::optional<DecodeError> read_params(std::string_view value, bool is_challenge,
                                       std::array<ExpectedParam, N>& expected) {
  const auto header = sip::parse_auth_header(value, 0, is_challenge);
  if (!header) return DecodeError{"", "invalid auth header: " + header.error().reason};
  if (!sip::charset::iequals(header->scheme, kAuthScheme)) {
    return DecodeError{"", fmt::format("auth scheme is not {}", kAuthScheme)};
  }
  bool version_seen = false;
  for (const sip::Param& param : header->params) {
    // Duplicates were rejected by parse_auth_header.
    if (sip::charset::iequals(param.name, "version")) {
      if (param.value != "1") {
        return DecodeError{"version", fmt::format("unsupported version; expected {}",
                                                  kProtocolVersion)};
      }
      version_seen = true;
      continue;
    }
    ExpectedParam* match = nullptr;
    for (ExpectedParam& candidate : expected) {
      if (sip::charset::iequals(param.name, candidate.name)) match = &candidate;
    }
    if (match == nullptr) {
      return DecodeError{std::string(param.name), "unknown parameter of the SipPay scheme"};
    }
    const bool is_quoted = !param.value.empty() && param.value.front() == '"';
    if (is_quoted != match->quoted) {
      return DecodeError{std::string(match->name),
                         match->quoted ? "must be a quoted-string" : "must be a token"};
    }
    std::string_view raw = param.value;
    if (is_quoted) raw = raw.substr(1, raw.size() - 2);
    // None of the values allows '\', so an escape means an invalid value.
    if (raw.find('\\') != std::string_view::npos) {
      return DecodeError{std::string(match->name), "must not contain '\\'"};
    }
    *match->out = std::string(raw);
    match->seen = true;
  }
  for (const ExpectedParam& param : expected) {
    if (!param.seen) return DecodeError{std::string(param.name), "missing parameter"};
  }
  if (!version_seen) return DecodeError{"version", "missing parameter"};
  return std::nullopt;
}

std::optional<DecodeError> check_value(std::string_view name, std::optional<std::string> error) {
  if (!error) return std::nullopt;
  return DecodeError{std::string(name), std::move(*error)};
}

void throw_if(std::optional<DecodeError> error, std::string_view what) {
  if (error) throw std::invalid_argument(fmt::format("cannot format {}: {}", what, error->to_string()));
}

std::optional<DecodeError> check_challenge(const MerchantChallenge& challenge) {
  if (auto error = check_value("realm", realm_error(challenge.realm))) return error;
  return check_value("nonce", text_rule_error(challenge.nonce, kNonceRule));
}

std::optional<DecodeError> check_credentials(const PurchaseCredentials& credentials) {
  if (auto error = check_value("realm", realm_error(credentials.realm))) return error;
  if (auto error = check_value("nonce", text_rule_error(credentials.nonce, kNonceRule))) {
    return error;
  }
  return check_value("purchase-id", text_rule_error(credentials.purchase_id, kPurchaseIdRule));
}

}  // namespace

std::string format_challenge(const MerchantChallenge& challenge) {
  throw_if(check_challenge(challenge), "a SipPay challenge");
  return fmt::format("{} realm=\"{}\", nonce=\"{}\", version={}", kAuthScheme, challenge.realm,
                     challenge.nonce, kProtocolVersion);
}

DecodeResult<MerchantChallenge> parse_challenge(std::string_view header_value) {
  MerchantChallenge challenge;
  std::array<ExpectedParam, 2> expected{{
      {"realm", true, &challenge.realm},
      {"nonce", true, &challenge.nonce},
  }};
  if (auto error = read_params(header_value, true, expected)) return std::move(*error);
  if (auto error = check_challenge(challenge)) return std::move(*error);
  return challenge;
}

std::string format_credentials(const PurchaseCredentials& credentials) {
  throw_if(check_credentials(credentials), "SipPay credentials");
  return fmt::format("{} realm=\"{}\", nonce=\"{}\", purchase-id=\"{}\", version={}", kAuthScheme,
                     credentials.realm, credentials.nonce, credentials.purchase_id,
                     kProtocolVersion);
}

DecodeResult<PurchaseCredentials> parse_credentials(std::string_view header_value) {
  PurchaseCredentials credentials;
  std::array<ExpectedParam, 3> expected{{
      {"realm", true, &credentials.realm},
      {"nonce", true, &credentials.nonce},
      {"purchase-id", true, &credentials.purchase_id},
  }};
  if (auto error = read_params(header_value, false, expected)) return std::move(*error);
  if (auto error = check_credentials(credentials)) return std::move(*error);
  return credentials;
}

std::string format_next_nonce(std::string_view nonce) {
  throw_if(check_value("nextnonce", text_rule_error(nonce, kNonceRule)), "a nextnonce");
  return fmt::format("nextnonce=\"{}\"", nonce);
}

DecodeResult<std::string> parse_next_nonce(std::string_view header_value) {
  const auto info = sip::parse_authentication_info(header_value, 0);
  if (!info) return DecodeError{"", "invalid Authentication-Info: " + info.error().reason};
  if (info->params.size() != 1 || info->next_nonce.empty()) {
    return DecodeError{"", "Authentication-Info must contain only nextnonce"};
  }
  // parse_authentication_info checked that nextnonce is a quoted-string.
  const std::string nonce(info->next_nonce.substr(1, info->next_nonce.size() - 2));
  if (auto error = check_value("nextnonce", text_rule_error(nonce, kNonceRule))) {
    return std::move(*error);
  }
  return nonce;
}

}  // namespace sippay::payment
