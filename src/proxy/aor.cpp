#include "proxy/aor.hpp"

#include <fmt/format.h>

#include "sip/charset.hpp"

namespace sippay::proxy {
namespace {

// Writes the decoded user back in the escaping of RFC 3261 §25.1
// (user = 1*( unreserved / escaped / user-unreserved )), so that every
// spelling of a user gives the same text.
void append_user(std::string& out, std::string_view escaped_user) {
  for (const char c : sip::unescape(escaped_user)) {
    if (sip::charset::is(c, sip::charset::kUnreserved | sip::charset::kUserExtra)) {
      out.push_back(c);
    } else {
      fmt::format_to(std::back_inserter(out), "%{:02X}", static_cast<unsigned char>(c));
    }
  }
}

}  // namespace

std::optional<std::string> canonical_aor(const sip::Uri& uri) {
  if (!uri.is_sip_or_sips() || !uri.has_user || uri.user.empty()) return std::nullopt;

  std::string aor = uri.scheme == sip::UriScheme::kSips ? "sips:" : "sip:";
  append_user(aor, uri.user);
  aor.push_back('@');
  for (const char c : uri.host) aor.push_back(sip::charset::to_lower(c));
  return aor;
}

}  // namespace sippay::proxy
