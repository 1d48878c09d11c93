#include "proxy/in_memory_location.hpp"

#include <algorithm>
#include <iterator>

namespace sippay::proxy {

std::vector<Binding> InMemoryLocation::lookup(std::string_view aor, TimePoint now) const {
  std::vector<Binding> live;
  const auto found = bindings_by_aor_.find(aor);
  if (found == bindings_by_aor_.end()) return live;

  std::copy_if(found->second.begin(), found->second.end(), std::back_inserter(live),
               [now](const Binding& binding) { return binding.is_live(now); });
  std::sort(live.begin(), live.end(), binding_precedes);
  return live;
}

void InMemoryLocation::replace(std::string_view aor, std::vector<Binding> bindings) {
  const auto found = bindings_by_aor_.find(aor);
  if (found != bindings_by_aor_.end()) {
    size_ -= found->second.size();
    bindings_by_aor_.erase(found);
  }
  if (bindings.empty()) return;

  size_ += bindings.size();
  bindings_by_aor_.emplace(std::string(aor), std::move(bindings));
}

std::size_t InMemoryLocation::sweep(TimePoint now) {
  std::size_t removed = 0;
  for (auto it = bindings_by_aor_.begin(); it != bindings_by_aor_.end();) {
    removed += std::erase_if(it->second, [now](const Binding& binding) { return !binding.is_live(now); });
    it = it->second.empty() ? bindings_by_aor_.erase(it) : std::next(it);
  }
  size_ -= removed;
  return removed;
}

}  // namespace sippay::proxy
