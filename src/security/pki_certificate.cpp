#include "security/pki_certificate.hpp"

#include <fmt/format.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <array>
#include <utility>

#include "security/openssl_util.hpp"

namespace sippay::security {
namespace {

using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpensslDeleter<GENERAL_NAMES_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpensslDeleter<BN_free>>;

Error build_error(std::string_view step) {
  return Error{ErrorCode::malformed, fmt::format("cannot build the certificate ({}): {}", step,
                                                 take_openssl_errors())};
}

// Adds one extension written in OpenSSL's configuration syntax.
bool add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) return false;
  const int added = X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
  return added == 1;
}

bool push_name(GENERAL_NAMES* names, int type, const std::string& value) {
  GENERAL_NAME* name = GENERAL_NAME_new();
  ASN1_IA5STRING* text = ASN1_IA5STRING_new();
  if (name == nullptr || text == nullptr ||
      ASN1_STRING_set(text, value.data(), static_cast<int>(value.size())) != 1) {
    GENERAL_NAME_free(name);
    ASN1_IA5STRING_free(text);
    return false;
  }
  GENERAL_NAME_set0_value(name, type, text);
  if (sk_GENERAL_NAME_push(names, name) == 0) {
    GENERAL_NAME_free(name);
    return false;
  }
  return true;
}

// Builds subjectAltName from typed entries rather than configuration text,
// because a SIP URI may contain the commas that the text syntax splits on.
bool add_subject_alt_names(X509* certificate, const CertificateProfile& profile) {
  if (profile.sip_uris.empty() && profile.dns_names.empty() && profile.ip_addresses.empty()) return true;
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return false;
  for (const std::string& uri : profile.sip_uris) {
    if (!push_name(names.get(), GEN_URI, uri)) return false;
  }
  for (const std::string& dns_name : profile.dns_names) {
    if (!push_name(names.get(), GEN_DNS, dns_name)) return false;
  }
  for (const std::string& address : profile.ip_addresses) {
    GENERAL_NAME* name = a2i_GENERAL_NAME(nullptr, nullptr, nullptr, GEN_IPADD, address.c_str(), 0);
    if (name == nullptr) return false;
    if (sk_GENERAL_NAME_push(names.get(), name) == 0) {
      GENERAL_NAME_free(name);
      return false;
    }
  }
  return X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1;
}

bool set_serial(X509* certificate, const std::string& serial_hex) {
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, serial_hex.c_str()) == 0) return false;
  BignumPtr number(raw);
  return BN_to_ASN1_INTEGER(number.get(), X509_get_serialNumber(certificate)) != nullptr;
}

bool set_subject(X509* certificate, const std::string& common_name) {
  X509_NAME* subject = X509_get_subject_name(certificate);
  if (common_name.empty()) return true;
  const auto* text = reinterpret_cast<const unsigned char*>(common_name.c_str());
  return X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, text, -1, -1, 0) == 1;
}

// Fills every field but the issuer, the extensions that refer to the issuer,
// and the signature.
Result<Certificate> start_certificate(const PrivateKey& subject_key, const CertificateProfile& profile) {
  if (profile.not_after <= profile.not_before) {
    return Error{ErrorCode::malformed, "certificate notAfter must be later than notBefore"};
  }
  std::string serial = profile.serial_hex;
  if (serial.empty()) {
    auto fresh = random_serial_hex();
    if (!fresh) return fresh.error();
    serial = std::move(fresh.value());
  }

  clear_openssl_errors();
  X509* raw = X509_new();
  if (raw == nullptr) return build_error("X509_new");
  Certificate certificate(raw);
  if (X509_set_version(raw, X509_VERSION_3) != 1) return build_error("version");
  if (!set_serial(raw, serial)) return build_error("serial number " + serial);
  if (ASN1_TIME_set(X509_getm_notBefore(raw), std::chrono::system_clock::to_time_t(profile.not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(raw), std::chrono::system_clock::to_time_t(profile.not_after)) == nullptr) {
    return build_error("validity period");
  }
  if (X509_set_pubkey(raw, subject_key.native()) != 1) return build_error("public key");
  if (!set_subject(raw, profile.common_name)) return build_error("subject CN");
  return certificate;
}

}  // namespace

Result<std::string> random_serial_hex() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Error{ErrorCode::io, "no random bytes for a serial number: " + take_openssl_errors()};
  }
  bytes[0] &= 0x7f;  // positive (RFC 5280 §4.1.2.2)
  bytes[0] |= 0x40;  // and never short, so every serial has 32 hex digits
  std::string hex;
  for (const unsigned char byte : bytes) hex += fmt::format("{:02X}", byte);
  return hex;
}

Result<Certificate> make_ca_certificate(const PrivateKey& key, CertificateProfile profile) {
  auto started = start_certificate(key, profile);
  if (!started) return started;
  X509* raw = started.value().native();
  if (X509_set_issuer_name(raw, X509_get_subject_name(raw)) != 1) return build_error("issuer");
  if (!add_extension(raw, raw, NID_basic_constraints, "critical,CA:TRUE") ||
      !add_extension(raw, raw, NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !add_extension(raw, raw, NID_subject_key_identifier, "hash")) {
    return build_error("CA extensions");
  }
  if (X509_sign(raw, key.native(), EVP_sha256()) <= 0) return build_error("signature");
  return started;
}

Result<Certificate> issue_certificate(const Certificate& ca, const PrivateKey& ca_key,
                                      const PrivateKey& subject_key, const CertificateProfile& profile) {
  auto started = start_certificate(subject_key, profile);
  if (!started) return started;
  X509* raw = started.value().native();
  X509* issuer = ca.native();
  if (X509_set_issuer_name(raw, X509_get_subject_name(issuer)) != 1) return build_error("issuer");
  if (!add_extension(raw, issuer, NID_basic_constraints, profile.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE")) {
    return build_error("basicConstraints");
  }
  if (!profile.key_usage.empty() && !add_extension(raw, issuer, NID_key_usage, "critical," + profile.key_usage)) {
    return build_error("keyUsage " + profile.key_usage);
  }
  if (!profile.extended_key_usage.empty() &&
      !add_extension(raw, issuer, NID_ext_key_usage, profile.extended_key_usage)) {
    return build_error("extendedKeyUsage " + profile.extended_key_usage);
  }
  if (!add_extension(raw, issuer, NID_subject_key_identifier, "hash") ||
      !add_extension(raw, issuer, NID_authority_key_identifier, "keyid:always")) {
    return build_error("key identifiers");
  }
  if (!add_subject_alt_names(raw, profile)) return build_error("subjectAltName");
  if (X509_sign(raw, ca_key.native(), EVP_sha256()) <= 0) return build_error("signature");
  return started;
}

}  // namespace sippay::security
