#include "proxy/registrar_settings.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace sippay::proxy {

void validate(const RegistrarSettings& settings) {
  if (settings.domains.empty()) {
    throw std::invalid_argument("registrar settings: domains is empty; list at least one served domain");
  }
  for (const std::string& domain : settings.domains) {
    if (domain.empty()) throw std::invalid_argument("registrar settings: a domain is empty");
  }
  if (settings.max_expires == 0) {
    throw std::invalid_argument("registrar settings: max_expires must be at least 1 second");
  }
  if (settings.min_expires > settings.max_expires) {
    throw std::invalid_argument(fmt::format(
        "registrar settings: min_expires ({} s) is larger than max_expires ({} s)",
        settings.min_expires, settings.max_expires));
  }
  if (settings.default_expires < settings.min_expires || settings.default_expires > settings.max_expires) {
    throw std::invalid_argument(fmt::format(
        "registrar settings: default_expires ({} s) must lie between min_expires ({} s) and "
        "max_expires ({} s)",
        settings.default_expires, settings.min_expires, settings.max_expires));
  }
  if (settings.max_contacts_per_aor == 0) {
    throw std::invalid_argument("registrar settings: max_contacts_per_aor must be at least 1");
  }
}

}  // namespace sippay::proxy
