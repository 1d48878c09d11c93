// The operator PKI on disk: where each file of a PKI directory lives, the
// lock that serializes commands on it, and the limits of its commands.
//
//   DIR/                mode 0700
//     ca.pem            the CA certificate (0644)
//     ca.key            the CA private key (0600)
//     crl.pem           the current CRL (0644)
//     crlnumber         the last cRLNumber issued, in decimal (0644)
//     index.tsv         every certificate issued (see pki_index.hpp) (0644)
//     lock              held with flock(2) while a command changes the directory
//     issued/           mode 0700
//       SERIAL.pem      an issued certificate (0644)
//       SERIAL.key      its private key (0600)
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "security/certificate.hpp"
#include "security/error.hpp"
#include "security/pki_index.hpp"
#include "security/private_key.hpp"

namespace sippay::security {

// Validity limits, in days.
inline constexpr int kDefaultCaValidityDays = 3650;
inline constexpr int kMaxCaValidityDays = 7300;
inline constexpr int kDefaultCertificateValidityDays = 365;
inline constexpr int kMaxCertificateValidityDays = 825;
inline constexpr int kDefaultCrlValidityDays = 30;
inline constexpr int kMaxCrlValidityDays = 365;
// notBefore and thisUpdate lie this far before the time of issue, so a peer
// whose clock is a little behind still accepts a fresh certificate or CRL.
inline constexpr std::chrono::seconds kBackdate{300};

class PkiLayout {
 public:
  explicit PkiLayout(std::filesystem::path directory) : directory_(std::move(directory)) {}

  const std::filesystem::path& directory() const { return directory_; }
  std::filesystem::path ca_certificate() const { return directory_ / "ca.pem"; }
  std::filesystem::path ca_key() const { return directory_ / "ca.key"; }
  std::filesystem::path crl() const { return directory_ / "crl.pem"; }
  std::filesystem::path crl_number() const { return directory_ / "crlnumber"; }
  std::filesystem::path index() const { return directory_ / "index.tsv"; }
  std::filesystem::path lock() const { return directory_ / "lock"; }
  std::filesystem::path issued() const { return directory_ / "issued"; }
  std::filesystem::path issued_certificate(const std::string& serial_hex) const {
    return issued() / (serial_hex + ".pem");
  }
  std::filesystem::path issued_key(const std::string& serial_hex) const { return issued() / (serial_hex + ".key"); }

 private:
  std::filesystem::path directory_;
};

// An exclusive flock(2) on the layout's lock file, released on destruction,
// so two commands never interleave their index and CRL updates.
class PkiLock {
 public:
  static Result<PkiLock> acquire(const PkiLayout& layout);
  PkiLock(PkiLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  PkiLock(const PkiLock&) = delete;
  PkiLock& operator=(const PkiLock&) = delete;
  PkiLock& operator=(PkiLock&&) = delete;
  ~PkiLock();

 private:
  explicit PkiLock(int fd) : fd_(fd) {}
  int fd_;
};

struct PkiCa {
  Certificate certificate;
  PrivateKey key;
};

// Loads the CA certificate and key, checking that they belong together.
Result<PkiCa> load_pki_ca(const PkiLayout& layout);

// An open PKI directory: its lock held, the CA loaded and the index read,
// as every command after init needs.
struct OpenPki {
  PkiLayout layout;
  PkiLock lock;
  PkiCa ca;
  std::vector<PkiIndexEntry> entries;
};

Result<OpenPki> open_pki(const std::filesystem::path& directory);

// Checks that `days` lies in [1, max_days]; `what` names the option.
Status check_validity_days(int days, int max_days, std::string_view what);

// Signs a CRL listing every revoked entry of `entries`, valid for
// `crl_days` from `now`, with the next cRLNumber, and writes crl.pem and
// crlnumber. Returns the cRLNumber used.
Result<std::uint64_t> publish_crl(const PkiLayout& layout, const PkiCa& ca, const std::vector<PkiIndexEntry>& entries,
                                  int crl_days, std::chrono::system_clock::time_point now);

}  // namespace sippay::security
