#include "proxy/binding_update.hpp"

#include <algorithm>
#include <optional>

namespace sippay::proxy {
namespace {

// §10.3 step 7 gives 423 only to requests below one hour.
constexpr std::uint32_t kOneHour = 3600;

BindingUpdate reject(int status, std::string reason) {
  return BindingUpdate{status, std::move(reason), {}};
}

// The binding's Call-ID and CSeq order REGISTERs from one UA: a request with
// the same Call-ID must have a higher CSeq, or it arrived out of order.
bool is_out_of_order(const Binding& binding, const RegisterContext& context) {
  return binding.call_id == context.call_id && context.cseq <= binding.cseq;
}

// RFC 3261 §10.3 leaves the status of an out-of-order request open; 500 is
// what §12.2.2 prescribes for an out-of-order request within a dialog.
BindingUpdate reject_out_of_order() { return reject(500, "Out of Order REGISTER"); }

// The requested expiry: the contact's expires parameter, else the Expires
// header, else the configured default.
std::uint32_t requested_expiry(const sip::Contact& contact, const sip::Message& request,
                               const RegistrarSettings& settings) {
  if (contact.expires) return *contact.expires;
  if (request.expires()) return *request.expires();
  return settings.default_expires;
}

bool is_too_brief(std::uint32_t requested, const RegistrarSettings& settings) {
  return requested > 0 && requested < kOneHour && requested < settings.min_expires;
}

// Bindings compare by the URI rules of §19.1.4. A stored URI that no longer
// parses (a hand-edited database) can only match its exact text.
bool same_contact(const Binding& binding, const sip::Uri& uri) {
  const sip::Result<sip::Uri> stored = sip::parse_uri(binding.contact_uri);
  return stored ? sip::uri_equivalent(stored.value(), uri) : binding.contact_uri == uri.text;
}

bool listed_earlier(std::span<const sip::Contact> contacts, std::size_t index) {
  const sip::Uri& uri = contacts[index].address.uri;
  return std::any_of(contacts.begin(), contacts.begin() + static_cast<std::ptrdiff_t>(index),
                     [&uri](const sip::Contact& earlier) {
                       return sip::uri_equivalent(earlier.address.uri, uri);
                     });
}

// Sets the fields a REGISTER decides, creating or refreshing the binding.
void set_binding(Binding& binding, const sip::Contact& contact, std::uint32_t granted,
                 const RegisterContext& context) {
  binding.aor = std::string(context.aor);
  binding.contact_uri = std::string(contact.address.uri.text);
  binding.q_thousandths = contact.q_thousandths;
  binding.expires_at = context.now + std::chrono::seconds(granted);
  binding.call_id = std::string(context.call_id);
  binding.cseq = context.cseq;
  binding.updated_at = context.now;
  binding.source = std::string(context.source);
}

}  // namespace

BindingUpdate remove_all_bindings(std::span<const Binding> current, const sip::Message& request,
                                  const RegisterContext& context) {
  if (!request.contacts().empty()) return reject(400, "Contact * Must Be the Only Contact");
  if (!request.expires() || *request.expires() != 0) {
    return reject(400, "Contact * Requires Expires 0");
  }
  const bool out_of_order = std::any_of(current.begin(), current.end(), [&](const Binding& binding) {
    return is_out_of_order(binding, context);
  });
  if (out_of_order) return reject_out_of_order();
  return BindingUpdate{200, "OK", {}};
}

BindingUpdate update_bindings(std::span<const Binding> current, const sip::Message& request,
                              const RegistrarSettings& settings, const RegisterContext& context) {
  std::vector<Binding> next(current.begin(), current.end());
  std::size_t added = 0;
  const std::span<const sip::Contact> contacts = request.contacts();

  for (std::size_t i = 0; i < contacts.size(); ++i) {
    const sip::Contact& contact = contacts[i];
    if (!contact.address.uri.is_sip_or_sips()) return reject(400, "Contact URI Must Be sip or sips");
    // Two expiries for one binding would leave the outcome to the order.
    if (listed_earlier(contacts, i)) return reject(400, "Contact Listed Twice");

    const std::uint32_t requested = requested_expiry(contact, request, settings);
    if (is_too_brief(requested, settings)) return reject(423, "Interval Too Brief");
    const std::uint32_t granted = std::min(requested, settings.max_expires);

    const auto existing = std::find_if(next.begin(), next.end(), [&](const Binding& binding) {
      return same_contact(binding, contact.address.uri);
    });
    if (existing != next.end() && is_out_of_order(*existing, context)) return reject_out_of_order();

    if (granted == 0) {
      if (existing != next.end()) next.erase(existing);
    } else if (existing != next.end()) {
      set_binding(*existing, contact, granted, context);
    } else {
      Binding& binding = next.emplace_back();
      binding.registered_at = context.now;
      set_binding(binding, contact, granted, context);
      ++added;
    }
  }

  // A request that only refreshes or removes passes even when a lowered
  // limit leaves the AOR above it.
  if (added > 0 && next.size() > settings.max_contacts_per_aor) {
    return reject(403, "Too Many Contacts");
  }
  return BindingUpdate{200, "OK", std::move(next)};
}

}  // namespace sippay::proxy
