#include "sip/message.hpp"

#include <fmt/format.h>

#include "sip/charset.hpp"

namespace sippay::sip {

std::string ParseError::to_string() const {
  std::string text = header_name.empty()
                         ? fmt::format("{} (at byte {})", reason, offset)
                         : fmt::format("{} in header {} (at byte {})", reason, header_name, offset);
  // A reason phrase must not break the status line.
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return text;
}

const HeaderField* Message::find_header(std::string_view name) const {
  const HeaderId id = lookup_header(name);
  for (const HeaderField& field : headers_) {
    if (id != HeaderId::kUnknown ? field.id == id : charset::iequals(field.name, name)) {
      return &field;
    }
  }
  return nullptr;
}

std::size_t Message::list_size(HeaderId id) const {
  switch (id) {
    case HeaderId::kVia:
      return vias_.size();
    case HeaderId::kRoute:
      return routes_.size();
    case HeaderId::kRecordRoute:
      return record_routes_.size();
    case HeaderId::kContact:
      return contacts_.size();
    case HeaderId::kRequire:
      return require_.size();
    case HeaderId::kProxyRequire:
      return proxy_require_.size();
    case HeaderId::kSupported:
      return supported_.size();
    case HeaderId::kUnsupported:
      return unsupported_.size();
    case HeaderId::kAllow:
      return allow_.size();
    case HeaderId::kContentEncoding:
      return content_encoding_.size();
    case HeaderId::kWwwAuthenticate:
      return www_authenticate_.size();
    case HeaderId::kProxyAuthenticate:
      return proxy_authenticate_.size();
    case HeaderId::kAuthorization:
      return authorization_.size();
    case HeaderId::kProxyAuthorization:
      return proxy_authorization_.size();
    default:
      return 0;
  }
}

void Message::clear() {
  storage_.reset();
  is_request_ = false;
  request_line_ = {};
  status_line_ = {};
  headers_.clear();
  vias_.clear();
  routes_.clear();
  record_routes_.clear();
  contacts_.clear();
  contact_star_ = false;
  require_.clear();
  proxy_require_.clear();
  supported_.clear();
  unsupported_.clear();
  allow_.clear();
  content_encoding_.clear();
  www_authenticate_.clear();
  proxy_authenticate_.clear();
  authorization_.clear();
  proxy_authorization_.clear();
  from_.reset();
  to_.reset();
  call_id_ = {};
  cseq_.reset();
  max_forwards_.reset();
  expires_.reset();
  min_expires_.reset();
  content_length_.reset();
  content_type_.reset();
  content_disposition_.reset();
  authentication_info_.reset();
  date_.reset();
  user_agent_ = {};
  server_ = {};
  body_ = {};
  size_bytes_ = 0;
  semantic_error_.reset();
}

}  // namespace sippay::sip
