#include "security/cms_enveloped_data.hpp"

#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <fmt/format.h>

#include "security/cms_algorithm_policy.hpp"
#include "security/smime_body.hpp"

namespace sippay::security {
namespace {

CmsStatus configure_recipient(CMS_RecipientInfo* recipient, const Certificate& certificate) {
  EVP_PKEY_CTX* context = CMS_RecipientInfo_get0_pkey_ctx(recipient);
  if (context == nullptr) return openssl_failure(CmsFailure::internal, "recipient has no key context");
  switch (CMS_RecipientInfo_type(recipient)) {
    case CMS_RECIPINFO_TRANS:
      if (EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_OAEP_PADDING) <= 0 ||
          EVP_PKEY_CTX_set_rsa_oaep_md(context, EVP_sha256()) <= 0 ||
          EVP_PKEY_CTX_set_rsa_mgf1_md(context, EVP_sha256()) <= 0) {
        return openssl_failure(CmsFailure::internal, "setting RSA-OAEP with SHA-256 failed");
      }
      return std::monostate{};
    case CMS_RECIPINFO_AGREE:
      // Without this OpenSSL 3.0 uses the SHA-1 KDF (dhSinglePass-stdDH-sha1kdf-scheme).
      if (EVP_PKEY_CTX_set_ecdh_kdf_md(context, EVP_sha256()) <= 0) {
        return openssl_failure(CmsFailure::internal, "setting the ECDH SHA-256 KDF failed");
      }
      return std::monostate{};
    default:
      return CmsError(CmsFailure::unsupported_algorithm,
                      fmt::format("recipient {} has neither an RSA nor a P-256 key",
                                  certificate.subject()));
  }
}

// True when some RecipientInfo identifies `certificate`, by issuer and
// serial number or subject key identifier.
bool names_recipient(CMS_ContentInfo* cms, const Certificate& certificate) {
  STACK_OF(CMS_RecipientInfo)* recipients = CMS_get0_RecipientInfos(cms);
  for (int i = 0; i < sk_CMS_RecipientInfo_num(recipients); ++i) {
    CMS_RecipientInfo* recipient = sk_CMS_RecipientInfo_value(recipients, i);
    if (CMS_RecipientInfo_type(recipient) == CMS_RECIPINFO_TRANS) {
      if (CMS_RecipientInfo_ktri_cert_cmp(recipient, certificate.native()) == 0) return true;
      continue;
    }
    if (CMS_RecipientInfo_type(recipient) != CMS_RECIPINFO_AGREE) continue;
    STACK_OF(CMS_RecipientEncryptedKey)* keys = CMS_RecipientInfo_kari_get0_reks(recipient);
    for (int j = 0; j < sk_CMS_RecipientEncryptedKey_num(keys); ++j) {
      CMS_RecipientEncryptedKey* key = sk_CMS_RecipientEncryptedKey_value(keys, j);
      if (CMS_RecipientEncryptedKey_cert_cmp(key, certificate.native()) == 0) return true;
    }
  }
  return false;
}

// Content that is itself signed: a SignedData ContentInfo, or an S/MIME
// entity whose smime-type is signed-data.
bool is_signed_content(std::string_view content, const CmsLimits& limits) {
  auto parsed = parse_content_info(content, limits);
  if (parsed) return parsed.value().type == CmsContentType::signed_data;
  auto entity = parse_smime_entity(content, limits);
  return entity && entity.value().smime_type == SmimeType::signed_data;
}

}  // namespace

CmsResult<std::string> encrypt_data(std::string_view content,
                                    const std::vector<Certificate>& recipients,
                                    const TrustStore& trust, const EncryptOptions& options) {
  if (recipients.empty()) return CmsError(CmsFailure::internal, "no recipient certificate given");
  for (const Certificate& recipient : recipients) {
    auto verified = trust.verify(recipient, {}, KeyPurpose::encryption, options.at);
    if (!verified) return CmsError(CmsFailure::recipient_certificate_rejected, verified.error());
  }

  clear_openssl_errors();
  constexpr unsigned int flags = CMS_BINARY | CMS_PARTIAL;
  // With a GCM cipher OpenSSL 3.0 builds AuthEnvelopedData, with a 16-byte tag.
  CmsContentInfoPtr cms(CMS_encrypt(nullptr, nullptr, EVP_aes_128_gcm(), flags));
  if (!cms) return openssl_failure(CmsFailure::internal, "creating AuthEnvelopedData failed");
  for (const Certificate& recipient : recipients) {
    CMS_RecipientInfo* info =
        CMS_add1_recipient_cert(cms.get(), recipient.native(), flags | CMS_KEY_PARAM);
    if (info == nullptr) {
      return openssl_failure(CmsFailure::internal,
                             fmt::format("adding recipient {} failed", recipient.subject()));
    }
    if (auto status = configure_recipient(info, recipient); !status) return status.error();
  }
  BioPtr input = memory_bio(content);
  if (CMS_final(cms.get(), input.get(), nullptr, CMS_BINARY) != 1) {
    return openssl_failure(CmsFailure::internal, "encryption failed");
  }
  return write_content_info(cms.get());
}

CmsResult<DecryptedContent> decrypt_data(std::string_view der, const Certificate& certificate,
                                         const PrivateKey& key, const CmsLimits& limits) {
  auto parsed = parse_content_info(der, limits);
  if (!parsed) return parsed.error();
  const CmsContentType type = parsed.value().type;
  if (type != CmsContentType::enveloped_data && type != CmsContentType::auth_enveloped_data) {
    return CmsError(CmsFailure::unexpected_content_type,
                    fmt::format("expected envelopedData or authEnvelopedData, got {}",
                                to_string(type)));
  }
  CMS_ContentInfo* cms = parsed.value().cms.get();
  if (auto status = check_recipient_algorithms(cms); !status) return status.error();
  if (auto status = check_content_encryption(der, type, limits); !status) return status.error();
  if (!key.matches(certificate)) {
    return CmsError(CmsFailure::key_mismatch,
                    fmt::format("the private key does not belong to the certificate of {}",
                                certificate.subject()));
  }
  if (!names_recipient(cms, certificate)) {
    return CmsError(CmsFailure::not_a_recipient,
                    fmt::format("no RecipientInfo for {} (serial {})", certificate.subject(),
                                certificate.serial_hex()));
  }

  clear_openssl_errors();
  BioPtr output(BIO_new(BIO_s_mem()));
  if (!output) return openssl_failure(CmsFailure::internal, "allocating a memory BIO failed");
  // On a bad GCM tag CMS_decrypt has already written the plaintext to
  // `output` and returns 0, so the output is read only on success.
  if (CMS_decrypt(cms, key.native(), certificate.native(), nullptr, output.get(), CMS_BINARY) != 1) {
    return openssl_failure(CmsFailure::decrypt_failed, "decryption failed");
  }
  std::string content = memory_bio_contents(output.get());
  if (type == CmsContentType::auth_enveloped_data) {
    return DecryptedContent{std::move(content), ContentProtection::authenticated};
  }
  if (!is_signed_content(content, limits)) {
    return CmsError(CmsFailure::unauthenticated_content,
                    "AES-CBC envelopedData protects only confidentiality and its content is not "
                    "signed; the sender must use authEnvelopedData or sign inside");
  }
  return DecryptedContent{std::move(content), ContentProtection::needs_inner_signature};
}

}  // namespace sippay::security
