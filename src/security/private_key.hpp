// Private keys: generation, loading, saving and matching with a certificate.
// Every private key of sippay passes through this class, so key files are
// read and written the same way everywhere: PEM (PKCS#8, unencrypted), mode
// 0600, and never any key byte in a log line or error detail.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <filesystem>
#include <memory>

#include "security/certificate.hpp"
#include "security/error.hpp"

namespace sippay::security {

// Key sizes accepted for RSA, in bits; EC keys are P-256 only.
inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 4096;
inline constexpr int kDefaultRsaBits = 3072;
// Largest key file read, in bytes.
inline constexpr std::size_t kMaxPrivateKeyFileBytes = 16 * 1024;

class PrivateKey {
 public:
  enum class Algorithm { ec_p256, rsa };

  // Generates a fresh key. `rsa_bits` counts for rsa only and must lie in
  // [kMinRsaBits, kMaxRsaBits] and be a multiple of 1024.
  static Result<PrivateKey> generate(Algorithm algorithm, int rsa_bits = kDefaultRsaBits);
  // Reads an unencrypted PEM private key. Rejects, with ErrorCode::io, a file
  // that the group or others may read or write, and with
  // unsupported_algorithm a key other than P-256 or RSA of an accepted size.
  static Result<PrivateKey> load_pem_file(const std::filesystem::path& path);
  // Writes the key as unencrypted PKCS#8 PEM to a file created with mode
  // 0600 beside `path`, then renames it over `path`.
  Status save_pem_file(const std::filesystem::path& path) const;

  // The key for OpenSSL calls; this object keeps it alive.
  EVP_PKEY* native() const { return key_.get(); }
  Algorithm algorithm() const { return algorithm_; }
  // True when `certificate` carries this key's public half.
  bool matches(const Certificate& certificate) const;

 private:
  PrivateKey(std::shared_ptr<EVP_PKEY> key, Algorithm algorithm);

  std::shared_ptr<EVP_PKEY> key_;
  Algorithm algorithm_;
};

}  // namespace sippay::security
