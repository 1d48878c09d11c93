#include <fmt/format.h>
#include <openssl/x509v3.h>

#include "security/file_io.hpp"
#include "security/pki_certificate.hpp"
#include "security/pki_operations.hpp"

namespace sippay::security {
namespace {

Status check_issue_options(const PkiIssueOptions& options) {
  const Status days_ok = check_validity_days(options.days, kMaxCertificateValidityDays, "certificate validity");
  if (!days_ok) return days_ok;
  const Status uri_ok = check_certificate_sip_uri(options.uri);
  if (!uri_ok) return uri_ok;
  for (const std::string& name : options.dns_names) {
    const Status name_ok = check_certificate_dns_name(name);
    if (!name_ok) return name_ok;
  }
  for (const std::string& address : options.ip_addresses) {
    ASN1_OCTET_STRING* parsed = a2i_IPADDRESS(address.c_str());
    ASN1_OCTET_STRING_free(parsed);
    if (parsed == nullptr) {
      return Error{ErrorCode::malformed,
                   fmt::format("'{}' is not an IP address; write it as 127.0.0.1 or ::1", address)};
    }
  }
  return ok_status();
}

}  // namespace

Result<IssuedCertificate> pki_issue(const std::filesystem::path& directory, const PkiIssueOptions& options) {
  const Status options_ok = check_issue_options(options);
  if (!options_ok) return options_ok.error();

  auto pki = open_pki(directory);
  if (!pki) return pki.error();
  const PkiLayout& layout = pki.value().layout;
  const PkiCa& ca = pki.value().ca;
  std::vector<PkiIndexEntry>& entries = pki.value().entries;

  CertificateProfile profile;
  profile.common_name = options.uri;
  profile.sip_uris = {options.uri};
  profile.dns_names = options.dns_names;
  profile.ip_addresses = options.ip_addresses;
  const RoleUsage usage = role_usage(options.role, options.algorithm);
  profile.key_usage = usage.key_usage;
  profile.extended_key_usage = usage.extended_key_usage;
  profile.not_before = options.now - kBackdate;
  profile.not_after = options.now + std::chrono::hours(24) * options.days;
  if (profile.not_after > ca.certificate.not_after()) {
    return Error{ErrorCode::malformed,
                 fmt::format("a certificate valid for {} days would outlive the CA, which expires {}; use fewer days",
                             options.days, format_utc(ca.certificate.not_after()))};
  }

  auto key = PrivateKey::generate(options.algorithm, options.rsa_bits);
  if (!key) return key.error();
  auto certificate = issue_certificate(ca.certificate, ca.key, key.value(), profile);
  if (!certificate) return certificate.error();
  const std::string serial = certificate.value().serial_hex();

  // The index comes first: a certificate that exists is always listed, so it can be revoked.
  entries.push_back(PkiIndexEntry{serial, false, certificate.value().not_after(), std::nullopt,
                                          std::string(to_string(options.role)), options.uri});
  const Status index_saved = write_pki_index(layout.index(), entries);
  if (!index_saved) return index_saved.error();

  IssuedCertificate issued{certificate.value(), layout.issued_certificate(serial), layout.issued_key(serial)};
  const Status key_saved = key.value().save_pem_file(issued.key_file);
  if (!key_saved) return key_saved.error();
  const Status certificate_saved = write_file_atomic(issued.certificate_file, certificate.value().to_pem(), 0644);
  if (!certificate_saved) return certificate_saved.error();
  return issued;
}

}  // namespace sippay::security
