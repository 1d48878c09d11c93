#include "security/verified_chain_cache.hpp"

#include <utility>

namespace sippay::security {

std::optional<std::vector<std::string>> VerifiedChainCache::find(const std::string& key, TimePoint at) const {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(key);
  if (found == entries_.end()) return std::nullopt;
  const Entry& entry = found->second;
  if (at < entry.valid_from || at > entry.valid_until) return std::nullopt;
  return entry.sip_uris;
}

void VerifiedChainCache::insert(std::string key, std::vector<std::string> sip_uris, TimePoint valid_from,
                                TimePoint valid_until) {
  if (capacity_ == 0 || valid_until < valid_from) return;
  std::lock_guard lock(mutex_);
  // Emptying the whole cache is simpler than evicting one entry. With more
  // certificates in use than the capacity, most checks then run in full.
  if (entries_.size() >= capacity_ && entries_.find(key) == entries_.end()) entries_.clear();
  entries_.insert_or_assign(std::move(key), Entry{std::move(sip_uris), valid_from, valid_until});
}

std::size_t VerifiedChainCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace sippay::security
