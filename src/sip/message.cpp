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
