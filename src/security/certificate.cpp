#include "security/certificate.hpp"

#include <fmt/format.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <climits>
#include <ctime>
#include <utility>

#include "security/file_io.hpp"
#include "security/openssl_util.hpp"
#include "sip/charset.hpp"

namespace sippay::security {
namespace {

using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpensslDeleter<GENERAL_NAMES_free>>;

Error too_large(std::string_view what, std::size_t size, std::size_t limit) {
  return Error{ErrorCode::too_large,
               fmt::format("{} has {} bytes, more than the limit of {}", what, size, limit)};
}

// True when the PEM reader stopped because no further certificate follows,
// as opposed to a broken one.
bool is_end_of_pem() {
  const unsigned long error = ERR_peek_last_error();
  return ERR_GET_LIB(error) == ERR_LIB_PEM && ERR_GET_REASON(error) == PEM_R_NO_START_LINE;
}

// Reads every certificate of `pem`, at most kMaxBundleCertificates.
Result<std::vector<Certificate>> read_pem_certificates(std::string_view pem) {
  clear_openssl_errors();
  BioPtr bio = memory_bio(pem);
  std::vector<Certificate> certificates;
  for (;;) {
    X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (certificate == nullptr) {
      if (is_end_of_pem()) break;
      return Error{ErrorCode::malformed, "invalid PEM certificate: " + take_openssl_errors()};
    }
    certificates.emplace_back(certificate);
    if (certificates.size() > kMaxBundleCertificates) {
      return Error{ErrorCode::too_large, fmt::format("more than {} certificates in one PEM text",
                                                     kMaxBundleCertificates)};
    }
  }
  clear_openssl_errors();
  if (certificates.empty()) {
    return Error{ErrorCode::malformed, "no PEM certificate found (expected -----BEGIN CERTIFICATE-----)"};
  }
  return certificates;
}

std::string asn1_string_text(const ASN1_STRING* text) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                     static_cast<std::size_t>(ASN1_STRING_length(text)));
}

// subjectAltName entries of type `type` (GEN_URI, GEN_DNS). Entries with an
// embedded NUL are skipped, so a name cannot be cut short by a C reader.
std::vector<std::string> alt_names(X509* certificate, int type) {
  std::vector<std::string> names;
  GeneralNamesPtr general_names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr)));
  if (!general_names) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(general_names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(general_names.get(), i);
    if (name->type != type) continue;
    std::string text = asn1_string_text(name->d.ia5);
    if (text.find('\0') != std::string::npos) continue;
    names.push_back(std::move(text));
  }
  return names;
}

bool has_sip_scheme(std::string_view uri) {
  return (uri.size() > 4 && sip::charset::iequals(uri.substr(0, 4), "sip:")) ||
         (uri.size() > 5 && sip::charset::iequals(uri.substr(0, 5), "sips:"));
}

}  // namespace

Certificate::Certificate(X509* certificate) : certificate_(certificate) {}

Certificate::Certificate(const Certificate& other) : certificate_(other.certificate_) {
  X509_up_ref(certificate_);
}

Certificate::Certificate(Certificate&& other) noexcept : certificate_(other.certificate_) {
  // A moved-from Certificate keeps a reference too, so it stays usable.
  X509_up_ref(certificate_);
}

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) {
    X509_up_ref(other.certificate_);
    X509_free(certificate_);
    certificate_ = other.certificate_;
  }
  return *this;
}

Certificate& Certificate::operator=(Certificate&& other) noexcept {
  return *this = static_cast<const Certificate&>(other);
}

Certificate::~Certificate() { X509_free(certificate_); }

Result<Certificate> Certificate::from_pem(std::string_view pem) {
  if (pem.size() > kMaxCertificateBytes) return too_large("PEM certificate", pem.size(), kMaxCertificateBytes);
  auto certificates = read_pem_certificates(pem);
  if (!certificates) return certificates.error();
  if (certificates.value().size() != 1) {
    return Error{ErrorCode::malformed,
                 fmt::format("expected one PEM certificate, found {}", certificates.value().size())};
  }
  return certificates.value().front();
}

Result<Certificate> Certificate::from_der(std::span<const std::uint8_t> der) {
  if (der.size() > kMaxCertificateBytes) return too_large("DER certificate", der.size(), kMaxCertificateBytes);
  clear_openssl_errors();
  const unsigned char* cursor = der.data();
  X509* certificate = d2i_X509(nullptr, &cursor, static_cast<long>(der.size()));
  if (certificate == nullptr) {
    return Error{ErrorCode::malformed, "invalid DER certificate: " + take_openssl_errors()};
  }
  Certificate result(certificate);
  if (cursor != der.data() + der.size()) {
    return Error{ErrorCode::malformed,
                 fmt::format("{} bytes after the DER certificate", der.data() + der.size() - cursor)};
  }
  return result;
}

Result<Certificate> Certificate::load_pem_file(const std::filesystem::path& path) {
  auto text = read_file(path, kMaxCertificateBytes);
  if (!text) return text.error();
  auto certificate = from_pem(text.value());
  if (!certificate) return Error{certificate.error().code, path.string() + ": " + certificate.error().detail};
  return certificate;
}

Result<std::vector<Certificate>> Certificate::load_pem_bundle(const std::filesystem::path& path) {
  auto text = read_file(path, kMaxCertificateBundleBytes);
  if (!text) return text.error();
  auto certificates = read_pem_certificates(text.value());
  if (!certificates) {
    return Error{certificates.error().code, path.string() + ": " + certificates.error().detail};
  }
  return certificates;
}

std::vector<std::string> Certificate::sip_uris() const {
  std::vector<std::string> uris = alt_names(certificate_, GEN_URI);
  std::erase_if(uris, [](const std::string& uri) { return !has_sip_scheme(uri); });
  return uris;
}

std::vector<std::string> Certificate::dns_names() const { return alt_names(certificate_, GEN_DNS); }

std::string Certificate::subject() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate_), 0, XN_FLAG_RFC2253);
  return memory_bio_contents(bio.get());
}

std::string Certificate::serial_hex() const {
  std::unique_ptr<BIGNUM, OpensslDeleter<BN_free>> number(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate_), nullptr));
  if (!number) return {};
  char* hex = BN_bn2hex(number.get());
  if (hex == nullptr) return {};
  std::string out(hex);
  OPENSSL_free(hex);
  return out;
}

std::chrono::system_clock::time_point Certificate::not_before() const {
  return to_time_point(X509_get0_notBefore(certificate_));
}

std::chrono::system_clock::time_point Certificate::not_after() const {
  return to_time_point(X509_get0_notAfter(certificate_));
}

std::string Certificate::to_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), certificate_);
  return memory_bio_contents(bio.get());
}

std::vector<std::uint8_t> Certificate::to_der() const {
  const int length = i2d_X509(certificate_, nullptr);
  if (length <= 0) return {};
  std::vector<std::uint8_t> der(static_cast<std::size_t>(length));
  unsigned char* cursor = der.data();
  i2d_X509(certificate_, &cursor);
  return der;
}

}  // namespace sippay::security
