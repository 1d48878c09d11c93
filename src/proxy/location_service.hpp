// The location service (RFC 3261 §10): the bindings of each address of
// record, which the registrar writes and the proxy reads.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "proxy/binding.hpp"

namespace sippay::proxy {

// A failure of the storage behind a location service: a database that
// cannot be opened, read or written.
class LocationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Implementations are not thread safe: one thread at a time.
class LocationService {
 public:
  virtual ~LocationService() = default;

  // The bindings of `aor` that are live at `now`, in binding_precedes order.
  virtual std::vector<Binding> lookup(std::string_view aor, TimePoint now) const = 0;

  // Replaces every binding of `aor` with `bindings`, all or nothing: the
  // update of one REGISTER. Each binding has `aor` as its aor, and no two
  // have the same contact_uri text. Throws LocationError when the storage
  // fails, and then keeps the bindings it had.
  virtual void replace(std::string_view aor, std::vector<Binding> bindings) = 0;

  // Removes every binding that has expired at `now`; returns how many.
  // Throws LocationError when the storage fails.
  virtual std::size_t sweep(TimePoint now) = 0;

  // Stored bindings, including expired ones that no sweep has removed yet.
  virtual std::size_t size() const = 0;
};

}  // namespace sippay::proxy
