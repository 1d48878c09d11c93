#include "security/key_usage.hpp"

#include <fmt/format.h>
#include <openssl/x509v3.h>

#include <cstdint>

namespace sippay::security {
namespace {

constexpr std::uint32_t kAbsent = UINT32_MAX;  // what OpenSSL returns for a missing extension

Error unfit(const Certificate& certificate, KeyPurpose purpose, std::string_view missing) {
  return Error{ErrorCode::bad_key_usage,
               fmt::format("certificate {} (serial {}) is not fit for {}: {}", certificate.subject(),
                           certificate.serial_hex(), to_string(purpose), missing)};
}

bool is_rsa(const Certificate& certificate) {
  const EVP_PKEY* key = X509_get0_pubkey(certificate.native());
  return key != nullptr && EVP_PKEY_is_a(key, "RSA");
}

// True when `required` is among the extended key usages, or the extension
// is absent and `required_when_absent` is false (RFC 5280 §4.2.1.12: no
// extension means any usage).
bool has_extended_usage(std::uint32_t extended, std::uint32_t required, bool required_when_absent) {
  if (extended == kAbsent) return !required_when_absent;
  return (extended & (required | XKU_ANYEKU)) != 0;
}

}  // namespace

Status check_key_usage(const Certificate& certificate, KeyPurpose purpose) {
  X509* native = certificate.native();
  if (X509_check_ca(native) != 0) return unfit(certificate, purpose, "it is a CA certificate");
  const std::uint32_t usage = X509_get_key_usage(native);
  const std::uint32_t extended = X509_get_extended_key_usage(native);
  if (usage == kAbsent) return unfit(certificate, purpose, "no keyUsage extension");

  switch (purpose) {
    case KeyPurpose::signing:
      if ((usage & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)) == 0) {
        return unfit(certificate, purpose, "keyUsage lacks digitalSignature and nonRepudiation");
      }
      if (!has_extended_usage(extended, XKU_SMIME, false)) {
        return unfit(certificate, purpose, "extendedKeyUsage lacks emailProtection");
      }
      break;
    case KeyPurpose::encryption:
      if (is_rsa(certificate) ? (usage & KU_KEY_ENCIPHERMENT) == 0 : (usage & KU_KEY_AGREEMENT) == 0) {
        return unfit(certificate, purpose,
                     is_rsa(certificate) ? "keyUsage lacks keyEncipherment" : "keyUsage lacks keyAgreement");
      }
      if (!has_extended_usage(extended, XKU_SMIME, false)) {
        return unfit(certificate, purpose, "extendedKeyUsage lacks emailProtection");
      }
      break;
    case KeyPurpose::tls_server: {
      const std::uint32_t accepted = KU_DIGITAL_SIGNATURE | (is_rsa(certificate) ? KU_KEY_ENCIPHERMENT : 0);
      if ((usage & accepted) == 0) return unfit(certificate, purpose, "keyUsage lacks digitalSignature");
      if (!has_extended_usage(extended, XKU_SSL_SERVER, true)) {
        return unfit(certificate, purpose, "extendedKeyUsage lacks serverAuth");
      }
      break;
    }
    case KeyPurpose::tls_client:
      if ((usage & KU_DIGITAL_SIGNATURE) == 0) {
        return unfit(certificate, purpose, "keyUsage lacks digitalSignature");
      }
      if (!has_extended_usage(extended, XKU_SSL_CLIENT, true)) {
        return unfit(certificate, purpose, "extendedKeyUsage lacks clientAuth");
      }
      break;
  }
  return ok_status();
}

}  // namespace sippay::security
