#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "security/file_io.hpp"
#include "security/pki_certificate.hpp"
#include "security/pki_operations.hpp"

namespace sippay::security {
namespace {

// Creates `path` with mode 0700, or accepts it when it already is a directory.
Status make_private_directory(const std::filesystem::path& path) {
  if (::mkdir(path.c_str(), 0700) == 0) return ok_status();
  if (errno == EEXIST && std::filesystem::is_directory(path)) return ok_status();
  return Error{ErrorCode::io, fmt::format("cannot create directory {}: {}", path.string(), std::strerror(errno))};
}

}  // namespace

Result<Certificate> pki_init(const std::filesystem::path& directory, const PkiInitOptions& options) {
  const Status days_ok = check_validity_days(options.ca_days, kMaxCaValidityDays, "CA validity");
  if (!days_ok) return days_ok.error();
  const Status crl_days_ok = check_validity_days(options.crl_days, kMaxCrlValidityDays, "CRL validity");
  if (!crl_days_ok) return crl_days_ok.error();
  if (options.ca_name.empty()) return Error{ErrorCode::malformed, "the CA name must not be empty"};

  const PkiLayout layout(directory);
  const Status made = make_private_directory(directory);
  if (!made) return made.error();
  auto lock = PkiLock::acquire(layout);
  if (!lock) return lock.error();
  if (std::filesystem::exists(layout.ca_key()) || std::filesystem::exists(layout.ca_certificate())) {
    return Error{ErrorCode::io, fmt::format("{} already contains a CA; choose another directory", directory.string())};
  }

  auto key = PrivateKey::generate(options.algorithm, options.rsa_bits);
  if (!key) return key.error();
  CertificateProfile profile;
  profile.common_name = options.ca_name;
  profile.not_before = options.now - kBackdate;
  profile.not_after = options.now + std::chrono::hours(24) * options.ca_days;
  auto certificate = make_ca_certificate(key.value(), profile);
  if (!certificate) return certificate.error();

  const Status issued_made = make_private_directory(layout.issued());
  if (!issued_made) return issued_made.error();
  const Status key_saved = key.value().save_pem_file(layout.ca_key());
  if (!key_saved) return key_saved.error();
  const Status certificate_saved = write_file_atomic(layout.ca_certificate(), certificate.value().to_pem(), 0644);
  if (!certificate_saved) return certificate_saved.error();
  const Status index_saved = write_pki_index(layout.index(), {});
  if (!index_saved) return index_saved.error();

  const PkiCa ca{certificate.value(), key.value()};
  auto crl = publish_crl(layout, ca, {}, options.crl_days, options.now);
  if (!crl) return crl.error();
  return certificate;
}

}  // namespace sippay::security
