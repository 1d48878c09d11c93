// Algorithm policy for payment messages, checked on the parsed CMS before
// OpenSSL is asked to verify or decrypt. OpenSSL 3.0 accepts each of the
// rejected choices below.
//
// Signing: digest SHA-256, SHA-384 or SHA-512; signature ECDSA, RSA-PSS
// (its hash also SHA-256 or stronger) or RSA PKCS#1 v1.5.
// Recipients: RSA-OAEP with SHA-256, SHA-384 or SHA-512 and MGF1 with the
// same hash, or ECDH (standard or cofactor) with a SHA-256, SHA-384 or SHA-512
// KDF. Rejected: PKCS#1 v1.5 key transport (rsa_pkcs1_key_transport), OAEP
// parameters that do not decode or use SHA-1 (invalid_oaep_parameters), the
// SHA-1 KDF (sha1_kdf), other recipient types.
// Content encryption: AES-GCM with a 16-byte tag inside AuthEnvelopedData
// only; AES-CBC inside EnvelopedData only.
#pragma once

#include <openssl/cms.h>

#include <string_view>

#include "security/cms_content_info.hpp"
#include "security/cms_error.hpp"
#include "security/cms_limits.hpp"

namespace sippay::security {

// Checks the digest and signature algorithms of one SignerInfo.
CmsStatus check_signer_algorithms(CMS_SignerInfo* signer);

// Checks the key transport or key agreement algorithm of every RecipientInfo.
CmsStatus check_recipient_algorithms(CMS_ContentInfo* cms);

// Reads the content encryption algorithm, the GCM parameters and the mac of
// an EnvelopedData or AuthEnvelopedData straight from its DER `der`, which
// the CMS API does not expose, and checks them against the policy.
CmsStatus check_content_encryption(std::string_view der, CmsContentType type,
                                   const CmsLimits& limits);

}  // namespace sippay::security
