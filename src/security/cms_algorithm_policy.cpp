#include "security/cms_algorithm_policy.hpp"

#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <fmt/format.h>

#include <memory>

#include "security/cms_ber.hpp"

namespace sippay::security {
namespace {

// AES-GCM tag length required in AuthEnvelopedData, in bytes.
constexpr std::uint64_t kGcmTagBytes = 16;

std::string algorithm_name(const ASN1_OBJECT* oid) {
  char name[80];
  OBJ_obj2txt(name, sizeof name, oid, 0);
  return name;
}

bool is_sha2_digest(int nid) { return nid == NID_sha256 || nid == NID_sha384 || nid == NID_sha512; }

CmsStatus check_pss_parameters(const X509_ALGOR* signature) {
  std::unique_ptr<RSA_PSS_PARAMS, OpensslDeleter<RSA_PSS_PARAMS_free>> parameters(
      static_cast<RSA_PSS_PARAMS*>(
          ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_PSS_PARAMS), signature->parameter)));
  // An absent hashAlgorithm means SHA-1 (RFC 4055).
  if (!parameters || parameters->hashAlgorithm == nullptr ||
      !is_sha2_digest(OBJ_obj2nid(parameters->hashAlgorithm->algorithm))) {
    clear_openssl_errors();
    return CmsError(CmsFailure::unsupported_algorithm,
                    "RSA-PSS parameters missing or with a hash other than SHA-256/384/512");
  }
  return std::monostate{};
}

// RSAES-OAEP-params (RFC 8017 A.2.1): every field defaults to SHA-1, which the
// policy rejects, so hashFunc and maskGenFunc must be present.
CmsStatus check_oaep_parameters(const X509_ALGOR* algorithm) {
  std::unique_ptr<RSA_OAEP_PARAMS, OpensslDeleter<RSA_OAEP_PARAMS_free>> parameters(
      static_cast<RSA_OAEP_PARAMS*>(
          ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(RSA_OAEP_PARAMS), algorithm->parameter)));
  if (!parameters) {
    clear_openssl_errors();
    return CmsError(CmsFailure::invalid_oaep_parameters, "RSA-OAEP parameters do not decode");
  }
  if (parameters->hashFunc == nullptr || !is_sha2_digest(OBJ_obj2nid(parameters->hashFunc->algorithm))) {
    return CmsError(CmsFailure::invalid_oaep_parameters,
                    "RSA-OAEP hash is SHA-1 or unknown; expected SHA-256, SHA-384 or SHA-512");
  }
  const int hash = OBJ_obj2nid(parameters->hashFunc->algorithm);
  if (parameters->maskGenFunc == nullptr || OBJ_obj2nid(parameters->maskGenFunc->algorithm) != NID_mgf1) {
    return CmsError(CmsFailure::invalid_oaep_parameters, "RSA-OAEP mask generation is not MGF1");
  }
  std::unique_ptr<X509_ALGOR, OpensslDeleter<X509_ALGOR_free>> mgf1_hash(static_cast<X509_ALGOR*>(
      ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(X509_ALGOR), parameters->maskGenFunc->parameter)));
  if (!mgf1_hash || OBJ_obj2nid(mgf1_hash->algorithm) != hash) {
    clear_openssl_errors();
    return CmsError(CmsFailure::invalid_oaep_parameters,
                    "RSA-OAEP MGF1 hash is missing or differs from the OAEP hash");
  }
  if (parameters->pSourceFunc != nullptr) {
    const ASN1_TYPE* label = parameters->pSourceFunc->parameter;
    if (OBJ_obj2nid(parameters->pSourceFunc->algorithm) != NID_pSpecified || label == nullptr ||
        label->type != V_ASN1_OCTET_STRING || ASN1_STRING_length(label->value.octet_string) != 0) {
      return CmsError(CmsFailure::invalid_oaep_parameters,
                      "RSA-OAEP label is not the empty pSpecified label");
    }
  }
  return std::monostate{};
}

CmsStatus check_key_transport(CMS_RecipientInfo* recipient) {
  X509_ALGOR* algorithm = nullptr;
  if (CMS_RecipientInfo_ktri_get0_algs(recipient, nullptr, nullptr, &algorithm) != 1 ||
      algorithm == nullptr) {
    return openssl_failure(CmsFailure::malformed_cms, "reading a KeyTransRecipientInfo failed");
  }
  switch (OBJ_obj2nid(algorithm->algorithm)) {
    case NID_rsaesOaep:
      return check_oaep_parameters(algorithm);
    case NID_rsaEncryption:
      return CmsError(CmsFailure::rsa_pkcs1_key_transport,
                      "RSA PKCS#1 v1.5 key transport is not accepted; the sender must use RSA-OAEP");
    default:
      return CmsError(CmsFailure::unsupported_algorithm,
                      fmt::format("key transport algorithm {} is not accepted",
                                  algorithm_name(algorithm->algorithm)));
  }
}

CmsStatus check_key_agreement(CMS_RecipientInfo* recipient) {
  X509_ALGOR* algorithm = nullptr;
  if (CMS_RecipientInfo_kari_get0_alg(recipient, &algorithm, nullptr) != 1 || algorithm == nullptr) {
    return openssl_failure(CmsFailure::malformed_cms, "reading a KeyAgreeRecipientInfo failed");
  }
  // The KDF hash is part of the algorithm OID (RFC 5753 §7.1.4).
  switch (OBJ_obj2nid(algorithm->algorithm)) {
    case NID_dhSinglePass_stdDH_sha256kdf_scheme:
    case NID_dhSinglePass_stdDH_sha384kdf_scheme:
    case NID_dhSinglePass_stdDH_sha512kdf_scheme:
    case NID_dhSinglePass_cofactorDH_sha256kdf_scheme:
    case NID_dhSinglePass_cofactorDH_sha384kdf_scheme:
    case NID_dhSinglePass_cofactorDH_sha512kdf_scheme:
      return std::monostate{};
    case NID_dhSinglePass_stdDH_sha1kdf_scheme:
    case NID_dhSinglePass_cofactorDH_sha1kdf_scheme:
      return CmsError(CmsFailure::sha1_kdf,
                      "ECDH with the SHA-1 KDF is not accepted; the sender must use the SHA-256 KDF "
                      "(openssl cms: -keyopt ecdh_kdf_md:sha256)");
    default:
      return CmsError(CmsFailure::unsupported_algorithm,
                      fmt::format("key agreement algorithm {} is not accepted",
                                  algorithm_name(algorithm->algorithm)));
  }
}

// The algorithm OID of an AlgorithmIdentifier SEQUENCE, as an OpenSSL NID.
CmsResult<int> algorithm_nid(const BerElement& algorithm_identifier, const CmsLimits& limits) {
  auto fields = ber_children(algorithm_identifier, limits);
  if (!fields) return fields.error();
  if (fields.value().empty() || !fields.value()[0].is(BerClass::universal, kBerObjectIdentifier)) {
    return CmsError(CmsFailure::malformed_cms, "AlgorithmIdentifier without an OID");
  }
  const std::string_view encoding = fields.value()[0].encoding;
  const auto* cursor = reinterpret_cast<const unsigned char*>(encoding.data());
  ASN1_OBJECT* oid = d2i_ASN1_OBJECT(nullptr, &cursor, static_cast<long>(encoding.size()));
  if (oid == nullptr) {
    clear_openssl_errors();
    return CmsError(CmsFailure::malformed_cms, "AlgorithmIdentifier OID does not decode");
  }
  const int nid = OBJ_obj2nid(oid);
  ASN1_OBJECT_free(oid);
  return nid;
}

// GCMParameters (RFC 5084 §3.2): SEQUENCE { aes-nonce OCTET STRING,
// aes-ICVlen INTEGER DEFAULT 12 }. The default 12 is not 16, so the field must be present.
CmsStatus check_gcm_parameters(const BerElement& algorithm_identifier, const CmsLimits& limits) {
  auto fields = ber_children(algorithm_identifier, limits);
  if (!fields) return fields.error();
  if (fields.value().size() != 2 || !fields.value()[1].is(BerClass::universal, kBerSequence)) {
    return CmsError(CmsFailure::malformed_cms, "AES-GCM without GCMParameters");
  }
  auto parameters = ber_children(fields.value()[1], limits);
  if (!parameters) return parameters.error();
  if (parameters.value().size() != 2) {
    return CmsError(CmsFailure::invalid_gcm_tag_length,
                    "GCMParameters without aes-ICVlen, so the tag is the default 12 bytes; "
                    "16 is required");
  }
  auto tag_length = ber_small_integer(parameters.value()[1]);
  if (!tag_length) return tag_length.error();
  if (tag_length.value() != kGcmTagBytes) {
    return CmsError(CmsFailure::invalid_gcm_tag_length,
                    fmt::format("GCMParameters aes-ICVlen is {}, 16 is required", tag_length.value()));
  }
  return std::monostate{};
}

CmsStatus check_cipher(int nid, CmsContentType type) {
  const bool gcm = nid == NID_aes_128_gcm || nid == NID_aes_192_gcm || nid == NID_aes_256_gcm;
  const bool cbc = nid == NID_aes_128_cbc || nid == NID_aes_192_cbc || nid == NID_aes_256_cbc;
  if (type == CmsContentType::auth_enveloped_data && gcm) return std::monostate{};
  if (type == CmsContentType::enveloped_data && cbc) return std::monostate{};
  return CmsError(CmsFailure::unsupported_algorithm,
                  fmt::format("content encryption {} is not accepted in {}; use AES-GCM in "
                              "authEnvelopedData or AES-CBC in envelopedData",
                              nid == NID_undef ? "with an unknown OID" : OBJ_nid2sn(nid),
                              to_string(type)));
}

}  // namespace

CmsStatus check_signer_algorithms(CMS_SignerInfo* signer) {
  X509_ALGOR* digest = nullptr;
  X509_ALGOR* signature = nullptr;
  CMS_SignerInfo_get0_algs(signer, nullptr, nullptr, &digest, &signature);
  if (digest == nullptr || !is_sha2_digest(OBJ_obj2nid(digest->algorithm))) {
    return CmsError(CmsFailure::unsupported_algorithm,
                    fmt::format("digest {} is not accepted; use SHA-256",
                                digest == nullptr ? "(none)" : algorithm_name(digest->algorithm)));
  }
  switch (OBJ_obj2nid(signature->algorithm)) {
    case NID_ecdsa_with_SHA256:
    case NID_ecdsa_with_SHA384:
    case NID_ecdsa_with_SHA512:
    case NID_X9_62_id_ecPublicKey:
    case NID_rsaEncryption:
    case NID_sha256WithRSAEncryption:
    case NID_sha384WithRSAEncryption:
    case NID_sha512WithRSAEncryption:
      return std::monostate{};
    case NID_rsassaPss:
      return check_pss_parameters(signature);
    default:
      return CmsError(CmsFailure::unsupported_algorithm,
                      fmt::format("signature algorithm {} is not accepted",
                                  algorithm_name(signature->algorithm)));
  }
}

CmsStatus check_recipient_algorithms(CMS_ContentInfo* cms) {
  STACK_OF(CMS_RecipientInfo)* recipients = CMS_get0_RecipientInfos(cms);
  const int count = recipients == nullptr ? 0 : sk_CMS_RecipientInfo_num(recipients);
  if (count == 0) return CmsError(CmsFailure::malformed_cms, "no RecipientInfo");
  for (int i = 0; i < count; ++i) {
    CMS_RecipientInfo* recipient = sk_CMS_RecipientInfo_value(recipients, i);
    CmsStatus status = std::monostate{};
    switch (CMS_RecipientInfo_type(recipient)) {
      case CMS_RECIPINFO_TRANS: status = check_key_transport(recipient); break;
      case CMS_RECIPINFO_AGREE: status = check_key_agreement(recipient); break;
      default:
        status = CmsError(CmsFailure::unsupported_algorithm,
                          "only key transport (RSA-OAEP) and key agreement (ECDH) recipients are "
                          "accepted");
        break;
    }
    if (!status) return status;
  }
  return std::monostate{};
}

CmsStatus check_content_encryption(std::string_view der, CmsContentType type,
                                   const CmsLimits& limits) {
  auto outer = check_ber(der, limits);
  if (!outer) return outer.error();
  auto content_info = ber_children(outer.value(), limits);
  if (!content_info) return content_info.error();
  if (content_info.value().size() != 2) {
    return CmsError(CmsFailure::malformed_cms, "ContentInfo is not a content type and a content");
  }
  auto explicit_content = ber_children(content_info.value()[1], limits);
  if (!explicit_content) return explicit_content.error();
  if (explicit_content.value().size() != 1) {
    return CmsError(CmsFailure::malformed_cms, "ContentInfo [0] holds more than one element");
  }
  auto fields = ber_children(explicit_content.value()[0], limits);
  if (!fields) return fields.error();

  // EnvelopedData and AuthEnvelopedData: version, [0] originatorInfo
  // OPTIONAL, recipientInfos SET, then the (auth)encryptedContentInfo
  // SEQUENCE; AuthEnvelopedData then has [1] authAttrs OPTIONAL and the mac.
  const BerElement* encrypted_content_info = nullptr;
  const BerElement* mac = nullptr;
  bool after_recipients = false;
  for (const BerElement& field : fields.value()) {
    if (field.is(BerClass::universal, kBerSet)) {
      after_recipients = true;
    } else if (after_recipients && encrypted_content_info == nullptr &&
               field.is(BerClass::universal, kBerSequence)) {
      encrypted_content_info = &field;
    } else if (encrypted_content_info != nullptr && mac == nullptr &&
               field.is(BerClass::universal, kBerOctetString)) {
      mac = &field;
    }
  }
  if (encrypted_content_info == nullptr) {
    return CmsError(CmsFailure::malformed_cms, "no EncryptedContentInfo after the recipients");
  }
  auto encrypted_fields = ber_children(*encrypted_content_info, limits);
  if (!encrypted_fields) return encrypted_fields.error();
  if (encrypted_fields.value().size() < 2 ||
      !encrypted_fields.value()[1].is(BerClass::universal, kBerSequence)) {
    return CmsError(CmsFailure::malformed_cms, "EncryptedContentInfo without an algorithm");
  }
  const BerElement& algorithm = encrypted_fields.value()[1];
  auto nid = algorithm_nid(algorithm, limits);
  if (!nid) return nid.error();
  if (auto status = check_cipher(nid.value(), type); !status) return status;
  if (type != CmsContentType::auth_enveloped_data) return std::monostate{};

  if (auto status = check_gcm_parameters(algorithm, limits); !status) return status;
  if (mac == nullptr) return CmsError(CmsFailure::malformed_cms, "AuthEnvelopedData without a mac");
  auto tag = ber_octet_string(*mac, limits);
  if (!tag) return tag.error();
  if (tag.value().size() != kGcmTagBytes) {
    return CmsError(CmsFailure::invalid_gcm_tag_length,
                    fmt::format("AES-GCM tag of {} bytes, 16 are required", tag.value().size()));
  }
  return std::monostate{};
}

}  // namespace sippay::security
