#include "proxy/message_relay.hpp"

#include <fmt/format.h>

namespace sippay::proxy {
namespace {

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

// Writes the elements of `field` except those whose index is below `first_kept`,
// as one header field; nothing when none is left.
template <typename Element>
void append_list_field_from(std::string& out, const sip::HeaderField& field,
                            std::span<const Element> elements, std::size_t first_kept) {
  const std::size_t end = field.first_element + field.element_count;
  const std::size_t begin = std::max<std::size_t>(field.first_element, first_kept);
  if (begin >= end) return;
  if (begin == field.first_element) {
    append_field(out, field.name, field.value);
    return;
  }
  out.append(field.name);
  out.append(": ");
  for (std::size_t i = begin; i < end; ++i) {
    if (i != begin) out.append(", ");
    out.append(elements[i].text);
  }
  out.append("\r\n");
}

void append_body(std::string& out, std::string_view body) {
  fmt::format_to(std::back_inserter(out), "Content-Length: {}\r\n\r\n", body.size());
  out.append(body);
}

void mix(std::uint64_t& hash, std::string_view text) {
  constexpr std::uint64_t kPrime = 0x100000001b3ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= kPrime;
  }
  // A separator, so that moving bytes between fields changes the hash.
  hash ^= 0xff;
  hash *= kPrime;
}

}  // namespace

std::string build_forwarded_request(const sip::Message& request, const ForwardSpec& spec) {
  std::string out;
  out.reserve(request.size_bytes() + spec.via.size() + spec.request_uri.size() + 64);
  out.append(request.method());
  out.push_back(' ');
  out.append(spec.request_uri);
  out.append(" SIP/2.0\r\n");
  append_field(out, "Via", spec.via);

  bool wrote_max_forwards = false;
  for (const sip::HeaderField& field : request.headers()) {
    switch (field.id) {
      case sip::HeaderId::kMaxForwards:
        if (!wrote_max_forwards) {
          fmt::format_to(std::back_inserter(out), "Max-Forwards: {}\r\n", *request.max_forwards() - 1);
          wrote_max_forwards = true;
        }
        break;
      case sip::HeaderId::kRoute:
        append_list_field_from(out, field, request.routes(), spec.routes_to_remove);
        break;
      case sip::HeaderId::kProxyAuthorization: {
        const bool consumed = spec.consumed_proxy_authorization &&
                              field.element_count == 1 &&
                              field.first_element == *spec.consumed_proxy_authorization;
        if (!consumed) append_field(out, field.name, field.value);
        break;
      }
      case sip::HeaderId::kContentLength:
        break;
      default:
        append_field(out, field.name, field.value);
    }
  }
  if (!wrote_max_forwards) out.append("Max-Forwards: 70\r\n");
  append_body(out, request.body());
  return out;
}

std::string build_relayed_response(const sip::Message& response) {
  std::string out;
  out.reserve(response.size_bytes());
  fmt::format_to(std::back_inserter(out), "SIP/2.0 {} {}\r\n", response.status_code(),
                 response.status_line().reason_phrase);
  for (const sip::HeaderField& field : response.headers()) {
    switch (field.id) {
      case sip::HeaderId::kVia:
        append_list_field_from(out, field, response.vias(), 1);
        break;
      case sip::HeaderId::kContentLength:
        break;
      default:
        append_field(out, field.name, field.value);
    }
  }
  append_body(out, response.body());
  return out;
}

std::uint64_t loop_detection_hash(const sip::Message& request) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a offset basis
  mix(hash, request.request_line().request_uri.text);
  mix(hash, request.from() != nullptr ? request.from()->tag : std::string_view());
  mix(hash, request.to() != nullptr ? request.to()->tag : std::string_view());
  mix(hash, request.call_id());
  mix(hash, request.cseq() != nullptr ? fmt::format("{}", request.cseq()->number) : std::string());
  for (const sip::HeaderField& field : request.headers()) {
    if (field.id == sip::HeaderId::kRoute || field.id == sip::HeaderId::kProxyRequire ||
        field.id == sip::HeaderId::kProxyAuthorization) {
      mix(hash, field.value);
    }
  }
  return hash;
}

std::string make_branch(std::string_view instance, std::uint64_t sequence, std::uint64_t loop_hash) {
  return fmt::format("z9hG4bK{}{:x}.{:016x}", instance, sequence, loop_hash);
}

bool branch_has_loop_hash(std::string_view branch, std::uint64_t loop_hash) {
  const std::size_t dot = branch.rfind('.');
  if (dot == std::string_view::npos) return false;
  return branch.substr(dot + 1) == fmt::format("{:016x}", loop_hash);
}

}  // namespace sippay::proxy
