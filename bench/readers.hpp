// Parses a message with sippay, libosip2 or sofia-sip and reads the headers a
// proxy reads, through each library's public API, the way a user of that
// library calls it.
//
// Each parse function hands the values to `visit` before it frees the parsed
// message, because the C libraries' strings live in their message objects.
// It returns false when the library rejects the message or a header a proxy
// needs is missing.
#pragma once

#include <osipparser2/osip_parser.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/url.h>

#include <cstdlib>
#include <string_view>

#include "proxy_fields.hpp"
#include "sip/message.hpp"

namespace sippay::bench {

using SippayFields = ProxyFields<std::string_view>;
using CFields = ProxyFields<const char*>;

// Reads the fields from a message that sippay parsed. All values view the
// parsed bytes, so they stay valid after `message` is cleared or destroyed.
inline bool read_sippay_fields(const sip::Message& message, SippayFields& f) {
  // A message that parsed has Via, From, To, Call-ID and CSeq unless it
  // carries a semantic error, which a proxy rejects with 400.
  if (!message.is_request() || message.semantic_error() != nullptr) return false;

  const sip::Via& via = message.vias().front();
  f.via_branch = via.branch;
  f.via_host = via.host;
  f.via_port = via.port;
  f.via_received = via.received;
  f.via_rport = via.rport;

  f.max_forwards = message.max_forwards().value_or(70);

  const sip::Uri& request_uri = message.request_line().request_uri;
  f.request_uri_user = request_uri.user;
  f.request_uri_host = request_uri.host;
  f.request_uri_port = request_uri.port;

  const sip::NameAddr& from = *message.from();
  f.from_user = from.uri.user;
  f.from_host = from.uri.host;
  f.from_tag = from.tag;
  const sip::NameAddr& to = *message.to();
  f.to_user = to.uri.user;
  f.to_host = to.uri.host;
  f.to_tag = to.tag;

  f.call_id = message.call_id();
  f.cseq_number = message.cseq()->number;
  f.cseq_method = message.cseq()->method;

  if (!message.routes().empty()) {
    const sip::Uri& route = message.routes().front().uri;
    f.route_host = route.host;
    f.route_lr = route.params.contains("lr");
  }
  if (!message.contacts().empty()) {
    const sip::Uri& contact = message.contacts().front().address.uri;
    f.contact_user = contact.user;
    f.contact_host = contact.host;
    f.contact_port = contact.port;
  }
  if (const sip::MediaType* type = message.content_type()) {
    f.content_type = type->type;
    f.content_subtype = type->subtype;
  }
  f.content_length = static_cast<std::uint32_t>(message.content_length().value_or(0));
  if (!message.proxy_authorization().empty()) {
    const sip::AuthHeader& auth = message.proxy_authorization().front();
    f.auth_username = auth.username;
    f.auth_realm = auth.realm;
    f.auth_nonce = auth.nonce;
    f.auth_response = auth.response;
  }

  f.body = message.body().data();
  f.body_size = message.body().size();
  return true;
}

// The receive-loop path: parses into a Message that the caller reuses, so
// the Message's vectors keep their capacity and the parse does not allocate.
template <typename Visit>
bool parse_sippay_reused(std::string_view bytes, sip::Message& message, Visit&& visit) {
  if (sip::parse_message_into(bytes, message)) return false;
  SippayFields fields;
  if (!read_sippay_fields(message, fields)) return false;
  visit(fields);
  return true;
}

// Parses into a new Message, which allocates its vectors, and destroys it.
template <typename Visit>
bool parse_sippay_fresh(std::string_view bytes, Visit&& visit) {
  auto message = sip::parse_message(bytes);
  if (!message) return false;
  SippayFields fields;
  if (!read_sippay_fields(*message, fields)) return false;
  visit(fields);
  return true;
}

namespace detail {

inline std::uint32_t to_number(const char* text) {
  return text == nullptr ? 0 : static_cast<std::uint32_t>(std::strtoul(text, nullptr, 10));
}

// The value of a parameter in an osip parameter list, or null. The osip
// lookup takes a `char*` name but does not modify it.
inline const char* osip_param_value(osip_list_t* params, const char* name) {
  osip_uri_param_t* param = nullptr;
  if (osip_uri_param_get_byname(params, const_cast<char*>(name), &param) != OSIP_SUCCESS ||
      param == nullptr) {
    return nullptr;
  }
  return param->gvalue;
}

inline bool osip_has_param(osip_list_t* params, const char* name) {
  osip_uri_param_t* param = nullptr;
  return osip_uri_param_get_byname(params, const_cast<char*>(name), &param) == OSIP_SUCCESS &&
         param != nullptr;
}

inline bool read_osip_fields(osip_message_t* message, CFields& f) {
  if (!MSG_IS_REQUEST(message) || message->req_uri == nullptr) return false;

  osip_via_t* via = nullptr;
  if (osip_message_get_via(message, 0, &via) < 0 || via == nullptr) return false;
  f.via_branch = osip_param_value(&via->via_params, "branch");
  f.via_host = via->host;
  f.via_port = to_number(via->port);
  f.via_received = osip_param_value(&via->via_params, "received");
  f.via_rport = to_number(osip_param_value(&via->via_params, "rport"));

  osip_header_t* max_forwards = nullptr;
  if (osip_message_get_max_forwards(message, 0, &max_forwards) >= 0 && max_forwards != nullptr) {
    f.max_forwards = to_number(max_forwards->hvalue);
  } else {
    f.max_forwards = 70;
  }

  f.request_uri_user = message->req_uri->username;
  f.request_uri_host = message->req_uri->host;
  f.request_uri_port = to_number(message->req_uri->port);

  osip_from_t* from = osip_message_get_from(message);
  osip_to_t* to = osip_message_get_to(message);
  osip_call_id_t* call_id = osip_message_get_call_id(message);
  osip_cseq_t* cseq = osip_message_get_cseq(message);
  if (from == nullptr || from->url == nullptr || to == nullptr || to->url == nullptr ||
      call_id == nullptr || cseq == nullptr) {
    return false;
  }
  f.from_user = from->url->username;
  f.from_host = from->url->host;
  f.from_tag = osip_param_value(&from->gen_params, "tag");
  f.to_user = to->url->username;
  f.to_host = to->url->host;
  f.to_tag = osip_param_value(&to->gen_params, "tag");
  f.call_id = call_id->number;
  f.call_id_host = call_id->host;
  f.cseq_number = to_number(cseq->number);
  f.cseq_method = cseq->method;

  osip_route_t* route = nullptr;
  if (osip_message_get_route(message, 0, &route) >= 0 && route != nullptr &&
      route->url != nullptr) {
    f.route_host = route->url->host;
    f.route_lr = osip_has_param(&route->url->url_params, "lr");
  }
  osip_contact_t* contact = nullptr;
  if (osip_message_get_contact(message, 0, &contact) >= 0 && contact != nullptr &&
      contact->url != nullptr) {
    f.contact_user = contact->url->username;
    f.contact_host = contact->url->host;
    f.contact_port = to_number(contact->url->port);
  }
  if (osip_content_type_t* type = osip_message_get_content_type(message)) {
    f.content_type = type->type;
    f.content_subtype = type->subtype;
  }
  if (osip_content_length_t* length = osip_message_get_content_length(message)) {
    f.content_length = to_number(length->value);
  }
  osip_proxy_authorization_t* auth = nullptr;
  if (osip_message_get_proxy_authorization(message, 0, &auth) >= 0 && auth != nullptr) {
    f.auth_username = auth->username;
    f.auth_realm = auth->realm;
    f.auth_nonce = auth->nonce;
    f.auth_response = auth->response;
  }

  osip_body_t* body = nullptr;
  if (osip_message_get_body(message, 0, &body) >= 0 && body != nullptr) {
    f.body = body->body;
    f.body_size = body->length;
  }
  return true;
}

inline bool read_sofia_fields(const sip_t* sip, CFields& f) {
  if (sip->sip_request == nullptr || sip->sip_via == nullptr || sip->sip_from == nullptr ||
      sip->sip_to == nullptr || sip->sip_call_id == nullptr || sip->sip_cseq == nullptr) {
    return false;
  }

  const sip_via_t* via = sip->sip_via;
  f.via_branch = via->v_branch;
  f.via_host = via->v_host;
  f.via_port = to_number(via->v_port);
  f.via_received = via->v_received;
  f.via_rport = to_number(via->v_rport);

  f.max_forwards = sip->sip_max_forwards != nullptr
                       ? static_cast<std::uint32_t>(sip->sip_max_forwards->mf_count)
                       : 70;

  const url_t* request_uri = sip->sip_request->rq_url;
  f.request_uri_user = request_uri->url_user;
  f.request_uri_host = request_uri->url_host;
  f.request_uri_port = to_number(request_uri->url_port);

  f.from_user = sip->sip_from->a_url->url_user;
  f.from_host = sip->sip_from->a_url->url_host;
  f.from_tag = sip->sip_from->a_tag;
  f.to_user = sip->sip_to->a_url->url_user;
  f.to_host = sip->sip_to->a_url->url_host;
  f.to_tag = sip->sip_to->a_tag;
  f.call_id = sip->sip_call_id->i_id;
  f.cseq_number = sip->sip_cseq->cs_seq;
  f.cseq_method = sip->sip_cseq->cs_method_name;

  if (const sip_route_t* route = sip->sip_route) {
    f.route_host = route->r_url->url_host;
    f.route_lr = url_has_param(route->r_url, "lr") != 0;
  }
  if (const sip_contact_t* contact = sip->sip_contact) {
    f.contact_user = contact->m_url->url_user;
    f.contact_host = contact->m_url->url_host;
    f.contact_port = to_number(contact->m_url->url_port);
  }
  if (const sip_content_type_t* type = sip->sip_content_type) {
    f.content_type = type->c_type;  // "type/subtype", NUL-terminated after the subtype
    f.content_subtype = type->c_subtype;
  }
  if (sip->sip_content_length != nullptr) f.content_length = sip->sip_content_length->l_length;
  if (const sip_proxy_authorization_t* auth = sip->sip_proxy_authorization) {
    f.auth_username = msg_params_find(auth->au_params, "username");
    f.auth_realm = msg_params_find(auth->au_params, "realm");
    f.auth_nonce = msg_params_find(auth->au_params, "nonce");
    f.auth_response = msg_params_find(auth->au_params, "response");
  }

  if (const sip_payload_t* payload = sip->sip_payload) {
    f.body = payload->pl_data;
    f.body_size = payload->pl_len;
  }
  return true;
}

}  // namespace detail

// Parses with libosip2 5.x. osip_message_parse copies the buffer and
// NUL-terminates the copy itself, so the caller passes the bytes and their
// length as received. REQUIRES: parser_init() was called once.
template <typename Visit>
bool parse_osip(std::string_view bytes, Visit&& visit) {
  osip_message_t* message = nullptr;
  if (osip_message_init(&message) != OSIP_SUCCESS) return false;
  bool ok = osip_message_parse(message, bytes.data(), bytes.size()) == OSIP_SUCCESS;
  if (ok) {
    CFields fields;
    ok = detail::read_osip_fields(message, fields);
    if (ok) visit(fields);
  }
  osip_message_free(message);
  return ok;
}

// Parses with sofia-sip 1.12. msg_make copies the bytes into the message's
// buffer and parses every header of the default SIP parser table at once,
// including the parameters of Via, the URIs and the auth-params, so nothing
// read below is parsed lazily. A header that fails to parse goes to
// sip_error, and a failure in a header sofia-sip deems critical (such as Via
// or CSeq) sets MSG_FLG_ERROR. Both count as a failed parse here.
template <typename Visit>
bool parse_sofia(std::string_view bytes, Visit&& visit) {
  msg_t* message =
      msg_make(sip_default_mclass(), 0, bytes.data(), static_cast<ssize_t>(bytes.size()));
  if (message == nullptr) return false;
  const sip_t* sip = sip_object(message);
  bool ok = sip != nullptr && (sip->sip_flags & MSG_FLG_ERROR) == 0 && sip->sip_error == nullptr;
  if (ok) {
    CFields fields;
    ok = detail::read_sofia_fields(sip, fields);
    if (ok) visit(fields);
  }
  msg_destroy(message);
  return ok;
}

}  // namespace sippay::bench
