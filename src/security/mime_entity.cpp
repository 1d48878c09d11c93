#include "security/mime_entity.hpp"

#include <openssl/rand.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "sip/headers.hpp"
#include "sip/scanner.hpp"

namespace sippay::security {
namespace {

constexpr std::string_view kCrlf = "\r\n";

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// RFC 5322 §2.2 field-name: printable US-ASCII except colon.
bool is_field_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return c > ' ' && c < 0x7f && c != ':';
  });
}

bool is_field_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char c) {
    return c == '\r' || c == '\n' || c == '\0';
  });
}

CmsError malformed(std::string detail) { return CmsError(CmsFailure::malformed_mime, std::move(detail)); }

CmsStatus parse_header_line(std::string_view line, const MimeLimits& limits, MimeEntity& entity) {
  if (line.size() > limits.max_line_bytes) {
    return malformed(fmt::format("header line of {} bytes, more than {}", line.size(),
                                 limits.max_line_bytes));
  }
  if (line.front() == ' ' || line.front() == '\t') {
    return malformed("folded header lines are not accepted");
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return malformed("header line without a colon");
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = trim(line.substr(colon + 1));
  if (!is_field_name(name)) return malformed("invalid header field name");
  if (!is_field_value(value)) return malformed("invalid byte in a header field value");
  if (entity.headers.size() == limits.max_header_fields) {
    return malformed(fmt::format("more than {} header fields", limits.max_header_fields));
  }
  entity.headers.push_back({std::string(name), std::string(value)});
  return std::monostate{};
}

CmsStatus check_transfer_encoding(const MimeEntity& entity) {
  auto encoding = entity.header("Content-Transfer-Encoding");
  if (!encoding) return std::monostate{};
  const std::string name = lower(*encoding);
  if (name == "binary" || name == "8bit" || name == "7bit") return std::monostate{};
  return CmsError(CmsFailure::unsupported_media_type,
                  fmt::format("Content-Transfer-Encoding '{}' is not accepted; send binary",
                              *encoding));
}

}  // namespace

std::optional<std::string_view> MimeEntity::header(std::string_view name) const {
  for (const MimeHeaderField& field : headers) {
    if (equals_ignoring_case(field.name, name)) return field.value;
  }
  return std::nullopt;
}

std::optional<std::string_view> MediaType::parameter(std::string_view name) const {
  for (const MimeHeaderField& field : parameters) {
    if (equals_ignoring_case(field.name, name)) return field.value;
  }
  return std::nullopt;
}

std::string write_mime_entity(const MimeEntity& entity) {
  std::string out;
  for (const MimeHeaderField& field : entity.headers) {
    out += field.name;
    out += ": ";
    out += field.value;
    out += kCrlf;
  }
  out += kCrlf;
  out += entity.body;
  return out;
}

CmsResult<MimeEntity> parse_mime_entity(std::string_view text, const MimeLimits& limits) {
  if (text.size() > limits.max_input_bytes) {
    return CmsError(CmsFailure::input_too_large,
                    fmt::format("MIME entity of {} bytes, more than {}", text.size(),
                                limits.max_input_bytes));
  }
  MimeEntity entity;
  std::size_t pos = 0;
  while (true) {
    const std::size_t end = text.find(kCrlf, pos);
    if (end == std::string_view::npos) return malformed("header section without a blank line");
    if (end == pos) {
      pos += kCrlf.size();
      break;
    }
    const std::string_view line = text.substr(pos, end - pos);
    if (line.find('\n') != std::string_view::npos) return malformed("bare LF in the header section");
    if (auto status = parse_header_line(line, limits, entity); !status) return status.error();
    pos = end + kCrlf.size();
  }
  if (!entity.header("Content-Type")) return malformed("MIME entity without Content-Type");
  if (auto status = check_transfer_encoding(entity); !status) return status.error();
  entity.body = std::string(text.substr(pos));
  return entity;
}

CmsResult<MediaType> parse_media_type(std::string_view value) {
  const std::string_view trimmed = trim(value);
  auto parsed = sip::parse_media_type(trimmed, 0);
  if (!parsed) {
    return malformed(fmt::format("Content-Type '{}' is invalid: {}", trimmed,
                                 parsed.error().to_string()));
  }
  MediaType media{lower(parsed->type), lower(parsed->subtype), {}};
  for (const sip::Param& param : parsed->params) {
    media.parameters.push_back({lower(param.name), sip::unquote(param.value)});
  }
  return media;
}

std::string make_multipart_boundary(const std::vector<MimeEntity>& parts) {
  while (true) {
    std::array<unsigned char, 16> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
      // A predictable boundary is safe because it is checked against the parts below.
      random.fill(0x5a);
    }
    std::string boundary;
    for (unsigned char byte : random) boundary += fmt::format("{:02x}", byte);
    const bool unique = std::none_of(parts.begin(), parts.end(), [&](const MimeEntity& part) {
      return write_mime_entity(part).find(boundary) != std::string::npos;
    });
    if (unique) return boundary;
  }
}

std::string write_multipart(const std::vector<MimeEntity>& parts, std::string_view boundary) {
  std::string out;
  for (const MimeEntity& part : parts) {
    out += "--";
    out += boundary;
    out += kCrlf;
    out += write_mime_entity(part);
    out += kCrlf;
  }
  out += "--";
  out += boundary;
  out += "--";
  out += kCrlf;
  return out;
}

CmsResult<std::vector<MimeEntity>> parse_multipart(std::string_view body, std::string_view boundary,
                                                   const MimeLimits& limits) {
  if (boundary.empty() || boundary.size() > 70) {
    return malformed(fmt::format("multipart boundary of {} characters; 1 to 70 are allowed",
                                 boundary.size()));
  }
  if (body.size() > limits.max_input_bytes) {
    return CmsError(CmsFailure::input_too_large,
                    fmt::format("multipart body of {} bytes, more than {}", body.size(),
                                limits.max_input_bytes));
  }
  const std::string first = "--" + std::string(boundary) + "\r\n";
  const std::string delimiter = "\r\n--" + std::string(boundary);
  if (body.substr(0, first.size()) != first) {
    return malformed("multipart body does not start with its boundary line");
  }
  std::vector<MimeEntity> parts;
  std::size_t pos = first.size();
  while (true) {
    const std::size_t end = body.find(delimiter, pos);
    if (end == std::string_view::npos) return malformed("multipart body without a close delimiter");
    if (parts.size() == limits.max_parts) {
      return malformed(fmt::format("more than {} parts in a multipart body", limits.max_parts));
    }
    auto part = parse_mime_entity(body.substr(pos, end - pos), limits);
    if (!part) return part.error();
    parts.push_back(std::move(part.value()));

    pos = end + delimiter.size();
    const std::string_view rest = body.substr(pos);
    if (rest.substr(0, 2) == "\r\n") {
      pos += 2;
      continue;
    }
    if (rest == "--" || rest == "--\r\n") return parts;
    return malformed("boundary line followed by something other than CRLF or '--'");
  }
}

}  // namespace sippay::security
