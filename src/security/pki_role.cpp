#include "security/pki_role.hpp"

#include <fmt/format.h>

#include "sip/uri.hpp"

namespace sippay::security {
namespace {

bool is_label_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

bool is_valid_label(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
  for (const char c : label) {
    if (!is_label_character(c)) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(PkiRole role) {
  switch (role) {
    case PkiRole::merchant: return "merchant";
    case PkiRole::customer: return "customer";
    case PkiRole::gateway: return "gateway";
    case PkiRole::proxy: return "proxy";
  }
  return "unknown";
}

std::optional<PkiRole> parse_pki_role(std::string_view text) {
  for (const PkiRole role : {PkiRole::merchant, PkiRole::customer, PkiRole::gateway, PkiRole::proxy}) {
    if (text == to_string(role)) return role;
  }
  return std::nullopt;
}

RoleUsage role_usage(PkiRole role, PrivateKey::Algorithm algorithm) {
  RoleUsage usage;
  usage.key_usage =
      algorithm == PrivateKey::Algorithm::ec_p256 ? "digitalSignature,keyAgreement" : "digitalSignature,keyEncipherment";
  // Every role listens on TLS (customers and merchants too, so that the
  // proxy can relay requests to them) and connects to the proxy with TLS.
  (void)role;
  usage.extended_key_usage = "emailProtection,serverAuth,clientAuth";
  return usage;
}

Status check_certificate_sip_uri(std::string_view uri) {
  const auto parsed = sip::parse_uri(uri);
  if (!parsed || !parsed->is_sip_or_sips()) {
    return Error{ErrorCode::malformed,
                 fmt::format("'{}' is not a valid sip or sips URI, for example sip:merchant@shop.example.com", uri)};
  }
  if (!parsed->headers.empty() || parsed->has_password) {
    return Error{ErrorCode::malformed, fmt::format("'{}' has headers or a password; give the plain address", uri)};
  }
  return ok_status();
}

Status check_certificate_dns_name(std::string_view name) {
  const Error invalid{ErrorCode::malformed,
                      fmt::format("'{}' is not a valid DNS host name (letters, digits, hyphens and dots; "
                                  "no wildcards)",
                                  name)};
  if (name.empty() || name.size() > 253) return invalid;
  std::string_view rest = name;
  for (;;) {
    const std::size_t dot = rest.find('.');
    if (!is_valid_label(rest.substr(0, dot))) return invalid;
    if (dot == std::string_view::npos) return ok_status();
    rest.remove_prefix(dot + 1);
  }
}

}  // namespace sippay::security
