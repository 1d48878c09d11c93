// The header values a proxy reads from each request it routes, as each
// library hands them out, and their conversion to one comparable form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sippay::bench {

// `Text` is std::string_view for sippay and `const char*` (NUL-terminated,
// null when absent) for libosip2 and sofia-sip, so no reader pays for a
// strlen that its library's users would not call. Numbers are converted by
// each reader, because a proxy needs Max-Forwards, the CSeq number, ports and
// Content-Length as numbers. Quoted values (the Digest parameters) keep their
// quotes, as all three libraries return them.
template <typename Text>
struct ProxyFields {
  Text via_branch{};
  Text via_host{};
  std::uint32_t via_port = 0;
  Text via_received{};
  std::uint32_t via_rport = 0;

  std::uint32_t max_forwards = 0;

  Text request_uri_user{};
  Text request_uri_host{};
  std::uint32_t request_uri_port = 0;

  Text from_user{};
  Text from_host{};
  Text from_tag{};
  Text to_user{};
  Text to_host{};
  Text to_tag{};

  // libosip2 splits the Call-ID at '@' into these two parts. The others
  // leave call_id_host empty.
  Text call_id{};
  Text call_id_host{};

  std::uint32_t cseq_number = 0;
  Text cseq_method{};

  Text route_host{};
  bool route_lr = false;

  Text contact_user{};
  Text contact_host{};
  std::uint32_t contact_port = 0;

  Text content_type{};
  Text content_subtype{};
  std::uint32_t content_length = 0;

  Text auth_username{};
  Text auth_realm{};
  Text auth_nonce{};
  Text auth_response{};

  const char* body = nullptr;
  std::size_t body_size = 0;
};

// Field name and value, in the order of ProxyFields.
using NamedValues = std::vector<std::pair<std::string, std::string>>;

namespace detail {

inline std::string to_text(std::string_view text) { return std::string(text); }
inline std::string to_text(const char* text) { return text == nullptr ? std::string() : text; }

// The media type without the subtype: sofia-sip's c_type is "type/subtype".
inline std::string media_type_only(std::string type) { return type.substr(0, type.find('/')); }

}  // namespace detail

// Converts the fields to strings, joining libosip2's split Call-ID and
// cutting sofia-sip's "type/subtype" to the type, so the readers of
// different libraries can be compared.
template <typename Text>
NamedValues normalize(const ProxyFields<Text>& f) {
  using detail::to_text;
  std::string call_id = to_text(f.call_id);
  const std::string call_id_host = to_text(f.call_id_host);
  if (!call_id_host.empty()) call_id += "@" + call_id_host;

  return {
      {"Via branch", to_text(f.via_branch)},
      {"Via host", to_text(f.via_host)},
      {"Via port", std::to_string(f.via_port)},
      {"Via received", to_text(f.via_received)},
      {"Via rport", std::to_string(f.via_rport)},
      {"Max-Forwards", std::to_string(f.max_forwards)},
      {"Request-URI user", to_text(f.request_uri_user)},
      {"Request-URI host", to_text(f.request_uri_host)},
      {"Request-URI port", std::to_string(f.request_uri_port)},
      {"From user", to_text(f.from_user)},
      {"From host", to_text(f.from_host)},
      {"From tag", to_text(f.from_tag)},
      {"To user", to_text(f.to_user)},
      {"To host", to_text(f.to_host)},
      {"To tag", to_text(f.to_tag)},
      {"Call-ID", call_id},
      {"CSeq number", std::to_string(f.cseq_number)},
      {"CSeq method", to_text(f.cseq_method)},
      {"Route host", to_text(f.route_host)},
      {"Route lr", f.route_lr ? "yes" : "no"},
      {"Contact user", to_text(f.contact_user)},
      {"Contact host", to_text(f.contact_host)},
      {"Contact port", std::to_string(f.contact_port)},
      {"Content-Type type", detail::media_type_only(to_text(f.content_type))},
      {"Content-Type subtype", to_text(f.content_subtype)},
      {"Content-Length", std::to_string(f.content_length)},
      {"Proxy-Authorization username", to_text(f.auth_username)},
      {"Proxy-Authorization realm", to_text(f.auth_realm)},
      {"Proxy-Authorization nonce", to_text(f.auth_nonce)},
      {"Proxy-Authorization response", to_text(f.auth_response)},
      {"body", f.body == nullptr ? std::string() : std::string(f.body, f.body_size)},
  };
}

}  // namespace sippay::bench
