#include "proxy/binding.hpp"

#include <limits>
#include <tuple>

namespace sippay::proxy {

bool binding_precedes(const Binding& a, const Binding& b) {
  auto effective_q = [](const Binding& binding) {
    return binding.q_thousandths < 0 ? 1000 : binding.q_thousandths;
  };
  // Larger q and later updated_at come first, so those two compare reversed.
  return std::tuple(effective_q(b), b.updated_at, std::string_view(a.contact_uri)) <
         std::tuple(effective_q(a), a.updated_at, std::string_view(b.contact_uri));
}

std::uint32_t remaining_seconds(const Binding& binding, TimePoint now) {
  if (!binding.is_live(now)) return 0;
  const auto remaining = std::chrono::ceil<std::chrono::seconds>(binding.expires_at - now).count();
  constexpr auto kMax = std::numeric_limits<std::uint32_t>::max();
  return remaining > kMax ? kMax : static_cast<std::uint32_t>(remaining);
}

}  // namespace sippay::proxy
