#include "sip/serializer.hpp"

#include <fmt/format.h>

#include "sip/charset.hpp"
#include "sip/scanner.hpp"

namespace sippay::sip {
namespace {

void append_upper(std::string& out, std::string_view text) {
  for (char c : text) out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
}

void append_lower(std::string& out, std::string_view text) {
  for (char c : text) out.push_back(charset::to_lower(c));
}

// display-name tokens are joined by single spaces; a quoted string is kept.
void append_display_name(std::string& out, std::string_view name) {
  if (name.empty()) return;
  if (name.front() == '"') {
    out.append(collapse_lws(name));
  } else {
    bool space = false;
    for (char c : name) {
      if (charset::is_ws(c) || c == '\r' || c == '\n') {
        space = true;
        continue;
      }
      if (space) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
  }
  out.push_back(' ');
}

// A parameter value; a quoted string may hold a folded line break.
void append_value(std::string& out, std::string_view value) {
  if (value.find('\r') == std::string_view::npos) {
    out.append(value);
  } else {
    out.append(collapse_lws(value));
  }
}

void append_list(std::string& out, std::span<const std::string_view> items) {
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(items[i]);
  }
}

void begin_field(std::string& out, const HeaderField& field) {
  if (field.id == HeaderId::kUnknown) {
    out.append(field.name);
  } else {
    out.append(canonical_name(field.id));
  }
  out.append(": ");
}

// Ends a field; an empty value is written as "Name:" with no trailing space.
void end_field(std::string& out) {
  if (out.ends_with(": ")) out.pop_back();
  out.append("\r\n");
}

void append_start_line(std::string& out, const Message& message) {
  if (message.is_request()) {
    const RequestLine& line = message.request_line();
    out.append(line.method);
    out.push_back(' ');
    append_uri(out, line.request_uri);
    out.append(" SIP/2.0\r\n");
  } else {
    const StatusLine& line = message.status_line();
    fmt::format_to(std::back_inserter(out), "SIP/2.0 {} {}\r\n", line.status_code,
                   line.reason_phrase);
  }
}

// Writes one header line per element of a list header.
template <typename T, typename AppendElement>
void append_elements(std::string& out, const HeaderField& field, std::span<const T> all,
                     AppendElement&& append_element) {
  for (const T& element : all.subspan(field.first_element, field.element_count)) {
    begin_field(out, field);
    append_element(out, element);
    out.append("\r\n");
  }
}

void append_contact(std::string& out, const Contact& contact) {
  append_name_addr(out, contact.address);
}

void append_media_type(std::string& out, const MediaType& media) {
  out.append(media.type);
  out.push_back('/');
  out.append(media.subtype);
  append_params(out, media.params);
}

void append_cseq(std::string& out, const CSeq& cseq) {
  fmt::format_to(std::back_inserter(out), "{} {}", cseq.number, cseq.method);
}

void append_disposition(std::string& out, const ContentDisposition& disposition) {
  out.append(disposition.disposition_type);
  append_params(out, disposition.params);
}

// Writes the value of a repeated single-value header, a semantic error by
// RFC 4475 §3.3.8. The Message keeps only the first value of such a header,
// so this parses the field's own text again. The parser accepted it before.
void append_repeated_value(std::string& out, const HeaderField& field) {
  const std::string_view v = field.value;
  switch (field.id) {
    case HeaderId::kFrom:
    case HeaderId::kTo:
      if (auto address = parse_from_to(v, 0)) return append_name_addr(out, *address);
      break;
    case HeaderId::kCSeq:
      if (auto cseq = parse_cseq(v, 0)) return append_cseq(out, *cseq);
      break;
    case HeaderId::kMaxForwards:
    case HeaderId::kExpires:
    case HeaderId::kMinExpires:
      if (auto number = parse_unsigned(v, 0, UINT32_MAX, field.name)) {
        fmt::format_to(std::back_inserter(out), "{}", *number);
        return;
      }
      break;
    case HeaderId::kContentType:
      if (auto media = parse_media_type(v, 0)) return append_media_type(out, *media);
      break;
    case HeaderId::kContentDisposition:
      if (auto disposition = parse_content_disposition(v, 0))
        return append_disposition(out, *disposition);
      break;
    default:
      break;
  }
  out.append(collapse_lws(v));
}

// True when `field` is the first field of a known header in `m`.
bool is_first_of_its_header(const Message& m, const HeaderField& field) {
  for (const HeaderField& other : m.headers()) {
    if (other.id == field.id) return &other == &field;
  }
  return false;
}

// Writes the value of a field that is not a list header.
void append_single_value(std::string& out, const Message& m, const HeaderField& field) {
  if (field.id != HeaderId::kUnknown && !is_first_of_its_header(m, field)) {
    append_repeated_value(out, field);
    return;
  }
  switch (field.id) {
    case HeaderId::kFrom:
      append_name_addr(out, *m.from());
      return;
    case HeaderId::kTo:
      append_name_addr(out, *m.to());
      return;
    case HeaderId::kCSeq:
      append_cseq(out, *m.cseq());
      return;
    case HeaderId::kMaxForwards:
      fmt::format_to(std::back_inserter(out), "{}", *m.max_forwards());
      return;
    case HeaderId::kExpires:
      fmt::format_to(std::back_inserter(out), "{}", *m.expires());
      return;
    case HeaderId::kMinExpires:
      fmt::format_to(std::back_inserter(out), "{}", *m.min_expires());
      return;
    case HeaderId::kContentLength:
      fmt::format_to(std::back_inserter(out), "{}", m.body().size());
      return;
    case HeaderId::kContentType:
      append_media_type(out, *m.content_type());
      return;
    case HeaderId::kContentDisposition:
      append_disposition(out, *m.content_disposition());
      return;
    default:
      out.append(collapse_lws(field.value));
      return;
  }
}

void append_field(std::string& out, const Message& m, const HeaderField& field) {
  const auto auth = [](std::string& o, const AuthHeader& h) { append_auth_header(o, h); };
  switch (field.id) {
    case HeaderId::kVia:
      return append_elements(out, field, m.vias(), append_via);
    case HeaderId::kRoute:
      return append_elements(out, field, m.routes(), append_name_addr);
    case HeaderId::kRecordRoute:
      return append_elements(out, field, m.record_routes(), append_name_addr);
    case HeaderId::kContact:
      if (field.element_count == 0) break;  // "*", written as it is
      return append_elements(out, field, m.contacts(), append_contact);
    case HeaderId::kWwwAuthenticate:
      return append_elements(out, field, m.www_authenticate(), auth);
    case HeaderId::kProxyAuthenticate:
      return append_elements(out, field, m.proxy_authenticate(), auth);
    case HeaderId::kAuthorization:
      return append_elements(out, field, m.authorization(), auth);
    case HeaderId::kProxyAuthorization:
      return append_elements(out, field, m.proxy_authorization(), auth);
    case HeaderId::kRequire:
    case HeaderId::kProxyRequire:
    case HeaderId::kSupported:
    case HeaderId::kUnsupported:
    case HeaderId::kAllow:
    case HeaderId::kContentEncoding: {
      const std::span<const std::string_view> all =
          field.id == HeaderId::kRequire        ? m.require()
          : field.id == HeaderId::kProxyRequire ? m.proxy_require()
          : field.id == HeaderId::kSupported    ? m.supported()
          : field.id == HeaderId::kUnsupported  ? m.unsupported()
          : field.id == HeaderId::kAllow        ? m.allow()
                                                : m.content_encoding();
      begin_field(out, field);
      append_list(out, all.subspan(field.first_element, field.element_count));
      end_field(out);
      return;
    }
    default:
      break;
  }
  begin_field(out, field);
  append_single_value(out, m, field);
  end_field(out);
}

}  // namespace

void append_params(std::string& out, const ParamList& params) {
  for (const Param& param : params) {
    if (param.name.empty()) continue;
    out.push_back(';');
    out.append(param.name);
    if (param.has_value) {
      out.push_back('=');
      append_value(out, param.value);
    }
  }
}

void append_via(std::string& out, const Via& via) {
  append_upper(out, via.protocol_name);
  out.push_back('/');
  out.append(via.protocol_version);
  out.push_back('/');
  append_upper(out, via.transport);
  out.push_back(' ');
  append_lower(out, via.host);
  if (via.has_port) fmt::format_to(std::back_inserter(out), ":{}", via.port);
  append_params(out, via.params);
}

void append_name_addr(std::string& out, const NameAddr& address) {
  append_display_name(out, address.display_name);
  out.push_back('<');
  append_uri(out, address.uri);
  out.push_back('>');
  append_params(out, address.params);
}

void append_auth_header(std::string& out, const AuthHeader& header) {
  out.append(header.scheme);
  out.push_back(' ');
  bool first = true;
  for (const Param& param : header.params) {
    if (param.name.empty()) continue;
    if (!first) out.append(", ");
    first = false;
    out.append(param.name);
    out.push_back('=');
    append_value(out, param.value);
  }
}

void append_message(std::string& out, const Message& message) {
  append_start_line(out, message);
  for (const HeaderField& field : message.headers()) append_field(out, message, field);
  if (!message.content_length()) {
    fmt::format_to(std::back_inserter(out), "Content-Length: {}\r\n", message.body().size());
  }
  out.append("\r\n");
  out.append(message.body());
}

std::string serialize(const Message& message) {
  std::string out;
  out.reserve(message.size_bytes() + 64);
  append_message(out, message);
  return out;
}

}  // namespace sippay::sip
