// Security module benchmark: sign, verify, seal and open of S/MIME bodies
// per second for payload sizes of the purchase protocol (300 B, 1 KB and
// 4 KB). The same run measures the OpenSSL primitives those operations are
// made of: ECDSA P-256 sign and verify with SHA-256 over the payload, P-256
// key generation, ECDH derive, and AES-128-GCM over the payload. The ratio of an operation to the sum of its primitives is the
// module's overhead (CMS encoding, certificate checks, MIME framing,
// policy checks).
//
// Parties: the signer (customer) and the recipient (merchant) have P-256
// keys; the _Rsa variants use an RSA-2048 signer (RSA-PSS) and recipient
// (RSA-OAEP), as a gateway may have. Keys are made at start-up.
#include <benchmark/benchmark.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "security/cms_signed_data.hpp"
#include "security/openssl_util.hpp"
#include "security/pki_certificate.hpp"
#include "security/smime_body.hpp"

namespace sippay::bench {
namespace {

namespace security = sippay::security;
using Algorithm = security::PrivateKey::Algorithm;

constexpr const char* kCustomer = "sip:alice@pay.test";

using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, security::OpensslDeleter<EVP_MD_CTX_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, security::OpensslDeleter<EVP_PKEY_CTX_free>>;
using EvpCipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, security::OpensslDeleter<EVP_CIPHER_CTX_free>>;

template <class T>
T must(security::Result<T> result) {
  if (!result) throw std::runtime_error("benchmark setup failed: " + result.error().detail);
  return std::move(result.value());
}

template <class T>
T must(security::CmsResult<T> result) {
  if (!result) throw std::runtime_error("benchmark operation failed: " + result.error().to_string());
  return std::move(result.value());
}

struct Party {
  security::PrivateKey key;
  security::Certificate certificate;
};

struct World {
  security::PrivateKey ca_key = must(security::PrivateKey::generate(Algorithm::ec_p256));
  security::Certificate ca = must(security::make_ca_certificate(ca_key, profile("bench CA", "", "")));
  security::TrustStore trust{ca};
  Party customer = party(Algorithm::ec_p256, kCustomer, "digitalSignature,keyAgreement");
  Party merchant = party(Algorithm::ec_p256, "sip:merchant@shop.test", "digitalSignature,keyAgreement");
  Party gateway_signer = party(Algorithm::rsa, "sip:gateway@pay.test", "digitalSignature,keyEncipherment");
  Party gateway = party(Algorithm::rsa, "sip:gateway@pay.test", "digitalSignature,keyEncipherment");

  static security::CertificateProfile profile(const std::string& name, const std::string& uri,
                                              const std::string& key_usage) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    security::CertificateProfile result;
    result.common_name = name;
    if (!uri.empty()) result.sip_uris = {uri};
    result.key_usage = key_usage;
    result.extended_key_usage = uri.empty() ? "" : "emailProtection";
    result.not_before = now - std::chrono::hours(1);
    result.not_after = now + std::chrono::hours(24);
    return result;
  }

  Party party(Algorithm algorithm, const std::string& uri, const std::string& key_usage) {
    security::PrivateKey key = must(security::PrivateKey::generate(algorithm, 2048));
    security::Certificate certificate =
        must(security::issue_certificate(ca, ca_key, key, profile(uri, uri, key_usage)));
    return Party{std::move(key), std::move(certificate)};
  }

  static const World& get() {
    static const World world;
    return world;
  }
};

std::vector<security::PayloadPart> payload(std::int64_t size) {
  return {{"text/plain", std::string(static_cast<std::size_t>(size), 'x')}};
}

security::SignerCredentials credentials(const Party& party) {
  return security::SignerCredentials{party.certificate, party.key, {}};
}

void report(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * state.range(0));
}

// --- Module operations -------------------------------------------------------------------------

void BM_Sign(benchmark::State& state, const Party& signer) {
  const auto parts = payload(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(must(security::sign_body(parts, credentials(signer))));
  report(state);
}

void BM_Verify(benchmark::State& state, const Party& signer, const char* sender) {
  const World& world = World::get();
  const auto body = must(security::sign_body(payload(state.range(0)), credentials(signer)));
  security::VerifyOptions options;
  options.claimed_sender = sender;
  for (auto _ : state) {
    benchmark::DoNotOptimize(must(security::verify_body(body.content_type, body.der, world.trust, options)));
  }
  report(state);
}

void BM_Seal(benchmark::State& state, const Party& signer, const Party& recipient) {
  const World& world = World::get();
  const auto parts = payload(state.range(0));
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        must(security::seal_body(parts, credentials(signer), {recipient.certificate}, world.trust)));
  }
  report(state);
}

void BM_Open(benchmark::State& state, const Party& signer, const char* sender, const Party& recipient) {
  const World& world = World::get();
  const auto body = must(security::seal_body(payload(state.range(0)), credentials(signer),
                                             {recipient.certificate}, world.trust));
  security::VerifyOptions options;
  options.claimed_sender = sender;
  for (auto _ : state) {
    benchmark::DoNotOptimize(must(security::open_body(body.content_type, body.der, recipient.certificate,
                                                      recipient.key, world.trust, options)));
  }
  report(state);
}

// --- OpenSSL primitives ------------------------------------------------------------------------

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string(what) + " failed: " + security::take_openssl_errors());
}

std::string digest_sign(EVP_PKEY* key, std::string_view message) {
  EvpMdCtxPtr context(EVP_MD_CTX_new());
  std::size_t length = 0;
  check(EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key) == 1, "EVP_DigestSignInit");
  check(EVP_DigestSign(context.get(), nullptr, &length,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1,
        "EVP_DigestSign");
  std::string signature(length, '\0');
  check(EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1,
        "EVP_DigestSign");
  signature.resize(length);
  return signature;
}

// ECDSA P-256 over SHA-256 of a payload of range(0) bytes.
void BM_RawEcdsaSign(benchmark::State& state) {
  const std::string message(static_cast<std::size_t>(state.range(0)), 'x');
  EVP_PKEY* key = World::get().customer.key.native();
  for (auto _ : state) benchmark::DoNotOptimize(digest_sign(key, message));
  report(state);
}

void BM_RawEcdsaVerify(benchmark::State& state) {
  const std::string message(static_cast<std::size_t>(state.range(0)), 'x');
  EVP_PKEY* key = World::get().customer.key.native();
  const std::string signature = digest_sign(key, message);
  for (auto _ : state) {
    EvpMdCtxPtr context(EVP_MD_CTX_new());
    check(EVP_DigestVerifyInit(context.get(), nullptr, EVP_sha256(), nullptr, key) == 1,
          "EVP_DigestVerifyInit");
    const int verified = EVP_DigestVerify(
        context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
        reinterpret_cast<const unsigned char*>(message.data()), message.size());
    check(verified == 1, "EVP_DigestVerify");
  }
  report(state);
}

// An ephemeral P-256 key, as each ECDH recipient of an envelope needs.
void BM_RawEcKeygen(benchmark::State& state) {
  for (auto _ : state) {
    security::EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    check(key != nullptr, "EVP_PKEY_Q_keygen");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawEcdhDerive(benchmark::State& state) {
  const World& world = World::get();
  unsigned char secret[32];
  for (auto _ : state) {
    EvpPkeyCtxPtr context(EVP_PKEY_CTX_new(world.customer.key.native(), nullptr));
    std::size_t length = sizeof secret;
    check(EVP_PKEY_derive_init(context.get()) == 1, "EVP_PKEY_derive_init");
    check(EVP_PKEY_derive_set_peer(context.get(), world.merchant.key.native()) == 1, "set_peer");
    check(EVP_PKEY_derive(context.get(), secret, &length) == 1, "EVP_PKEY_derive");
    benchmark::DoNotOptimize(secret);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawAes128GcmEncrypt(benchmark::State& state) {
  const std::string plaintext(static_cast<std::size_t>(state.range(0)), 'x');
  std::string ciphertext(plaintext.size(), '\0');
  unsigned char key[16];
  unsigned char iv[12];
  unsigned char tag[16];
  check(RAND_bytes(key, sizeof key) == 1 && RAND_bytes(iv, sizeof iv) == 1, "RAND_bytes");
  for (auto _ : state) {
    EvpCipherCtxPtr context(EVP_CIPHER_CTX_new());
    int length = 0;
    check(EVP_EncryptInit_ex(context.get(), EVP_aes_128_gcm(), nullptr, key, iv) == 1, "EncryptInit");
    check(EVP_EncryptUpdate(context.get(), reinterpret_cast<unsigned char*>(ciphertext.data()), &length,
                            reinterpret_cast<const unsigned char*>(plaintext.data()),
                            static_cast<int>(plaintext.size())) == 1,
          "EncryptUpdate");
    check(EVP_EncryptFinal_ex(context.get(), reinterpret_cast<unsigned char*>(ciphertext.data()) + length,
                              &length) == 1,
          "EncryptFinal");
    check(EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, sizeof tag, tag) == 1, "GET_TAG");
    benchmark::DoNotOptimize(ciphertext.data());
  }
  report(state);
}

const World& world = World::get();

// Payload sizes of the purchase protocol, in bytes.
#define PAYLOAD_SIZES Arg(300)->Arg(1024)->Arg(4096)

BENCHMARK_CAPTURE(BM_Sign, Ec, world.customer)->PAYLOAD_SIZES;
BENCHMARK_CAPTURE(BM_Verify, Ec, world.customer, kCustomer)->PAYLOAD_SIZES;
BENCHMARK_CAPTURE(BM_Seal, Ec, world.customer, world.merchant)->PAYLOAD_SIZES;
BENCHMARK_CAPTURE(BM_Open, Ec, world.customer, kCustomer, world.merchant)->PAYLOAD_SIZES;
BENCHMARK_CAPTURE(BM_Sign, Rsa, world.gateway_signer)->PAYLOAD_SIZES;
BENCHMARK_CAPTURE(BM_Verify, Rsa, world.gateway_signer, "sip:gateway@pay.test")->PAYLOAD_SIZES;
BENCHMARK_CAPTURE(BM_Seal, Rsa, world.gateway_signer, world.gateway)->PAYLOAD_SIZES;
BENCHMARK_CAPTURE(BM_Open, Rsa, world.gateway_signer, "sip:gateway@pay.test", world.gateway)
    ->PAYLOAD_SIZES;
BENCHMARK(BM_RawEcdsaSign)->PAYLOAD_SIZES;
BENCHMARK(BM_RawEcdsaVerify)->PAYLOAD_SIZES;
BENCHMARK(BM_RawEcKeygen);
BENCHMARK(BM_RawEcdhDerive);
BENCHMARK(BM_RawAes128GcmEncrypt)->PAYLOAD_SIZES;

}  // namespace
}  // namespace sippay::bench

BENCHMARK_MAIN();
