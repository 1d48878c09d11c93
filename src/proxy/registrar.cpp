#include "proxy/registrar.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "proxy/aor.hpp"
#include "proxy/binding_update.hpp"
#include "proxy/registrar_response.hpp"
#include "sip/charset.hpp"

namespace sippay::proxy {
namespace {

std::string to_lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = sip::charset::to_lower(c);
  return lower;
}

RegistrarResult reject(int status, std::string reason, std::string aor = {}) {
  RegistrarResult result;
  result.status = status;
  result.reason = std::move(reason);
  result.aor = std::move(aor);
  return result;
}

// Step 8: 200 listing every current binding, with a Date.
RegistrarResult accept(std::string aor, std::vector<Binding> bindings, TimePoint now) {
  std::sort(bindings.begin(), bindings.end(), binding_precedes);
  RegistrarResult result;
  result.status = 200;
  result.reason = "OK";
  result.aor = std::move(aor);
  result.extra_headers = format_contact_headers(bindings, now);
  result.extra_headers += "Date: " + format_sip_date(now) + "\r\n";
  result.bindings = std::move(bindings);
  return result;
}

}  // namespace

Registrar::Registrar(RegistrarSettings settings, LocationService& location)
    : settings_(std::move(settings)), location_(location) {
  validate(settings_);
  for (std::string& domain : settings_.domains) domain = to_lower(domain);
}

RegistrarResult Registrar::process(const sip::Message& request, TimePoint now, std::string_view source) {
  if (!request.is_request() || request.method() != "REGISTER") {
    RegistrarResult result = reject(405, "Method Not Allowed");
    result.extra_headers = "Allow: REGISTER\r\n";
    return result;
  }
  // The codec's description of the problem may hold quotes, which a reason
  // phrase cannot.
  if (request.semantic_error() != nullptr) return reject(400, "Bad Request");

  const std::optional<std::string> aor = canonical_aor(request.to()->uri);
  if (!aor) return reject(404, "Not a sip or sips Address of Record");
  if (auto rejection = check_address_of_record(request, *aor)) return std::move(*rejection);

  std::vector<Binding> current = location_.lookup(*aor, now);
  if (!request.contact_is_star() && request.contacts().empty()) {
    return accept(*aor, std::move(current), now);  // a query: nothing changes
  }

  const RegisterContext context{*aor, request.call_id(), request.cseq()->number, now, source};
  BindingUpdate update = request.contact_is_star()
                             ? remove_all_bindings(current, request, context)
                             : update_bindings(current, request, settings_, context);
  if (update.status != 200) {
    RegistrarResult result = reject(update.status, std::move(update.reason), *aor);
    if (update.status == 423) result.extra_headers = fmt::format("Min-Expires: {}\r\n", settings_.min_expires);
    return result;
  }

  try {
    location_.replace(*aor, update.bindings);
  } catch (const LocationError& error) {
    // §10.3 step 7: when storing fails, no binding changes and the request
    // fails with 500.
    spdlog::error("registrar: storing the bindings of {} (Call-ID {}) failed: {}", *aor,
                  request.call_id(), error.what());
    return reject(500, "Server Internal Error", *aor);
  }
  return accept(*aor, std::move(update.bindings), now);
}

std::optional<RegistrarResult> Registrar::check_address_of_record(const sip::Message& request,
                                                                  const std::string& aor) const {
  const std::string aor_host = to_lower(request.to()->uri.host);
  if (!serves(aor_host)) return reject(404, "Domain Not Served Here", aor);

  // A Request-URI naming another served domain cannot register this AOR. A
  // Request-URI naming the registrar by IP address, not domain, can, even
  // when that address is also listed as a served domain.
  const sip::Uri& request_uri = request.request_line().request_uri;
  if (request_uri.is_sip_or_sips() && request_uri.host_type == sip::HostType::kHostname) {
    const std::string request_host = to_lower(request_uri.host);
    if (request_host != aor_host && serves(request_host)) {
      return reject(404, "Address of Record Not in Request-URI Domain", aor);
    }
  }
  return std::nullopt;
}

bool Registrar::serves(std::string_view host) const {
  return std::find(settings_.domains.begin(), settings_.domains.end(), host) != settings_.domains.end();
}

}  // namespace sippay::proxy
