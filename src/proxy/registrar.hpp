// The registrar (RFC 3261 §10.3): turns an authenticated REGISTER into
// binding updates in a location service and the response to send.
//
// It performs no I/O of its own and takes the time as an argument. The
// caller owns steps 1 to 4 of §10.3: routing the request here, the Require
// header, authentication, and the check that the authenticated user may
// change the bindings of canonical_aor(request.to()->uri). Path (RFC 3327),
// outbound (RFC 5626) and GRUU (RFC 5627) are not supported, and Contact
// parameters other than expires and q are not kept.
//
// Not thread safe: REGISTER requests must be processed in the order they
// arrive (§10.3), one at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/binding.hpp"
#include "proxy/location_service.hpp"
#include "proxy/registrar_settings.hpp"
#include "sip/message.hpp"

namespace sippay::proxy {

struct RegistrarResult {
  int status = 0;
  std::string reason;  // a reason phrase: no CR, LF, quotes or angle brackets
  std::string aor;     // canonical address of record; empty when To had none
  // On 200: every binding of the AOR after the request, in lookup order.
  std::vector<Binding> bindings;
  // Header lines for sip::ResponseExtras::extra_headers, each ending in
  // CRLF. A 200 gets one Contact per binding, with its remaining expires
  // and any q, and a Date. A 423 gets Min-Expires and a 405 gets Allow.
  std::string extra_headers;
};

class Registrar {
 public:
  // Throws std::invalid_argument when `settings` are inconsistent.
  // `location` must outlive the registrar.
  Registrar(RegistrarSettings settings, LocationService& location);

  // Performs steps 5 to 8 of §10.3 on a REGISTER whose sender the caller
  // has authenticated and authorized. Every outcome is a result, storage
  // failures included (500). `source` describes where the request came from
  // and is kept with the bindings it sets.
  RegistrarResult process(const sip::Message& request, TimePoint now, std::string_view source = {});

  const RegistrarSettings& settings() const { return settings_; }

 private:
  // Step 5: nullopt when the To URI names an address of record served here.
  std::optional<RegistrarResult> check_address_of_record(const sip::Message& request,
                                                         const std::string& aor) const;
  bool serves(std::string_view host) const;

  RegistrarSettings settings_;
  LocationService& location_;
};

}  // namespace sippay::proxy
