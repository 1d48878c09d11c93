#include <fmt/format.h>

#include "security/pki_operations.hpp"
#include "security/sip_identity.hpp"

namespace sippay::security {
namespace {

// Upper case without leading zeros, the form serial_hex() returns.
std::string normalize_serial(std::string_view serial) {
  while (serial.size() > 1 && serial.front() == '0') serial.remove_prefix(1);
  std::string out(serial);
  for (char& c : out) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

bool names_entity(const PkiIndexEntry& entry, const std::string& uri) {
  return match_sip_identity(uri, {entry.uri}).ok();
}

// Marks the chosen entries revoked at `now` and returns copies of them.
Result<std::vector<PkiIndexEntry>> mark_revoked(std::vector<PkiIndexEntry>& entries, const PkiRevokeOptions& options) {
  std::vector<PkiIndexEntry> revoked;
  if (options.serial_hex) {
    const std::string serial = normalize_serial(*options.serial_hex);
    for (PkiIndexEntry& entry : entries) {
      if (entry.serial_hex != serial) continue;
      if (entry.revoked) {
        return Error{ErrorCode::malformed, fmt::format("certificate {} is already revoked", serial)};
      }
      entry.revoked = true;
      entry.revoked_at = options.now;
      revoked.push_back(entry);
    }
    if (revoked.empty()) {
      return Error{ErrorCode::malformed, fmt::format("no certificate with serial {} in the index", serial)};
    }
    return revoked;
  }

  const Status uri_ok = check_certificate_sip_uri(*options.uri);
  if (!uri_ok) return uri_ok.error();
  for (PkiIndexEntry& entry : entries) {
    if (entry.revoked || !names_entity(entry, *options.uri)) continue;
    entry.revoked = true;
    entry.revoked_at = options.now;
    revoked.push_back(entry);
  }
  if (revoked.empty()) {
    return Error{ErrorCode::malformed, fmt::format("no unrevoked certificate for {} in the index", *options.uri)};
  }
  return revoked;
}

}  // namespace

Result<RevokeOutcome> pki_revoke(const std::filesystem::path& directory, const PkiRevokeOptions& options) {
  if (options.serial_hex.has_value() == options.uri.has_value()) {
    return Error{ErrorCode::malformed, "give exactly one of a serial number and a URI to revoke"};
  }
  const Status days_ok = check_validity_days(options.crl_days, kMaxCrlValidityDays, "CRL validity");
  if (!days_ok) return days_ok.error();

  auto pki = open_pki(directory);
  if (!pki) return pki.error();
  const PkiLayout& layout = pki.value().layout;
  const PkiCa& ca = pki.value().ca;
  std::vector<PkiIndexEntry>& entries = pki.value().entries;

  auto revoked = mark_revoked(entries, options);
  if (!revoked) return revoked.error();
  const Status index_saved = write_pki_index(layout.index(), entries);
  if (!index_saved) return index_saved.error();
  auto crl_number = publish_crl(layout, ca, entries, options.crl_days, options.now);
  if (!crl_number) return crl_number.error();
  return RevokeOutcome{std::move(revoked.value()), crl_number.value()};
}

Result<std::uint64_t> pki_update_crl(const std::filesystem::path& directory, int crl_days,
                                     std::chrono::system_clock::time_point now) {
  auto pki = open_pki(directory);
  if (!pki) return pki.error();
  return publish_crl(pki.value().layout, pki.value().ca, pki.value().entries, crl_days, now);
}

}  // namespace sippay::security
