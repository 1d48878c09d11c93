// Canonical output of a parsed message.
//
// Header names are written in their full form and usual spelling; list
// headers get one element per line; URIs, parameters and typed values are
// written without optional whitespace; folded lines become one line; the
// Content-Length always matches the body. Parsing the output gives the same
// message, and serializing that again gives the same bytes.
#pragma once

#include <string>

#include "sip/message.hpp"

namespace sippay::sip {

std::string serialize(const Message& message);
void append_message(std::string& out, const Message& message);

// Pieces, for building messages and for JSON output.
void append_params(std::string& out, const ParamList& params);
void append_via(std::string& out, const Via& via);
void append_name_addr(std::string& out, const NameAddr& address);
void append_auth_header(std::string& out, const AuthHeader& header);

}  // namespace sippay::sip
