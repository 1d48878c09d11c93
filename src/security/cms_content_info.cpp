#include "security/cms_content_info.hpp"

#include <openssl/objects.h>

#include <fmt/format.h>

#include "security/cms_ber.hpp"

namespace sippay::security {
namespace {

CmsResult<CmsContentType> content_type_of(const ASN1_OBJECT* oid) {
  switch (OBJ_obj2nid(oid)) {
    case NID_pkcs7_data: return CmsContentType::data;
    case NID_pkcs7_signed: return CmsContentType::signed_data;
    case NID_pkcs7_enveloped: return CmsContentType::enveloped_data;
    case NID_id_smime_ct_authEnvelopedData: return CmsContentType::auth_enveloped_data;
    default: break;
  }
  char name[80];
  OBJ_obj2txt(name, sizeof name, oid, 1);
  return CmsError(CmsFailure::unexpected_content_type,
                  fmt::format("content type {} is not data, signedData, envelopedData or "
                              "authEnvelopedData",
                              name));
}

// A ContentInfo is SEQUENCE { contentType OID, content [0] EXPLICIT ANY }.
// OpenSSL's CMS decoder rejects a missing [0] too, but only after the
// reader above has bounded the input; checking here gives a clear reason.
CmsStatus check_content_info_shape(const BerElement& outer, const CmsLimits& limits) {
  if (!outer.is(BerClass::universal, kBerSequence) || !outer.constructed) {
    return CmsError(CmsFailure::malformed_cms, "ContentInfo is not a SEQUENCE");
  }
  auto fields = ber_children(outer, limits);
  if (!fields) return fields.error();
  const auto& parts = fields.value();
  if (parts.empty() || !parts[0].is(BerClass::universal, kBerObjectIdentifier)) {
    return CmsError(CmsFailure::malformed_cms, "ContentInfo does not start with a content type OID");
  }
  if (parts.size() < 2) return CmsError(CmsFailure::malformed_cms, "ContentInfo without content");
  if (parts.size() > 2 || !parts[1].is(BerClass::context, 0) || !parts[1].constructed) {
    return CmsError(CmsFailure::malformed_cms, "ContentInfo content is not a single [0] field");
  }
  return std::monostate{};
}

// The contents octets of the content type OIDs (RFC 5652 §14, RFC 5083 §1.1).
constexpr std::string_view kOidData = "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x01";
constexpr std::string_view kOidSignedData = "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02";
constexpr std::string_view kOidEnvelopedData = "\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03";
constexpr std::string_view kOidAuthEnvelopedData =
    "\x2a\x86\x48\x86\xf7\x0d\x01\x09\x10\x01\x17";

}  // namespace

CmsResult<CmsContentType> peek_content_type(std::string_view der, const CmsLimits& limits) {
  auto outer = check_ber(der, limits);
  if (!outer) return outer.error();
  if (auto shape = check_content_info_shape(outer.value(), limits); !shape) return shape.error();
  auto fields = ber_children(outer.value(), limits);
  if (!fields) return fields.error();
  const std::string_view oid = fields.value()[0].content;
  if (oid == kOidData) return CmsContentType::data;
  if (oid == kOidSignedData) return CmsContentType::signed_data;
  if (oid == kOidEnvelopedData) return CmsContentType::enveloped_data;
  if (oid == kOidAuthEnvelopedData) return CmsContentType::auth_enveloped_data;
  return CmsError(CmsFailure::unexpected_content_type,
                  "content type is not data, signedData, envelopedData or authEnvelopedData");
}

std::string_view to_string(CmsContentType type) {
  switch (type) {
    case CmsContentType::data: return "data";
    case CmsContentType::signed_data: return "signedData";
    case CmsContentType::enveloped_data: return "envelopedData";
    case CmsContentType::auth_enveloped_data: return "authEnvelopedData";
  }
  return "unknown";
}

CmsError openssl_failure(CmsFailure failure, std::string_view what) {
  return CmsError(failure, fmt::format("{}: {}", what, take_openssl_errors()));
}

CmsResult<ParsedContentInfo> parse_content_info(std::string_view der, const CmsLimits& limits) {
  auto outer = check_ber(der, limits);
  if (!outer) return outer.error();
  if (auto shape = check_content_info_shape(outer.value(), limits); !shape) return shape.error();

  clear_openssl_errors();
  const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
  CmsContentInfoPtr cms(d2i_CMS_ContentInfo(nullptr, &cursor, static_cast<long>(der.size())));
  if (!cms) return openssl_failure(CmsFailure::malformed_cms, "CMS ContentInfo does not decode");
  if (cursor != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return CmsError(CmsFailure::malformed_cms, "bytes after the CMS ContentInfo");
  }
  auto type = content_type_of(CMS_get0_type(cms.get()));
  if (!type) return type.error();
  return ParsedContentInfo{std::move(cms), type.value()};
}

CmsResult<std::string> write_content_info(CMS_ContentInfo* cms) {
  unsigned char* buffer = nullptr;
  const int length = i2d_CMS_ContentInfo(cms, &buffer);
  if (length <= 0) return openssl_failure(CmsFailure::internal, "encoding CMS as DER failed");
  std::string der(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
  OPENSSL_free(buffer);
  return der;
}

}  // namespace sippay::security
