#include "security/private_key.hpp"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <cstring>
#include <string>

#include "security/file_io.hpp"
#include "security/openssl_util.hpp"

namespace sippay::security {
namespace {

// Holds key bytes and wipes them when it goes out of scope.
class SecretBuffer {
 public:
  explicit SecretBuffer(std::string bytes) : bytes_(std::move(bytes)) {}
  ~SecretBuffer() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
  SecretBuffer(const SecretBuffer&) = delete;
  SecretBuffer& operator=(const SecretBuffer&) = delete;
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

// Stops OpenSSL from asking for a pass phrase on the terminal: encrypted
// keys are rejected instead.
int no_pass_phrase(char*, int, int, void*) { return -1; }

Result<PrivateKey::Algorithm> classify(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[64] = {};
    std::size_t length = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) != 1 ||
        std::strcmp(group, "prime256v1") != 0) {
      return Error{ErrorCode::unsupported_algorithm,
                   fmt::format("EC key on curve {}; only P-256 (prime256v1) is accepted",
                               group[0] != '\0' ? group : "unknown")};
    }
    return PrivateKey::Algorithm::ec_p256;
  }
  if (EVP_PKEY_is_a(key, "RSA")) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < kMinRsaBits || bits > kMaxRsaBits) {
      return Error{ErrorCode::unsupported_algorithm,
                   fmt::format("RSA key of {} bits; accepted sizes are {} to {} bits", bits,
                               kMinRsaBits, kMaxRsaBits)};
    }
    return PrivateKey::Algorithm::rsa;
  }
  return Error{ErrorCode::unsupported_algorithm,
               fmt::format("{} key; only EC P-256 and RSA keys are accepted",
                           EVP_PKEY_get0_type_name(key) != nullptr ? EVP_PKEY_get0_type_name(key) : "unknown")};
}

}  // namespace

PrivateKey::PrivateKey(std::shared_ptr<EVP_PKEY> key, Algorithm algorithm)
    : key_(std::move(key)), algorithm_(algorithm) {}

Result<PrivateKey> PrivateKey::generate(Algorithm algorithm, int rsa_bits) {
  clear_openssl_errors();
  EVP_PKEY* key = nullptr;
  if (algorithm == Algorithm::ec_p256) {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  } else {
    if (rsa_bits < kMinRsaBits || rsa_bits > kMaxRsaBits || rsa_bits % 1024 != 0) {
      return Error{ErrorCode::unsupported_algorithm,
                   fmt::format("RSA key size {} bits; use a multiple of 1024 from {} to {}", rsa_bits,
                               kMinRsaBits, kMaxRsaBits)};
    }
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(rsa_bits));
  }
  if (key == nullptr) {
    return Error{ErrorCode::unsupported_algorithm, "key generation failed: " + take_openssl_errors()};
  }
  return PrivateKey(std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free), algorithm);
}

Result<PrivateKey> PrivateKey::load_pem_file(const std::filesystem::path& path) {
  auto text = read_file(path, kMaxPrivateKeyFileBytes, FileAccess::owner_only);
  if (!text) return text.error();
  const SecretBuffer pem(std::move(text.value()));

  clear_openssl_errors();
  BioPtr bio = memory_bio(pem.bytes());
  EVP_PKEY* raw = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_pass_phrase, nullptr);
  if (raw == nullptr) {
    // OpenSSL's reasons name the format problem, never key bytes.
    return Error{ErrorCode::malformed,
                 fmt::format("{} contains no unencrypted PEM private key: {}", path.string(), take_openssl_errors())};
  }
  std::shared_ptr<EVP_PKEY> key(raw, EVP_PKEY_free);
  auto algorithm = classify(raw);
  if (!algorithm) return Error{algorithm.error().code, path.string() + ": " + algorithm.error().detail};
  return PrivateKey(std::move(key), algorithm.value());
}

Status PrivateKey::save_pem_file(const std::filesystem::path& path) const {
  clear_openssl_errors();
  // A secure-memory BIO is wiped when freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Error{ErrorCode::io, "cannot encode the private key: " + take_openssl_errors()};
  }
  const SecretBuffer pem(memory_bio_contents(bio.get()));
  bio.reset();
  return write_file_atomic(path, pem.bytes(), 0600);
}

bool PrivateKey::matches(const Certificate& certificate) const {
  const EVP_PKEY* public_key = X509_get0_pubkey(certificate.native());
  return public_key != nullptr && EVP_PKEY_eq(public_key, key_.get()) == 1;
}

}  // namespace sippay::security
