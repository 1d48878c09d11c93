#include "app/message_json.hpp"

#include "sip/serializer.hpp"

namespace sippay::app {
namespace {

using json = nlohmann::ordered_json;

std::string str(std::string_view view) { return std::string(view); }

json params_to_json(const sip::ParamList& params) {
  json out = json::array();
  for (const sip::Param& param : params) {
    if (param.name.empty()) continue;
    json entry = {{"name", str(param.name)}};
    if (param.has_value) entry["value"] = str(param.value);
    out.push_back(std::move(entry));
  }
  return out;
}

const char* scheme_name(sip::UriScheme scheme) {
  switch (scheme) {
    case sip::UriScheme::kSip:
      return "sip";
    case sip::UriScheme::kSips:
      return "sips";
    case sip::UriScheme::kTel:
      return "tel";
    case sip::UriScheme::kOther:
      break;
  }
  return "other";
}

const char* host_type_name(sip::HostType type) {
  switch (type) {
    case sip::HostType::kHostname:
      return "hostname";
    case sip::HostType::kIpv4:
      return "ipv4";
    case sip::HostType::kIpv6:
      return "ipv6";
    case sip::HostType::kNone:
      break;
  }
  return "none";
}

json name_addr_to_json(const sip::NameAddr& address) {
  json out = {{"uri", uri_to_json(address.uri)}, {"params", params_to_json(address.params)}};
  if (!address.display_name.empty()) out["display_name"] = str(address.display_name);
  if (address.has_tag) out["tag"] = str(address.tag);
  return out;
}

json via_to_json(const sip::Via& via) {
  json out = {{"protocol", str(via.protocol_name) + "/" + str(via.protocol_version)},
              {"transport", str(via.transport)},
              {"host", str(via.host)},
              {"host_type", host_type_name(via.host_type)},
              {"params", params_to_json(via.params)}};
  if (via.has_port) out["port"] = via.port;
  if (via.has_branch) out["branch"] = str(via.branch);
  if (!via.received.empty()) out["received"] = str(via.received);
  if (via.has_rport) out["rport"] = via.rport == 0 ? json(true) : json(via.rport);
  if (!via.maddr.empty()) out["maddr"] = str(via.maddr);
  if (via.ttl >= 0) out["ttl"] = via.ttl;
  return out;
}

json contact_to_json(const sip::Contact& contact) {
  json out = name_addr_to_json(contact.address);
  if (contact.expires) out["expires"] = *contact.expires;
  if (contact.q_thousandths >= 0) out["q"] = contact.q_thousandths / 1000.0;
  return out;
}

json auth_to_json(const sip::AuthHeader& header) {
  json params = json::object();
  for (const sip::Param& param : header.params) {
    if (!param.name.empty()) params[str(param.name)] = str(param.value);
  }
  return {{"scheme", str(header.scheme)}, {"params", std::move(params)}};
}

template <typename T, typename ToJson>
json elements(std::span<const T> all, const sip::HeaderField& field, ToJson&& to_json) {
  json out = json::array();
  for (const T& element : all.subspan(field.first_element, field.element_count)) {
    out.push_back(to_json(element));
  }
  return out;
}

json tokens(std::span<const std::string_view> all, const sip::HeaderField& field) {
  return elements(all, field, [](std::string_view token) { return str(token); });
}

json media_type_to_json(const sip::MediaType& media) {
  return {{"type", str(media.type)}, {"subtype", str(media.subtype)}, {"params", params_to_json(media.params)}};
}

// The parsed fields of one header; null for headers kept as text.
json parsed_fields(const sip::Message& m, const sip::HeaderField& field) {
  using sip::HeaderId;
  switch (field.id) {
    case HeaderId::kVia:
      return elements(m.vias(), field, via_to_json);
    case HeaderId::kFrom:
      return name_addr_to_json(*m.from());
    case HeaderId::kTo:
      return name_addr_to_json(*m.to());
    case HeaderId::kCallId:
      return str(m.call_id());
    case HeaderId::kCSeq:
      return {{"number", m.cseq()->number}, {"method", str(m.cseq()->method)}};
    case HeaderId::kMaxForwards:
      return *m.max_forwards();
    case HeaderId::kExpires:
      return *m.expires();
    case HeaderId::kMinExpires:
      return *m.min_expires();
    case HeaderId::kContentLength:
      return *m.content_length();
    case HeaderId::kContact:
      if (m.contact_is_star()) return "*";
      return elements(m.contacts(), field, contact_to_json);
    case HeaderId::kRoute:
      return elements(m.routes(), field, name_addr_to_json);
    case HeaderId::kRecordRoute:
      return elements(m.record_routes(), field, name_addr_to_json);
    case HeaderId::kContentType:
      return media_type_to_json(*m.content_type());
    case HeaderId::kContentDisposition: {
      const sip::ContentDisposition& d = *m.content_disposition();
      json out = {{"type", str(d.disposition_type)}, {"params", params_to_json(d.params)}};
      if (!d.handling.empty()) out["handling"] = str(d.handling);
      return out;
    }
    case HeaderId::kRequire:
      return tokens(m.require(), field);
    case HeaderId::kProxyRequire:
      return tokens(m.proxy_require(), field);
    case HeaderId::kSupported:
      return tokens(m.supported(), field);
    case HeaderId::kUnsupported:
      return tokens(m.unsupported(), field);
    case HeaderId::kAllow:
      return tokens(m.allow(), field);
    case HeaderId::kContentEncoding:
      return tokens(m.content_encoding(), field);
    case HeaderId::kWwwAuthenticate:
      return elements(m.www_authenticate(), field, auth_to_json);
    case HeaderId::kProxyAuthenticate:
      return elements(m.proxy_authenticate(), field, auth_to_json);
    case HeaderId::kAuthorization:
      return elements(m.authorization(), field, auth_to_json);
    case HeaderId::kProxyAuthorization:
      return elements(m.proxy_authorization(), field, auth_to_json);
    case HeaderId::kAuthenticationInfo:
      return params_to_json(m.authentication_info()->params);
    case HeaderId::kDate:
      return {{"unix_seconds", m.date()->unix_seconds}};
    default:
      return nullptr;
  }
}

}  // namespace

json uri_to_json(const sip::Uri& uri) {
  json out = {{"text", str(uri.text)}, {"scheme", scheme_name(uri.scheme)}};
  if (uri.scheme == sip::UriScheme::kOther) {
    out["scheme_text"] = str(uri.scheme_text);
    out["opaque"] = str(uri.opaque);
    return out;
  }
  if (uri.has_user) out["user"] = str(uri.user);
  if (uri.has_password) out["password"] = str(uri.password);
  if (uri.is_sip_or_sips()) {
    out["host"] = str(uri.host);
    out["host_type"] = host_type_name(uri.host_type);
    if (uri.has_port) out["port"] = uri.port;
    out["headers"] = params_to_json(uri.headers);
  }
  out["params"] = params_to_json(uri.params);
  return out;
}

json message_to_json(const sip::Message& message) {
  json out;
  if (message.is_request()) {
    const sip::RequestLine& line = message.request_line();
    out["type"] = "request";
    out["start_line"] = {{"method", str(line.method)},
                         {"request_uri", uri_to_json(line.request_uri)},
                         {"version", str(line.version)}};
  } else {
    const sip::StatusLine& line = message.status_line();
    out["type"] = "response";
    out["start_line"] = {{"version", str(line.version)},
                         {"status_code", line.status_code},
                         {"reason_phrase", str(line.reason_phrase)}};
  }
  json headers = json::array();
  for (const sip::HeaderField& field : message.headers()) {
    json entry = {{"name", str(field.name)}, {"value", str(field.value)}};
    if (field.id != sip::HeaderId::kUnknown) {
      entry["canonical_name"] = str(sip::canonical_name(field.id));
      json parsed = parsed_fields(message, field);
      if (!parsed.is_null()) entry["parsed"] = std::move(parsed);
    }
    headers.push_back(std::move(entry));
  }
  out["headers"] = std::move(headers);
  out["body_length"] = message.body().size();
  return out;
}

}  // namespace sippay::app
