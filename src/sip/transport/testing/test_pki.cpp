#include "sip/transport/testing/test_pki.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace sippay::sip::testing {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertificatePtr = std::unique_ptr<X509, decltype(&X509_free)>;

void check(bool ok, const char* step) {
  if (!ok) {
    throw std::runtime_error(std::string("test PKI: ") + step + " failed");
  }
}

KeyPtr make_key() {
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
  check(key != nullptr, "EC P-256 key generation");
  return key;
}

// Adds one extension written in OpenSSL's configuration syntax, for
// example "DNS:a.example,IP:127.0.0.1".
void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  check(extension != nullptr, "certificate extension");
  const int added = X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
  check(added == 1, "adding a certificate extension");
}

std::string subject_alt_names(const CertificateSpec& spec) {
  std::string out;
  const auto append = [&out](const char* type, const std::string& value) {
    if (!out.empty()) {
      out += ',';
    }
    out += type;
    out += value;
  };
  for (const auto& name : spec.dns_names) append("DNS:", name);
  for (const auto& address : spec.ip_addresses) append("IP:", address);
  for (const auto& uri : spec.uris) append("URI:", uri);
  return out;
}

CertificatePtr make_certificate(const std::string& common_name, EVP_PKEY* key, long serial) {
  CertificatePtr certificate(X509_new(), X509_free);
  check(certificate != nullptr, "X509_new");
  X509* raw = certificate.get();
  check(X509_set_version(raw, X509_VERSION_3) == 1, "certificate version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(raw), serial) == 1, "serial number");
  // Valid from an hour ago, so clock skew between steps cannot matter, for one day.
  check(X509_gmtime_adj(X509_getm_notBefore(raw), -3600) != nullptr, "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(raw), 86400) != nullptr, "notAfter");
  check(X509_set_pubkey(raw, key) == 1, "public key");
  X509_NAME* subject = X509_get_subject_name(raw);
  if (!common_name.empty()) {
    const auto* text = reinterpret_cast<const unsigned char*>(common_name.c_str());
    check(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, text, -1, -1, 0) == 1,
          "subject CN");
  }
  return certificate;
}

void write_pem(const std::filesystem::path& path, X509* certificate) {
  FILE* file = std::fopen(path.c_str(), "w");
  check(file != nullptr, "opening a certificate file");
  const int written = PEM_write_X509(file, certificate);
  std::fclose(file);
  check(written == 1, "writing a certificate");
}

void write_pem(const std::filesystem::path& path, EVP_PKEY* key) {
  FILE* file = std::fopen(path.c_str(), "w");
  check(file != nullptr, "opening a key file");
  const int written = PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(file);
  check(written == 1, "writing a private key");
}

}  // namespace

struct TestPki::Keys {
  KeyPtr ca_key{nullptr, EVP_PKEY_free};
  CertificatePtr ca_certificate{nullptr, X509_free};
};

TestPki::TestPki(const std::string& ca_name) : keys_(std::make_unique<Keys>()) {
  std::string pattern = (std::filesystem::temp_directory_path() / "sippay-pki-XXXXXX").string();
  check(mkdtemp(pattern.data()) != nullptr, "creating a temporary folder");
  directory_ = pattern;

  keys_->ca_key = make_key();
  keys_->ca_certificate = make_certificate(ca_name, keys_->ca_key.get(), 1);
  X509* ca = keys_->ca_certificate.get();
  check(X509_set_issuer_name(ca, X509_get_subject_name(ca)) == 1, "CA issuer");
  add_extension(ca, ca, NID_basic_constraints, "critical,CA:TRUE");
  add_extension(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(ca, ca, NID_subject_key_identifier, "hash");
  check(X509_sign(ca, keys_->ca_key.get(), EVP_sha256()) > 0, "signing the CA");

  ca_files_.certificate_file = (directory_ / "ca.pem").string();
  write_pem(ca_files_.certificate_file, ca);
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

CertificateFiles TestPki::issue(const std::string& file_stem, const CertificateSpec& spec) {
  KeyPtr key = make_key();
  CertificatePtr certificate = make_certificate(spec.common_name, key.get(), next_serial_++);
  X509* raw = certificate.get();
  X509* ca = keys_->ca_certificate.get();
  check(X509_set_issuer_name(raw, X509_get_subject_name(ca)) == 1, "issuer");
  add_extension(raw, ca, NID_basic_constraints, "critical,CA:FALSE");
  add_extension(raw, ca, NID_key_usage, "critical,digitalSignature,keyAgreement");
  add_extension(raw, ca, NID_ext_key_usage, "serverAuth,clientAuth");
  add_extension(raw, ca, NID_authority_key_identifier, "keyid:always");
  const std::string names = subject_alt_names(spec);
  if (!names.empty()) {
    add_extension(raw, ca, NID_subject_alt_name, names);
  }
  check(X509_sign(raw, keys_->ca_key.get(), EVP_sha256()) > 0, "signing a certificate");

  CertificateFiles files{(directory_ / (file_stem + ".pem")).string(),
                         (directory_ / (file_stem + ".key")).string(), next_serial_ - 1};
  write_pem(files.certificate_file, raw);
  write_pem(files.private_key_file, key.get());
  return files;
}

std::string TestPki::write_crl(const std::string& file_stem, const std::vector<long>& revoked_serials) {
  using CrlPtr = std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)>;
  using TimePtr = std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)>;
  CrlPtr crl(X509_CRL_new(), X509_CRL_free);
  check(crl != nullptr, "X509_CRL_new");
  X509_CRL* raw = crl.get();
  X509* ca = keys_->ca_certificate.get();
  check(X509_CRL_set_version(raw, X509_CRL_VERSION_2) == 1, "CRL version");
  check(X509_CRL_set_issuer_name(raw, X509_get_subject_name(ca)) == 1, "CRL issuer");
  TimePtr this_update(X509_gmtime_adj(nullptr, -3600), ASN1_TIME_free);
  TimePtr next_update(X509_gmtime_adj(nullptr, 86400), ASN1_TIME_free);
  check(this_update && next_update, "CRL times");
  check(X509_CRL_set1_lastUpdate(raw, this_update.get()) == 1, "CRL thisUpdate");
  check(X509_CRL_set1_nextUpdate(raw, next_update.get()) == 1, "CRL nextUpdate");
  for (const long serial : revoked_serials) {
    X509_REVOKED* revoked = X509_REVOKED_new();
    check(revoked != nullptr, "X509_REVOKED_new");
    ASN1_INTEGER* number = ASN1_INTEGER_new();
    const bool filled = number != nullptr && ASN1_INTEGER_set(number, serial) == 1 &&
                        X509_REVOKED_set_serialNumber(revoked, number) == 1 &&
                        X509_REVOKED_set_revocationDate(revoked, this_update.get()) == 1;
    ASN1_INTEGER_free(number);
    if (!filled || X509_CRL_add0_revoked(raw, revoked) != 1) {
      X509_REVOKED_free(revoked);
      check(false, "CRL entry");
    }
  }
  check(X509_CRL_sort(raw) == 1, "sorting the CRL");
  check(X509_CRL_sign(raw, keys_->ca_key.get(), EVP_sha256()) > 0, "signing the CRL");

  const std::filesystem::path path = directory_ / (file_stem + ".crl.pem");
  FILE* file = std::fopen(path.c_str(), "w");
  check(file != nullptr, "opening a CRL file");
  const int written = PEM_write_X509_CRL(file, raw);
  std::fclose(file);
  check(written == 1, "writing a CRL");
  return path.string();
}

}  // namespace sippay::sip::testing
