// JSON views of parsed SIP messages, for `sippay sip parse` and for tools
// that check the parser against external test suites.
#pragma once

#include <nlohmann/json.hpp>

#include "sip/message.hpp"

namespace sippay::app {

nlohmann::ordered_json uri_to_json(const sip::Uri& uri);
// The start line, every header with its parsed fields, and the body length.
nlohmann::ordered_json message_to_json(const sip::Message& message);

}  // namespace sippay::app
