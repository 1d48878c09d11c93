// The header lines of registrar responses and the response text itself.
#pragma once

#include <span>
#include <string>

#include "proxy/binding.hpp"
#include "sip/message.hpp"

namespace sippay::proxy {

struct RegistrarResult;

// One "Contact: <uri>;expires=N" line per binding (RFC 3261 §10.3 step 8),
// N being the seconds left at `now`, with ";q=" when the binding has a q.
std::string format_contact_headers(std::span<const Binding> bindings, TimePoint now);

// An RFC 1123 date in GMT, as the Date header has it (§20.17):
// "Sat, 13 Nov 2010 23:29:00 GMT".
std::string format_sip_date(TimePoint time);

// The whole response to `request`: its Via, From, To (with a new tag),
// Call-ID and CSeq, then the result's status, reason and header lines.
std::string build_registrar_response(const sip::Message& request, const RegistrarResult& result);

}  // namespace sippay::proxy
