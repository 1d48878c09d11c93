// A registration binding (RFC 3261 §10): one contact address bound to an
// address of record until it expires.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace sippay::proxy {

// Wall-clock time in milliseconds. Bindings outlive a restart of the
// registrar, so their times are system_clock times rather than steady_clock
// times, and milliseconds since the Unix epoch is how they are stored.
using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

// The current wall-clock time, for callers outside tests.
inline TimePoint wall_clock_now() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

struct Binding {
  std::string aor;          // canonical address of record (see canonical_aor)
  std::string contact_uri;  // the Contact URI as the UA wrote it
  int q_thousandths = -1;   // the q parameter times 1000; -1 when absent
  TimePoint expires_at;
  // Call-ID and CSeq number of the REGISTER that last set this binding,
  // which order later REGISTERs from the same UA (§10.3 step 7).
  std::string call_id;
  std::uint32_t cseq = 0;
  TimePoint registered_at;  // when a REGISTER created the binding
  TimePoint updated_at;     // when a REGISTER last refreshed it
  // Source address of that REGISTER in the caller's notation, for example
  // "udp:192.0.2.7:5060"; empty when the caller gave none.
  std::string source;

  bool is_live(TimePoint now) const { return expires_at > now; }
  friend bool operator==(const Binding&, const Binding&) = default;
};

// Compares by the order of lookup results. The highest q comes first, and an
// absent q counts as 1.0. Equal q puts the most recently updated first, and
// the contact URI breaks the remaining ties.
bool binding_precedes(const Binding& a, const Binding& b);

// Seconds from `now` until `binding` expires, rounded up so that a live
// binding never shows 0; 0 once it has expired.
std::uint32_t remaining_seconds(const Binding& binding, TimePoint now);

}  // namespace sippay::proxy
