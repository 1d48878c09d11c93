#include "fuzz_support.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>

#include "sip/charset.hpp"
#include "sip/header_name.hpp"
#include "sip/scanner.hpp"
#include "sip/serializer.hpp"

// The root CMakeLists.txt builds with -fsanitize=undefined but without
// -fno-sanitize-recover, so a UBSan report would only print and the run would
// go on. Halting makes libFuzzer save the input like any other crash.
extern "C" const char* __ubsan_default_options() {  // NOLINT(bugprone-reserved-identifier)
  return "halt_on_error=1:print_stacktrace=1";
}

namespace sippay::fuzz {
namespace {

volatile std::uint64_t g_sink = 0;

// Parameters per list that Visitor::params looks up with ParamList::find.
constexpr std::size_t kMaxFindChecks = 32;

// Views are compared as addresses because they may point into different objects.
bool inside(std::string_view outer, std::string_view inner) {
  const auto outer_begin = reinterpret_cast<std::uintptr_t>(outer.data());
  const auto inner_begin = reinterpret_cast<std::uintptr_t>(inner.data());
  return inner_begin >= outer_begin && inner_begin + inner.size() <= outer_begin + outer.size();
}

// True when `list` has a parameter named `name` whose value is `value`. A
// typed field the parser picked out of a list must be one of its values, which
// checks that the parser and the ParamList iterator split the list alike.
bool has_param_value(const sip::ParamList& list, std::string_view name, std::string_view value) {
  for (const sip::Param& param : list) {
    if (sip::charset::iequals(param.name, name) && param.value == value) return true;
  }
  return false;
}

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

// The number of elements in the typed list that backs a list header, or
// nullopt for a header that is not a list.
std::optional<std::size_t> list_size(const sip::Message& m, sip::HeaderId id) {
  using sip::HeaderId;
  switch (id) {
    case HeaderId::kVia:
      return m.vias().size();
    case HeaderId::kRoute:
      return m.routes().size();
    case HeaderId::kRecordRoute:
      return m.record_routes().size();
    case HeaderId::kContact:
      return m.contacts().size();
    case HeaderId::kRequire:
      return m.require().size();
    case HeaderId::kProxyRequire:
      return m.proxy_require().size();
    case HeaderId::kSupported:
      return m.supported().size();
    case HeaderId::kUnsupported:
      return m.unsupported().size();
    case HeaderId::kAllow:
      return m.allow().size();
    case HeaderId::kContentEncoding:
      return m.content_encoding().size();
    case HeaderId::kWwwAuthenticate:
      return m.www_authenticate().size();
    case HeaderId::kProxyAuthenticate:
      return m.proxy_authenticate().size();
    case HeaderId::kAuthorization:
      return m.authorization().size();
    case HeaderId::kProxyAuthorization:
      return m.proxy_authorization().size();
    default:
      return std::nullopt;
  }
}

// Describes the kind of message and its counts of typed elements, which must be
// equal for a message and its reparsed canonical form.
std::string describe_shape(const sip::Message& m) {
  std::string shape = m.is_request() ? "request " + std::string(m.method())
                                     : "response " + std::to_string(m.status_code());
  const std::size_t counts[] = {
      m.vias().size(),
      m.routes().size(),
      m.record_routes().size(),
      m.contacts().size(),
      m.require().size(),
      m.proxy_require().size(),
      m.supported().size(),
      m.unsupported().size(),
      m.allow().size(),
      m.content_encoding().size(),
      m.www_authenticate().size(),
      m.proxy_authenticate().size(),
      m.authorization().size(),
      m.proxy_authorization().size(),
  };
  shape += " lists";
  for (std::size_t count : counts) shape += " " + std::to_string(count);
  shape += m.contact_is_star() ? " star" : "";
  shape += m.semantic_error() != nullptr ? " semantic-error" : "";
  shape +=
      " from=" + std::to_string(m.from() != nullptr) + " to=" + std::to_string(m.to() != nullptr);
  shape += " cseq=" + (m.cseq() != nullptr ? std::to_string(m.cseq()->number) : std::string("-"));
  shape += " call-id=" + std::string(m.call_id());
  shape += " body=" + std::to_string(m.body().size());
  return shape;
}

}  // namespace

void fail(std::string_view reason, std::string_view detail) {
  std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(reason.size()), reason.data());
  if (!detail.empty()) {
    const std::size_t shown_bytes = std::min<std::size_t>(detail.size(), 4096);
    std::fprintf(stderr, "---\n%.*s\n---\n", static_cast<int>(shown_bytes), detail.data());
  }
  std::abort();
}

sip::ParseLimits unlimited() {
  sip::ParseLimits limits;
  limits.max_message_bytes = std::numeric_limits<std::size_t>::max() / 2;
  limits.max_header_count = std::numeric_limits<std::size_t>::max() / 2;
  limits.max_header_line_bytes = std::numeric_limits<std::size_t>::max() / 2;
  return limits;
}

void check_error(const sip::ParseError& error, std::size_t input_size, std::size_t base) {
  if (error.reason.empty()) fail("ParseError without a reason");
  if (error.offset < base || error.offset > base + input_size) {
    fail("ParseError offset outside the input", error.to_string() + " (input of " +
                                                    std::to_string(input_size) + " bytes at base " +
                                                    std::to_string(base) + ")");
  }
  if (error.status_code != 400 && error.status_code != 505 && error.status_code != 513) {
    fail("ParseError with an undocumented status code", error.to_string());
  }
  if (has_line_break(error.to_string()))
    fail("ParseError::to_string() contains CR or LF", error.to_string());
}

void consume(std::uint64_t value) { g_sink = g_sink + value; }

void Visitor::view(std::string_view text) {
  if (text.empty()) return;
  if (!inside(input_, text)) fail("a parsed view points outside the parsed input", text);
  for (char c : text) checksum_ += static_cast<unsigned char>(c);
}

void Visitor::params(const sip::ParamList& list) {
  view(list.raw());
  std::size_t count = 0;
  for (const sip::Param& param : list) {
    if (++count > list.raw().size() + 1) fail("ParamList iteration does not advance", list.raw());
    view(param.name);
    view(param.value);
    if (param.name.empty()) fail("ParamList yields a parameter without a name", list.raw());
    if (!param.has_value && !param.value.empty())
      fail("parameter without value has a value", list.raw());
    if (!inside(list.raw(), param.name) ||
        (!param.value.empty() && !inside(list.raw(), param.value))) {
      fail("parameter outside its ParamList", list.raw());
    }
    // find() is linear, and calling it for every parameter of a long list would
    // make each input quadratic. The first kMaxFindChecks parameters cover its code.
    if (count <= kMaxFindChecks) {
      const auto found = list.find(param.name);
      if (!found) fail("ParamList::find misses a parameter that iteration yields", list.raw());
      checksum_ += found->value.size();
    }
    if (list.style() == sip::ParamList::Style::kUri ||
        list.style() == sip::ParamList::Style::kUriHeaders) {
      checksum_ += sip::unescape(param.name).size() + sip::unescape(param.value).size();
    } else {
      checksum_ += sip::unquote(param.value).size();
    }
  }
  if (count != list.size()) fail("ParamList::size differs from the iteration count", list.raw());
  if (list.empty() != (count == 0))
    fail("ParamList::empty differs from the iteration count", list.raw());
}

void Visitor::uri(const sip::Uri& uri) {
  view(uri.scheme_text);
  view(uri.text);
  view(uri.user);
  view(uri.password);
  view(uri.host);
  view(uri.opaque);
  params(uri.params);
  params(uri.headers);
  if (!uri.has_user && !uri.user.empty()) fail("Uri user set without has_user", uri.text);
  if (!uri.has_password && !uri.password.empty())
    fail("Uri password set without has_password", uri.text);
  if (!uri.has_port && uri.port != 0) fail("Uri port set without has_port", uri.text);
  if (uri.is_sip_or_sips() && uri.host.empty()) fail("SIP URI without a host", uri.text);
  checksum_ += sip::unescape(uri.user).size() + sip::unescape(uri.password).size();
  if (!sip::uri_equivalent(uri, uri)) fail("uri_equivalent(u, u) is false", uri.text);
  checksum_ += sip::to_string(uri).size();
}

void Visitor::via(const sip::Via& via) {
  view(via.protocol_name);
  view(via.protocol_version);
  view(via.transport);
  view(via.host);
  view(via.branch);
  view(via.received);
  view(via.maddr);
  view(via.text);
  params(via.params);
  if (via.host.empty()) fail("Via without a sent-by host", via.text);
  if (via.has_branch != via.params.contains("branch"))
    fail("Via has_branch disagrees with params", via.text);
  if (via.has_rport != via.params.contains("rport"))
    fail("Via has_rport disagrees with params", via.text);
  if (via.has_branch && !has_param_value(via.params, "branch", via.branch))
    fail("Via branch is not in params", via.text);
  if (!via.received.empty() && !has_param_value(via.params, "received", via.received)) {
    fail("Via received is not in params", via.text);
  }
  if (!via.maddr.empty() && !has_param_value(via.params, "maddr", via.maddr))
    fail("Via maddr is not in params", via.text);
  checksum_ += via.port + via.rport + static_cast<std::uint64_t>(via.ttl + 1);
}

void Visitor::name_addr(const sip::NameAddr& address) {
  view(address.display_name);
  uri(address.uri);
  params(address.params);
  view(address.tag);
  view(address.text);
  if (address.has_tag != address.params.contains("tag"))
    fail("NameAddr has_tag disagrees with params", address.text);
  if (address.has_tag && !has_param_value(address.params, "tag", address.tag))
    fail("NameAddr tag is not in params", address.text);
  if (!address.display_name.empty() && address.display_name.front() == '"') {
    checksum_ += sip::unquote(address.display_name).size();
  }
}

void Visitor::contact(const sip::Contact& contact) {
  name_addr(contact.address);
  if (contact.q_thousandths < -1 || contact.q_thousandths > 1000)
    fail("Contact q outside 0..1", contact.address.text);
  checksum_ += contact.expires.value_or(0);
}

void Visitor::auth(const sip::AuthHeader& header) {
  view(header.scheme);
  if (header.scheme.empty()) fail("auth header without a scheme");
  params(header.params);
  const std::pair<std::string_view, std::string_view> picked[] = {
      {"realm", header.realm},         {"nonce", header.nonce},       {"opaque", header.opaque},
      {"algorithm", header.algorithm}, {"qop", header.qop},           {"stale", header.stale},
      {"domain", header.domain},       {"username", header.username}, {"uri", header.uri},
      {"response", header.response},   {"cnonce", header.cnonce},     {"nc", header.nonce_count},
  };
  for (const auto& [name, value] : picked) {
    view(value);
    checksum_ += sip::unquote(value).size();
    if (!value.empty() && !has_param_value(header.params, name, value)) {
      fail("auth header field is not in params: " + std::string(name), header.params.raw());
    }
  }
}

void Visitor::authentication_info(const sip::AuthenticationInfo& info) {
  params(info.params);
  const std::pair<std::string_view, std::string_view> picked[] = {
      {"nextnonce", info.next_nonce}, {"qop", info.qop},        {"rspauth", info.response_auth},
      {"cnonce", info.cnonce},        {"nc", info.nonce_count},
  };
  for (const auto& [name, value] : picked) {
    view(value);
    if (!value.empty() && !has_param_value(info.params, name, value)) {
      fail("Authentication-Info field is not in params: " + std::string(name), info.params.raw());
    }
  }
}

void Visitor::media_type(const sip::MediaType& media) {
  view(media.type);
  view(media.subtype);
  params(media.params);
  if (media.type.empty() || media.subtype.empty()) fail("media type with an empty type or subtype");
}

void Visitor::content_disposition(const sip::ContentDisposition& disposition) {
  view(disposition.disposition_type);
  view(disposition.handling);
  params(disposition.params);
  if (!disposition.handling.empty() &&
      !has_param_value(disposition.params, "handling", disposition.handling)) {
    fail("Content-Disposition handling is not in params", disposition.params.raw());
  }
}

void Visitor::date(const sip::SipDate& date) {
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31 || date.hour < 0 ||
      date.hour > 23 || date.minute < 0 || date.minute > 59 || date.second < 0 ||
      date.second > 60) {
    fail("SipDate field out of range");
  }
  checksum_ += static_cast<std::uint64_t>(date.unix_seconds);
}

void Visitor::header_field(const sip::Message& message, const sip::HeaderField& field) {
  view(field.name);
  view(field.value);
  if (field.name.empty()) fail("header field without a name");
  if (field.offset >= input_.size() ||
      input_.substr(field.offset, field.name.size()) != field.name) {
    fail("HeaderField offset does not point at its name", field.name);
  }
  if (field.id != sip::lookup_header(field.name))
    fail("HeaderField id differs from lookup_header", field.name);

  const auto elements = list_size(message, field.id);
  if (elements) {
    if (std::size_t{field.first_element} + field.element_count > *elements) {
      fail("HeaderField elements lie beyond the typed list", field.name);
    }
  } else if (field.first_element != 0 || field.element_count != 0) {
    fail("a header that is not a list has elements", field.name);
  }

  const sip::HeaderField* found = message.find_header(field.name);
  if (found == nullptr) fail("find_header misses a header of the message", field.name);
  if (found->id != field.id) fail("find_header returns a header of another id", field.name);
  if (found->offset > field.offset)
    fail("find_header returns a later header than the first", field.name);
}

void Visitor::message(const sip::Message& m) {
  if (m.is_request()) {
    const sip::RequestLine& line = m.request_line();
    view(line.method);
    view(line.version);
    uri(line.request_uri);
    if (!line.request_uri.headers.empty()) fail("Request-URI with headers");
    if (m.method().empty()) fail("request without a method");
  } else {
    const sip::StatusLine& line = m.status_line();
    view(line.version);
    view(line.reason_phrase);
    if (line.status_code < 100 || line.status_code > 699) fail("status code outside 100..699");
  }

  for (const sip::HeaderField& field : m.headers()) header_field(m, field);
  for (const sip::Via& element : m.vias()) via(element);
  for (const sip::NameAddr& element : m.routes()) name_addr(element);
  for (const sip::NameAddr& element : m.record_routes()) name_addr(element);
  for (const sip::Contact& element : m.contacts()) contact(element);
  if (m.contact_is_star() && !m.contacts().empty()) fail("Contact is '*' and has addresses too");
  for (auto list : {m.require(), m.proxy_require(), m.supported(), m.unsupported(), m.allow(),
                    m.content_encoding()}) {
    for (std::string_view token : list) {
      if (token.empty()) fail("empty token in a token list header");
      view(token);
    }
  }
  for (auto list :
       {m.www_authenticate(), m.proxy_authenticate(), m.authorization(), m.proxy_authorization()}) {
    for (const sip::AuthHeader& header : list) auth(header);
  }

  if (m.from() != nullptr) name_addr(*m.from());
  if (m.to() != nullptr) name_addr(*m.to());
  view(m.call_id());
  if (m.cseq() != nullptr) {
    view(m.cseq()->method);
    if (m.cseq()->number >= (1U << 31)) fail("CSeq number of 2**31 or more");
  }
  checksum_ += m.max_forwards().value_or(0) + m.expires().value_or(0) + m.min_expires().value_or(0);
  if (m.max_forwards() && *m.max_forwards() > 255) fail("Max-Forwards above 255");
  if (m.content_type() != nullptr) media_type(*m.content_type());
  if (m.content_disposition() != nullptr) content_disposition(*m.content_disposition());
  if (m.authentication_info() != nullptr) authentication_info(*m.authentication_info());
  if (m.date() != nullptr) date(*m.date());
  view(m.user_agent());
  view(m.server());
  view(m.body());
  if (m.content_length() && *m.content_length() != m.body().size())
    fail("body size differs from Content-Length");
  if (m.size_bytes() > input_.size()) fail("Message::size_bytes exceeds the input");
  if (!m.body().empty() && m.body().data() + m.body().size() != input_.data() + m.size_bytes()) {
    fail("the body does not end at size_bytes");
  }
  if (m.semantic_error() != nullptr) check_error(*m.semantic_error(), input_.size());
}

std::string check_round_trip(const sip::Message& message) {
  std::string first = sip::serialize(message);
  auto reparsed = sip::parse_message(first, unlimited(), sip::Framing::kStream);
  if (!reparsed) fail("serialized message does not parse: " + reparsed.error().to_string(), first);

  Visitor visitor(first);
  visitor.message(*reparsed);
  consume(visitor.checksum());
  if (reparsed->size_bytes() != first.size())
    fail("serialized message has bytes after its body", first);

  const std::string second = sip::serialize(*reparsed);
  if (second != first)
    fail("serializing the reparsed message gives other bytes", first + "\n---\n" + second);

  const std::string shape = describe_shape(message);
  const std::string reparsed_shape = describe_shape(*reparsed);
  if (shape != reparsed_shape)
    fail("reparsed message differs: " + shape + " / " + reparsed_shape, first);
  if (reparsed->body() != message.body()) fail("reparsed message has another body", first);
  return first;
}

}  // namespace sippay::fuzz
