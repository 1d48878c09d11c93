// Helpers for the security tests: a CA, keys and certificates made at test
// time (no private key lives in the repository), and a temporary folder.
#pragma once

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

#include "security/certificate.hpp"
#include "security/error.hpp"
#include "security/pki_certificate.hpp"
#include "security/private_key.hpp"

namespace sippay::security::testing {

using Clock = std::chrono::system_clock;

// Returns the value of `result`, or throws with its error detail, so a
// test's setup fails loudly.
template <class T>
T take(Result<T> result) {
  if (!result) {
    throw std::runtime_error(std::string(to_string(result.error().code)) + ": " + result.error().detail);
  }
  return std::move(result.value());
}

// Now, cut to whole seconds as certificates store it.
inline Clock::time_point now_seconds() { return std::chrono::floor<std::chrono::seconds>(Clock::now()); }

// A leaf profile fit for signing, EC encryption and TLS client use, valid
// from an hour ago for one day.
inline CertificateProfile leaf_profile(const std::string& sip_uri) {
  CertificateProfile profile;
  profile.common_name = "test leaf";
  profile.sip_uris = {sip_uri};
  profile.key_usage = "digitalSignature,keyAgreement";
  profile.extended_key_usage = "emailProtection,clientAuth";
  profile.not_before = now_seconds() - std::chrono::hours(1);
  profile.not_after = now_seconds() + std::chrono::hours(24);
  return profile;
}

struct TestCa {
  PrivateKey key;
  Certificate certificate;

  Certificate issue(const PrivateKey& subject_key, const CertificateProfile& profile) const {
    return take(issue_certificate(certificate, key, subject_key, profile));
  }
};

inline TestCa make_test_ca(const std::string& name,
                           PrivateKey::Algorithm algorithm = PrivateKey::Algorithm::ec_p256) {
  PrivateKey key = take(PrivateKey::generate(algorithm, 2048));
  CertificateProfile profile;
  profile.common_name = name;
  profile.not_before = now_seconds() - std::chrono::hours(1);
  profile.not_after = now_seconds() + std::chrono::hours(24 * 365);
  Certificate certificate = take(make_ca_certificate(key, profile));
  return TestCa{std::move(key), std::move(certificate)};
}

// A temporary folder removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sippay-security-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sippay::security::testing
