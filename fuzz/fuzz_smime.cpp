// Fuzzes the decoders of S/MIME bodies: the bounded BER reader, CMS
// ContentInfo parsing, the algorithm policy checks, SignedData verification,
// decryption with a fixed recipient key, and the MIME entity and
// multipart/mixed decoders.
//
// Checks: every failure has a detail and maps to 403, 415 or 493. A 500
// would mean that the decoder blamed itself for bad input. A payload entity
// that parses must write back to an entity that parses to the same parts.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "security/cms_ber.hpp"
#include "security/cms_content_info.hpp"
#include "security/cms_enveloped_data.hpp"
#include "security/cms_signed_data.hpp"
#include "security/pki_certificate.hpp"
#include "security/private_key.hpp"
#include "security/smime_body.hpp"
#include "security/smime_response.hpp"
#include "security/trust_store.hpp"

namespace {

namespace security = sippay::security;
using sippay::fuzz::fail;

// A CA and one P-256 recipient made once per process, so that verification
// reaches the trust store and decryption reaches the recipient lookup.
struct Keys {
  security::PrivateKey key;
  security::Certificate certificate;
  security::TrustStore trust;
};

template <class T>
T must(security::Result<T> result) {
  if (!result) fail("fuzzer setup failed", result.error().detail);
  return std::move(result.value());
}

const Keys& keys() {
  static const Keys instance = [] {
    const auto now = std::chrono::system_clock::now();
    security::CertificateProfile profile;
    profile.common_name = "fuzz CA";
    profile.not_before = now - std::chrono::hours(1);
    profile.not_after = now + std::chrono::hours(24 * 365);
    security::PrivateKey key = must(security::PrivateKey::generate(security::PrivateKey::Algorithm::ec_p256));
    security::Certificate ca = must(security::make_ca_certificate(key, profile));
    profile.common_name = "fuzz recipient";
    profile.sip_uris = {"sip:fuzz@pay.test"};
    profile.key_usage = "digitalSignature,keyAgreement";
    security::Certificate leaf = must(security::issue_certificate(ca, key, key, profile));
    return Keys{key, leaf, security::TrustStore(ca)};
  }();
  return instance;
}

void check_failure(const security::CmsError& error, std::string_view step) {
  if (error.detail.empty()) fail("failure without a detail", step);
  const int status = security::sip_rejection_for(error).status_code;
  if (status != 403 && status != 415 && status != 493) {
    fail("decoder failure maps to a status other than 403, 415 or 493", error.to_string());
  }
}

template <class T>
void check(const security::CmsResult<T>& result, std::string_view step) {
  if (!result) check_failure(result.error(), step);
}

void check_payload_round_trip(std::string_view input) {
  auto parts = security::parse_payload_entity(input);
  check(parts, "parse_payload_entity");
  if (!parts) return;
  const std::string written = security::write_payload_entity(parts.value());
  auto reparsed = security::parse_payload_entity(written);
  if (!reparsed) fail("written payload does not parse: " + reparsed.error().to_string(), written);
  if (reparsed.value().size() != parts.value().size()) fail("payload part count changed", written);
  for (std::size_t i = 0; i < parts.value().size(); ++i) {
    if (reparsed.value()[i].content_type != parts.value()[i].content_type ||
        reparsed.value()[i].body != parts.value()[i].body) {
      fail("payload part changed in a round trip", written);
    }
  }
}

void check_cms(std::string_view input) {
  const Keys& fixed = keys();
  check(security::check_ber(input), "check_ber");
  auto type = security::peek_content_type(input, {});
  check(type, "peek_content_type");
  if (!type) return;

  if (type.value() == security::CmsContentType::signed_data) {
    security::VerifyOptions options;
    options.require_identity = false;
    check(security::verify_signed_data(input, fixed.trust, options), "verify_signed_data");
  } else if (type.value() != security::CmsContentType::data) {
    check(security::decrypt_data(input, fixed.certificate, fixed.key), "decrypt_data");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  check_cms(input);

  auto entity = security::parse_smime_entity(input);
  check(entity, "parse_smime_entity");
  if (entity) check_cms(entity.value().der);

  check_payload_round_trip(input);

  const std::size_t line_end = input.find('\r');
  check(security::parse_smime_content_type(input.substr(0, line_end)), "parse_smime_content_type");
  return 0;
}
