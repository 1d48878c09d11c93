// Configuration of the registrar: the domains it serves and its limits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sippay::proxy {

struct RegistrarSettings {
  // Domains whose addresses of record this registrar keeps: host names or
  // IP addresses, compared with the To host without regard to case.
  std::vector<std::string> domains;
  // Expiry in seconds of a contact without an expires parameter in a
  // REGISTER without an Expires header.
  std::uint32_t default_expires = 3600;
  // Minimum expiry in seconds. A contact asking for more than 0 and less
  // than both this and one hour gets 423 Interval Too Brief with this value
  // in Min-Expires (RFC 3261 §10.3 step 7).
  std::uint32_t min_expires = 60;
  // Maximum expiry in seconds: a contact asking for more is granted this.
  std::uint32_t max_expires = 86400;
  // Live bindings per address of record. A REGISTER that adds bindings
  // beyond it gets 403 and changes nothing.
  std::size_t max_contacts_per_aor = 10;
};

// Throws std::invalid_argument naming the first inconsistent setting.
void validate(const RegistrarSettings& settings);

}  // namespace sippay::proxy
