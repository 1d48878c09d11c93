#include "sip/ua/request_builder.hpp"

#include <fmt/format.h>

#include "sip/auth/digest.hpp"
#include "sip/ua/identifiers.hpp"

namespace sippay::sip {
namespace {

std::string host_port(const TransportAddress& address) {
  if (address.address.is_v6()) return fmt::format("[{}]:{}", address.address.to_string(), address.port);
  return fmt::format("{}:{}", address.address.to_string(), address.port);
}

template <typename... Args>
void append_line(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
  out.append("\r\n");
}

}  // namespace

BuiltRequest build_request(const RequestSpec& spec, TransportProtocol via_protocol,
                           const TransportAddress& sent_by) {
  BuiltRequest built;
  built.branch = new_branch();
  std::string& out = built.bytes;
  out.reserve(512 + spec.body.size());

  append_line(out, "{} {} SIP/2.0", spec.method, spec.request_uri);
  append_line(out, "Via: SIP/2.0/{} {};branch={};rport", to_via_token(via_protocol), host_port(sent_by),
       built.branch);
  append_line(out, "Max-Forwards: 70");
  for (const std::string& route : spec.route) append_line(out, "Route: <{}>", route);
  if (spec.from_display_name.empty()) {
    append_line(out, "From: <{}>;tag={}", spec.from_uri, spec.from_tag);
  } else {
    append_line(out, "From: {} <{}>;tag={}", quote(spec.from_display_name), spec.from_uri, spec.from_tag);
  }
  append_line(out, "To: <{}>", spec.to_uri);
  append_line(out, "Call-ID: {}", spec.call_id);
  append_line(out, "CSeq: {} {}", spec.cseq, spec.method);
  if (!spec.contact_uri.empty()) append_line(out, "Contact: <{}>", spec.contact_uri);
  if (spec.expires) append_line(out, "Expires: {}", *spec.expires);
  if (!spec.user_agent.empty()) append_line(out, "User-Agent: {}", spec.user_agent);
  out.append(spec.extra_headers);
  if (!spec.body.empty()) append_line(out, "Content-Type: {}", spec.content_type);
  append_line(out, "Content-Length: {}", spec.body.size());
  out.append("\r\n");
  out.append(spec.body);
  return built;
}

}  // namespace sippay::sip
