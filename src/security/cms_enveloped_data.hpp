// CMS AuthEnvelopedData (RFC 5083) with AES-128-GCM for one or more
// recipients, and decryption of AuthEnvelopedData and, for older peers,
// AES-CBC EnvelopedData (RFC 5652 §6).
//
// Recipients are RSA keys (RSA-OAEP key transport with SHA-256, RFC 8017)
// or P-256 keys (ECDH key agreement with the SHA-256 KDF, RFC 5753). Every
// recipient certificate is checked with KeyPurpose::encryption before use.
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

struct EncryptOptions {
  std::chrono::system_clock::time_point at = std::chrono::system_clock::now();
};

// Encrypts `content` (id-data) for every certificate in `recipients` into a
// DER AuthEnvelopedData ContentInfo with AES-128-GCM and a 16-byte tag.
// Fails with recipient_certificate_rejected when the trust store rejects a
// recipient for KeyPurpose::encryption.
CmsResult<std::string> encrypt_data(std::string_view content,
                                    const std::vector<Certificate>& recipients,
                                    const TrustStore& trust, const EncryptOptions& options = {});

enum class ContentProtection {
  // AuthEnvelopedData: AES-GCM checked the content's integrity.
  authenticated,
  // EnvelopedData with AES-CBC: confidentiality only. decrypt_data returns
  // such content only when it is a signed S/MIME entity or a SignedData, and
  // the caller must verify that signature before using anything inside
  // (open_sealed_body does).
  needs_inner_signature,
};

struct DecryptedContent {
  std::string content;  // output by a successful CMS_decrypt only
  ContentProtection protection;
};

// Decrypts a DER EnvelopedData or AuthEnvelopedData ContentInfo with the
// recipient's certificate and key. The algorithm policy of
// cms_algorithm_policy.hpp is checked first. Distinct failures:
// not_a_recipient when no RecipientInfo names `certificate`,
// decrypt_failed when unwrapping, decrypting or the GCM tag check fails,
// unauthenticated_content for AES-CBC around unsigned content.
CmsResult<DecryptedContent> decrypt_data(std::string_view der, const Certificate& certificate,
                                         const PrivateKey& key, const CmsLimits& limits = {});

}  // namespace sippay::security
