#include "security/cms_signed_data.hpp"

#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <fmt/format.h>

#include "security/cms_algorithm_policy.hpp"

namespace sippay::security {
namespace {

using X509StackPtr = std::unique_ptr<STACK_OF(X509), decltype([](STACK_OF(X509)* stack) {
                                       sk_X509_pop_free(stack, X509_free);
                                     })>;

CmsResult<CMS_SignerInfo*> single_signer(CMS_ContentInfo* cms) {
  STACK_OF(CMS_SignerInfo)* signers = CMS_get0_SignerInfos(cms);
  const int count = signers == nullptr ? 0 : sk_CMS_SignerInfo_num(signers);
  if (count != 1) {
    return CmsError(CmsFailure::signer_count,
                    fmt::format("SignedData has {} SignerInfos, expected exactly 1", count));
  }
  return sk_CMS_SignerInfo_value(signers, 0);
}

// Requires exactly one content-type and one messageDigest attribute, each
// with one value, and a content-type equal to eContentType. OpenSSL checks
// the messageDigest value but takes the first of several and never compares
// the content type.
CmsStatus check_signed_attributes(CMS_ContentInfo* cms, CMS_SignerInfo* signer) {
  const int count = CMS_signed_get_attr_count(signer);
  if (count <= 0) {
    return CmsError(CmsFailure::missing_signed_attributes,
                    "SignerInfo has no signed attributes; payment messages require them");
  }
  int content_types = 0;
  int message_digests = 0;
  const ASN1_OBJECT* attribute_content_type = nullptr;
  for (int i = 0; i < count; ++i) {
    X509_ATTRIBUTE* attribute = CMS_signed_get_attr(signer, i);
    const int nid = OBJ_obj2nid(X509_ATTRIBUTE_get0_object(attribute));
    if (nid != NID_pkcs9_contentType && nid != NID_pkcs9_messageDigest) continue;
    if (X509_ATTRIBUTE_count(attribute) != 1) {
      return CmsError(CmsFailure::invalid_signed_attributes,
                      fmt::format("signed attribute {} has {} values, expected 1", OBJ_nid2ln(nid),
                                  X509_ATTRIBUTE_count(attribute)));
    }
    if (nid == NID_pkcs9_messageDigest) {
      ++message_digests;
      continue;
    }
    ++content_types;
    ASN1_TYPE* value = X509_ATTRIBUTE_get0_type(attribute, 0);
    if (value == nullptr || value->type != V_ASN1_OBJECT) {
      return CmsError(CmsFailure::invalid_signed_attributes,
                      "content-type attribute value is not an OBJECT IDENTIFIER");
    }
    attribute_content_type = value->value.object;
  }
  if (content_types != 1 || message_digests != 1) {
    return CmsError(CmsFailure::invalid_signed_attributes,
                    fmt::format("signed attributes hold {} content-type and {} messageDigest "
                                "attributes, expected exactly 1 of each",
                                content_types, message_digests));
  }
  const ASN1_OBJECT* encapsulated = CMS_get0_eContentType(cms);
  if (encapsulated == nullptr || OBJ_cmp(attribute_content_type, encapsulated) != 0) {
    char attribute_name[80];
    char encapsulated_name[80] = "none";
    OBJ_obj2txt(attribute_name, sizeof attribute_name, attribute_content_type, 1);
    if (encapsulated != nullptr) {
      OBJ_obj2txt(encapsulated_name, sizeof encapsulated_name, encapsulated, 1);
    }
    return CmsError(CmsFailure::content_type_mismatch,
                    fmt::format("content-type attribute {} differs from eContentType {}",
                                attribute_name, encapsulated_name));
  }
  return std::monostate{};
}

// The certificates in the SignedData other than the signer's, as a chain to
// try; the trust store decides which of them matter.
std::vector<Certificate> other_certificates(CMS_ContentInfo* cms, X509* signer_certificate) {
  std::vector<Certificate> others;
  X509StackPtr certificates(CMS_get1_certs(cms));
  if (!certificates) return others;
  for (int i = 0; i < sk_X509_num(certificates.get()); ++i) {
    X509* certificate = sk_X509_value(certificates.get(), i);
    if (X509_cmp(certificate, signer_certificate) == 0) continue;
    X509_up_ref(certificate);
    others.emplace_back(certificate);
  }
  return others;
}

CmsStatus configure_rsa_pss(CMS_SignerInfo* signer_info) {
  EVP_PKEY_CTX* context = CMS_SignerInfo_get0_pkey_ctx(signer_info);
  if (context == nullptr || EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING) <= 0 ||
      EVP_PKEY_CTX_set_rsa_pss_saltlen(context, RSA_PSS_SALTLEN_DIGEST) <= 0) {
    return openssl_failure(CmsFailure::internal, "setting RSA-PSS padding failed");
  }
  return std::monostate{};
}

}  // namespace

CmsResult<std::string> sign_data(std::string_view content, const SignerCredentials& signer,
                                 const SignOptions& options) {
  if (!signer.key.matches(signer.certificate)) {
    return CmsError(CmsFailure::key_mismatch,
                    fmt::format("the private key does not belong to the certificate of {}",
                                signer.certificate.subject()));
  }
  clear_openssl_errors();
  constexpr unsigned int flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP;
  CmsContentInfoPtr cms(CMS_sign(nullptr, nullptr, nullptr, nullptr, flags));
  if (!cms) return openssl_failure(CmsFailure::internal, "creating SignedData failed");

  const bool pss = signer.key.algorithm() == PrivateKey::Algorithm::rsa &&
                   options.rsa_padding == RsaSignaturePadding::pss;
  CMS_SignerInfo* signer_info =
      CMS_add1_signer(cms.get(), signer.certificate.native(), signer.key.native(), EVP_sha256(),
                      flags | (pss ? CMS_KEY_PARAM : 0U));
  if (signer_info == nullptr) return openssl_failure(CmsFailure::internal, "adding the signer failed");
  if (pss) {
    if (auto status = configure_rsa_pss(signer_info); !status) return status.error();
  }
  for (const Certificate& intermediate : signer.intermediates) {
    if (CMS_add1_cert(cms.get(), intermediate.native()) != 1) {
      return openssl_failure(CmsFailure::internal, "adding an intermediate certificate failed");
    }
  }
  BioPtr input = memory_bio(content);
  if (CMS_final(cms.get(), input.get(), nullptr, CMS_BINARY) != 1) {
    return openssl_failure(CmsFailure::internal, "signing failed");
  }
  return write_content_info(cms.get());
}

CmsResult<VerifiedContent> verify_signed_data(std::string_view der, const TrustStore& trust,
                                              const VerifyOptions& options) {
  auto parsed = parse_content_info(der, options.limits);
  if (!parsed) return parsed.error();
  return verify_signed_data(parsed.value(), trust, options);
}

CmsResult<VerifiedContent> verify_signed_data(ParsedContentInfo& parsed, const TrustStore& trust,
                                              const VerifyOptions& options) {
  if (parsed.type != CmsContentType::signed_data) {
    return CmsError(CmsFailure::unexpected_content_type,
                    fmt::format("expected signedData, got {}", to_string(parsed.type)));
  }
  if (options.require_identity && options.claimed_sender.empty()) {
    return CmsError(CmsFailure::signer_certificate_rejected,
                    Error{ErrorCode::identity_mismatch, "no claimed sender SIP URI to check"});
  }
  CMS_ContentInfo* cms = parsed.cms.get();
  ASN1_OCTET_STRING** content = CMS_get0_content(cms);
  if (content == nullptr || *content == nullptr) {
    return CmsError(CmsFailure::malformed_cms, "SignedData without encapsulated content (detached)");
  }

  auto signer_info = single_signer(cms);
  if (!signer_info) return signer_info.error();
  if (auto status = check_signer_algorithms(signer_info.value()); !status) return status.error();
  if (auto status = check_signed_attributes(cms, signer_info.value()); !status) {
    return status.error();
  }

  clear_openssl_errors();
  // Matches the signer identifier with the certificates inside the SignedData only.
  if (CMS_set1_signers_certs(cms, nullptr, 0) < 0) {
    return openssl_failure(CmsFailure::malformed_cms, "reading the SignedData certificates failed");
  }
  X509* signer_certificate = nullptr;
  CMS_SignerInfo_get0_algs(signer_info.value(), nullptr, &signer_certificate, nullptr, nullptr);
  if (signer_certificate == nullptr) {
    take_openssl_errors();
    return CmsError(CmsFailure::missing_signer_certificate,
                    "the signer certificate is not included in the SignedData");
  }

  // The chain is checked by the trust store below, so CMS_verify checks only
  // the signature and the messageDigest. Its output is read only on success.
  BioPtr output(BIO_new(BIO_s_mem()));
  if (!output) return openssl_failure(CmsFailure::internal, "allocating a memory BIO failed");
  if (CMS_verify(cms, nullptr, nullptr, nullptr, output.get(),
                 CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
    return openssl_failure(CmsFailure::bad_signature, "signature verification failed");
  }

  X509_up_ref(signer_certificate);
  Certificate leaf(signer_certificate);
  const std::vector<Certificate> intermediates = other_certificates(cms, signer_certificate);
  auto verified =
      options.require_identity
          ? trust.verify_identity(leaf, intermediates, options.claimed_sender, KeyPurpose::signing,
                                  options.at)
          : trust.verify(leaf, intermediates, KeyPurpose::signing, options.at);
  if (!verified) return CmsError(CmsFailure::signer_certificate_rejected, verified.error());

  return VerifiedContent{memory_bio_contents(output.get()), verified.value()};
}

}  // namespace sippay::security
