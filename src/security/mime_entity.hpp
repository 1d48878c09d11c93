// A small, strict MIME entity and multipart/mixed codec (RFC 2045, RFC 2046)
// for the content inside S/MIME bodies. Strict means: CRLF line ends only,
// "Name: value" header fields without folding, a blank line before the body,
// Content-Transfer-Encoding binary, 8bit or 7bit only (SIP carries 8-bit
// bodies), and for multipart no preamble and nothing after the close
// delimiter but one optional CRLF. Every count and length is bounded by
// MimeLimits.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/cms_error.hpp"

namespace sippay::security {

struct MimeLimits {
  std::size_t max_header_fields = 16;   // per entity
  std::size_t max_line_bytes = 998;     // per header line, without CRLF (RFC 5322 §2.1.1)
  std::size_t max_parts = 16;           // per multipart body
  std::size_t max_input_bytes = 256 * 1024;
};

struct MimeHeaderField {
  std::string name;
  std::string value;
};

struct MimeEntity {
  std::vector<MimeHeaderField> headers;
  std::string body;

  // The value of the first header field named `name`, compared without regard to ASCII case.
  std::optional<std::string_view> header(std::string_view name) const;
};

// Writes the header fields, a blank line and the body, with CRLF line ends.
std::string write_mime_entity(const MimeEntity& entity);

// Parses one MIME entity. Fails with malformed_mime, or unsupported_media_type
// for a Content-Transfer-Encoding other than binary, 8bit or 7bit.
CmsResult<MimeEntity> parse_mime_entity(std::string_view text, const MimeLimits& limits = {});

// A media type split into its parts; parameter names are lower case and
// quoted values unquoted.
struct MediaType {
  std::string type;     // lower case, "multipart"
  std::string subtype;  // lower case, "mixed"
  std::vector<MimeHeaderField> parameters;

  std::optional<std::string_view> parameter(std::string_view name) const;
};

// Parses a Content-Type value with the SIP codec's media-type grammar
// (RFC 3261 §20.15, the same as RFC 2045's).
CmsResult<MediaType> parse_media_type(std::string_view value);

// A boundary of 32 random hexadecimal digits that occurs in none of `parts`.
std::string make_multipart_boundary(const std::vector<MimeEntity>& parts);

// Writes `parts` as a multipart body with the given boundary (RFC 2046 §5.1.1).
std::string write_multipart(const std::vector<MimeEntity>& parts, std::string_view boundary);

// Splits a multipart body at `boundary` and parses each part.
CmsResult<std::vector<MimeEntity>> parse_multipart(std::string_view body, std::string_view boundary,
                                                   const MimeLimits& limits = {});

}  // namespace sippay::security
