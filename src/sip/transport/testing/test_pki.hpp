// Test certificates made at test time: a CA and leaf certificates with the
// subjectAltNames a test needs, written as PEM files into a temporary
// folder that the TestPki removes. Keys are EC P-256, made fresh each run,
// so no private key lives in the repository.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace sippay::sip::testing {

struct CertificateSpec {
  std::string common_name;
  std::vector<std::string> dns_names;     // dNSName, "sip.example.com"
  std::vector<std::string> ip_addresses;  // iPAddress, "127.0.0.1" or "::1"
  std::vector<std::string> uris;          // uniformResourceIdentifier, "sip:example.com"
};

struct CertificateFiles {
  std::string certificate_file;  // PEM: the leaf certificate
  std::string private_key_file;  // PEM: its unencrypted key
  long serial = 0;               // the certificate's serial number
};

class TestPki {
 public:
  // Makes a temporary folder and a self-signed CA named `ca_name` in it.
  // Throws std::runtime_error when OpenSSL or the file system fails.
  explicit TestPki(const std::string& ca_name = "sippay test CA");
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  // The CA certificate, for TlsSettings::ca_file.
  const std::string& ca_file() const { return ca_files_.certificate_file; }
  // Issues a certificate signed by this CA, valid for one day, usable by
  // TLS servers and clients. `file_stem` names its files and must be unique
  // within this TestPki.
  CertificateFiles issue(const std::string& file_stem, const CertificateSpec& spec);
  // Writes a CRL signed by this CA that lists `revoked_serials`, with
  // thisUpdate an hour ago and nextUpdate in one day, as `file_stem`.crl.pem.
  // Returns its path; a second call with the same stem replaces the file.
  std::string write_crl(const std::string& file_stem, const std::vector<long>& revoked_serials);

 private:
  struct Keys;
  std::filesystem::path directory_;
  CertificateFiles ca_files_;
  std::unique_ptr<Keys> keys_;
  long next_serial_ = 2;
};

}  // namespace sippay::sip::testing
