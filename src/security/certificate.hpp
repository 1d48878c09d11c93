// An X.509 certificate with shared ownership: copies share one X509 through
// OpenSSL's reference count (X509_up_ref), so copying is cheap.
#pragma once

#include <openssl/x509.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "security/error.hpp"

namespace sippay::security {

// Size limits for certificate input, in bytes.
inline constexpr std::size_t kMaxCertificateBytes = 64 * 1024;        // one PEM or DER certificate
inline constexpr std::size_t kMaxCertificateBundleBytes = 1024 * 1024;  // a PEM file of several
inline constexpr std::size_t kMaxBundleCertificates = 256;

class Certificate {
 public:
  // Parses the one PEM certificate in `pem`; text with a second certificate
  // is malformed (use load_pem_bundle for several).
  static Result<Certificate> from_pem(std::string_view pem);
  // Parses exactly one DER certificate; trailing bytes are malformed.
  static Result<Certificate> from_der(std::span<const std::uint8_t> der);
  static Result<Certificate> load_pem_file(const std::filesystem::path& path);
  // Reads every certificate of a PEM file; a file without one is malformed.
  static Result<std::vector<Certificate>> load_pem_bundle(const std::filesystem::path& path);

  // Takes over one reference to `certificate`, which must not be null.
  explicit Certificate(X509* certificate);
  Certificate(const Certificate& other);
  Certificate(Certificate&& other) noexcept;
  Certificate& operator=(const Certificate& other);
  Certificate& operator=(Certificate&& other) noexcept;
  ~Certificate();

  // The certificate for OpenSSL calls; this object keeps it alive.
  X509* native() const { return certificate_; }

  // subjectAltName uniformResourceIdentifier entries whose scheme is sip or
  // sips (case-insensitive), as written in the certificate.
  std::vector<std::string> sip_uris() const;
  // subjectAltName dNSName entries.
  std::vector<std::string> dns_names() const;
  // The subject name in RFC 2253 form, for logs and listings.
  std::string subject() const;
  // The serial number in upper-case hexadecimal without leading zeros.
  std::string serial_hex() const;
  std::chrono::system_clock::time_point not_before() const;
  std::chrono::system_clock::time_point not_after() const;
  std::string to_pem() const;
  std::vector<std::uint8_t> to_der() const;

 private:
  X509* certificate_;
};

}  // namespace sippay::security
