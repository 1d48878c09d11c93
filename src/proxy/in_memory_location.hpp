// A location service kept in memory only: bindings are lost when the
// process ends. SqliteLocation keeps one as its cache.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "proxy/location_service.hpp"

namespace sippay::proxy {

class InMemoryLocation final : public LocationService {
 public:
  std::vector<Binding> lookup(std::string_view aor, TimePoint now) const override;
  // Does not throw LocationError, because it has no storage that can fail.
  void replace(std::string_view aor, std::vector<Binding> bindings) override;
  std::size_t sweep(TimePoint now) override;
  std::size_t size() const override { return size_; }

 private:
  std::map<std::string, std::vector<Binding>, std::less<>> bindings_by_aor_;
  std::size_t size_ = 0;
};

}  // namespace sippay::proxy
