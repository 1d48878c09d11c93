// Steps 6 and 7 of RFC 3261 §10.3: the bindings of an address of record
// after a REGISTER, computed from the current ones without storing
// anything. The registrar stores the result as one update, so either every
// contact of the request takes effect or none does.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/binding.hpp"
#include "proxy/registrar_settings.hpp"
#include "sip/message.hpp"

namespace sippay::proxy {

struct BindingUpdate {
  int status = 200;  // 200, or the status that rejects the REGISTER
  std::string reason;
  std::vector<Binding> bindings;  // when status is 200: the bindings after the request
};

// Fields of the REGISTER that the update uses besides its contacts.
struct RegisterContext {
  std::string_view aor;
  std::string_view call_id;
  std::uint32_t cseq = 0;
  TimePoint now;
  std::string_view source;
};

// A REGISTER with "Contact: *": removes every binding, or fails with 400
// unless the request has "Expires: 0", or with 500 when a binding was set
// by the same Call-ID with a CSeq not lower than the request's.
BindingUpdate remove_all_bindings(std::span<const Binding> current, const sip::Message& request,
                                  const RegisterContext& context);

// A REGISTER with contact addresses: adds, refreshes or (with expiry 0)
// removes one binding per contact.
BindingUpdate update_bindings(std::span<const Binding> current, const sip::Message& request,
                              const RegistrarSettings& settings, const RegisterContext& context);

}  // namespace sippay::proxy
