// Parsing and writing CMS ContentInfo (RFC 5652 §3) with OpenSSL's CMS API,
// behind the bounds of cms_ber.hpp. The PKCS7 API is not used because it
// accepts a ContentInfo without content.
#pragma once

#include <openssl/cms.h>

#include <memory>
#include <string>
#include <string_view>

#include "security/cms_error.hpp"
#include "security/cms_limits.hpp"
#include "security/openssl_util.hpp"

namespace sippay::security {

using CmsContentInfoPtr = std::unique_ptr<CMS_ContentInfo, OpensslDeleter<CMS_ContentInfo_free>>;

// CMS content types this layer reads and writes.
enum class CmsContentType { data, signed_data, enveloped_data, auth_enveloped_data };

// The content type's name in RFC 5652 and RFC 5083 ("signedData", ...).
std::string_view to_string(CmsContentType type);

// A parsed ContentInfo and its content type.
struct ParsedContentInfo {
  CmsContentInfoPtr cms;
  CmsContentType type;
};

// Checks `der` against `limits` and the ContentInfo shape (a SEQUENCE of an
// OID and an explicit [0] content, nothing else), then parses it with
// d2i_CMS_ContentInfo. Content types other than the four above are
// unexpected_content_type.
CmsResult<ParsedContentInfo> parse_content_info(std::string_view der, const CmsLimits& limits);

// The DER encoding of `cms`.
CmsResult<std::string> write_content_info(CMS_ContentInfo* cms);

// OpenSSL's queued errors as a CmsError of the given failure, prefixed by `what`.
CmsError openssl_failure(CmsFailure failure, std::string_view what);

}  // namespace sippay::security

namespace sippay::security {

// The content type of a DER ContentInfo, read with the bounded BER reader
// only, without decoding the content.
CmsResult<CmsContentType> peek_content_type(std::string_view der, const CmsLimits& limits);

}  // namespace sippay::security
