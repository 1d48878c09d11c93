// CMS SignedData (RFC 5652 §5) for payment messages: one signer, SHA-256,
// ECDSA P-256 or RSA-PSS, the signing certificate included, content attached.
//
// Verification checks what OpenSSL 3.0's CMS_verify does not: exactly one
// SignerInfo, signed attributes present with exactly one content-type and one
// messageDigest, content-type equal to eContentType, digest and signature
// algorithms inside the policy, and the signer certificate through
// TrustStore::verify_identity with the claimed sender's SIP URI. Content is
// returned only when every check passed.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "security/certificate.hpp"
#include "security/cms_content_info.hpp"
#include "security/cms_error.hpp"
#include "security/cms_limits.hpp"
#include "security/private_key.hpp"
#include "security/trust_store.hpp"

namespace sippay::security {

struct SignerCredentials {
  Certificate certificate;
  PrivateKey key;
  std::vector<Certificate> intermediates;  // included in the SignedData after the certificate
};

// Signature scheme for RSA keys; EC keys always sign with ECDSA.
enum class RsaSignaturePadding { pss, pkcs1_v1_5 };

struct SignOptions {
  // PKCS#1 v1.5 is accepted on input; sippay signs with RSA-PSS, and offers
  // v1.5 only so that tests can produce it.
  RsaSignaturePadding rsa_padding = RsaSignaturePadding::pss;
};

// Signs `content` as id-data with SHA-256. Returns the DER ContentInfo.
CmsResult<std::string> sign_data(std::string_view content, const SignerCredentials& signer,
                                 const SignOptions& options = {});

struct VerifyOptions {
  // The SIP URI the message claims to come from (its From). When
  // require_identity is true it must be one of the signer certificate's
  // subjectAltName SIP URIs; an empty one is rejected.
  std::string claimed_sender;
  // False only for auditing tools that print whoever signed.
  bool require_identity = true;
  std::chrono::system_clock::time_point at = std::chrono::system_clock::now();
  CmsLimits limits;
};

struct VerifiedContent {
  std::string content;  // the eContent, output by a successful CMS_verify only
  VerifiedCertificate signer;
};

// Verifies a DER SignedData ContentInfo.
CmsResult<VerifiedContent> verify_signed_data(std::string_view der, const TrustStore& trust,
                                              const VerifyOptions& options);

// The same, for a ContentInfo that the caller has parsed already.
CmsResult<VerifiedContent> verify_signed_data(ParsedContentInfo& parsed, const TrustStore& trust,
                                              const VerifyOptions& options);

}  // namespace sippay::security
