#include "security/pki_directory.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "security/file_io.hpp"
#include "security/pki_crl.hpp"

namespace sippay::security {
namespace {

Result<std::uint64_t> read_crl_number(const PkiLayout& layout) {
  auto text = read_file(layout.crl_number(), 64);
  if (!text) return text.error();
  std::string_view digits = text.value();
  while (!digits.empty() && (digits.back() == '\n' || digits.back() == ' ')) digits.remove_suffix(1);
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return Error{ErrorCode::malformed, fmt::format("{} does not hold a decimal number", layout.crl_number().string())};
  }
  return number;
}

}  // namespace

Result<PkiLock> PkiLock::acquire(const PkiLayout& layout) {
  if (!std::filesystem::is_directory(layout.directory())) {
    return Error{ErrorCode::io, fmt::format("PKI directory {} does not exist; run `sippay pki init --dir {}` first",
                                            layout.directory().string(), layout.directory().string())};
  }
  const int fd = ::open(layout.lock().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error{ErrorCode::io, fmt::format("cannot open {}: {}", layout.lock().string(), std::strerror(errno))};
  }
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int saved = errno;
    ::close(fd);
    return Error{ErrorCode::io, fmt::format("cannot lock {}: {}", layout.lock().string(), std::strerror(saved))};
  }
  return PkiLock(fd);
}

PkiLock::~PkiLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

Result<PkiCa> load_pki_ca(const PkiLayout& layout) {
  auto certificate = Certificate::load_pem_file(layout.ca_certificate());
  if (!certificate) {
    return Error{certificate.error().code,
                 certificate.error().detail + fmt::format(" (run `sippay pki init --dir {}` first)",
                                                          layout.directory().string())};
  }
  auto key = PrivateKey::load_pem_file(layout.ca_key());
  if (!key) return key.error();
  if (!key.value().matches(certificate.value())) {
    return Error{ErrorCode::malformed, fmt::format("{} is not the key of {}", layout.ca_key().string(),
                                                   layout.ca_certificate().string())};
  }
  return PkiCa{std::move(certificate.value()), std::move(key.value())};
}

Result<OpenPki> open_pki(const std::filesystem::path& directory) {
  PkiLayout layout(directory);
  auto lock = PkiLock::acquire(layout);
  if (!lock) return lock.error();
  auto ca = load_pki_ca(layout);
  if (!ca) return ca.error();
  auto entries = read_pki_index(layout.index());
  if (!entries) return entries.error();
  return OpenPki{std::move(layout), std::move(lock.value()), std::move(ca.value()), std::move(entries.value())};
}

Status check_validity_days(int days, int max_days, std::string_view what) {
  if (days < 1 || days > max_days) {
    return Error{ErrorCode::malformed, fmt::format("{} is {}; use 1 to {} days", what, days, max_days)};
  }
  return ok_status();
}

Result<std::uint64_t> publish_crl(const PkiLayout& layout, const PkiCa& ca, const std::vector<PkiIndexEntry>& entries,
                                  int crl_days, std::chrono::system_clock::time_point now) {
  const Status days_ok = check_validity_days(crl_days, kMaxCrlValidityDays, "CRL validity");
  if (!days_ok) return days_ok.error();
  std::uint64_t last_number = 0;
  if (std::filesystem::exists(layout.crl_number())) {
    auto number = read_crl_number(layout);
    if (!number) return number.error();
    last_number = number.value();
  }

  std::vector<RevokedCertificate> revoked;
  for (const PkiIndexEntry& entry : entries) {
    if (entry.revoked) revoked.push_back({entry.serial_hex, entry.revoked_at.value_or(now)});
  }
  CrlRequest request;
  request.crl_number = last_number + 1;
  request.this_update = now - kBackdate;
  request.next_update = now + std::chrono::hours(24) * crl_days;
  auto pem = make_crl_pem(ca.certificate, ca.key, revoked, request);
  if (!pem) return pem.error();

  // The number goes first: a crash between the writes skips a number, never reuses one.
  const Status number_written = write_file_atomic(layout.crl_number(), fmt::format("{}\n", request.crl_number), 0644);
  if (!number_written) return number_written.error();
  const Status crl_written = write_file_atomic(layout.crl(), pem.value(), 0644);
  if (!crl_written) return crl_written.error();
  return request.crl_number;
}

}  // namespace sippay::security
