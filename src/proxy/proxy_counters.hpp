// Counters of `sippay proxy`: requests handled, and each reason a request
// was rejected, for the JSON line printed on SIGUSR1 and at shutdown.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sippay::proxy {

enum class Counter : unsigned char {
  kRequests,             // requests received
  kResponsesReceived,    // responses received from next hops
  kForwarded,            // requests relayed to a next hop (one per branch)
  kResponsesForwarded,   // responses relayed back toward the UAC
  kRegistered,           // REGISTER answered 200
  kOptionsAnswered,      // OPTIONS to the proxy itself answered 200
  // Rejections, one per reason.
  kBadRequest,           // 400: parse error or missing header
  kMessageTooLarge,      // 513
  kRateLimitedReply,     // 503 from the per-source limit
  kRateLimitedDrop,      // dropped by the per-source limit
  kInFlightLimit,        // 503: too many requests in progress
  kShuttingDown,         // 503 while draining
  kMethodNotAllowed,     // 405
  kTooManyHops,          // 483
  kLoopDetected,         // 482
  kBadExtension,         // 420: Proxy-Require
  kAuthChallenge,        // 401 or 407 with a challenge (missing, stale or replayed credentials)
  kAuthFailed,           // 403 or 400 for credentials that failed
  kIdentityMismatch,     // 403: authenticated user differs from From or To
  kForeignSender,        // 403: From of another domain while those are not accepted
  kNotFound,             // 404: no such user or domain
  kUnavailable,          // 480: known user without a binding
  kOtherDomain,          // 403: forwarding to other domains is off
  kRegisterRejected,     // a REGISTER the registrar answered with a failure
  kUnroutable,           // 480: no binding's contact names an IP address
  kTimeout,              // 408: the next hop sent no final response in time
  kTransportError,       // 500: the request could not be sent to the next hop, or its connection failed
  kCount,
};

// The key in the JSON line: "requests", "loop_detected".
std::string_view counter_name(Counter counter);

class ProxyCounters {
 public:
  void add(Counter counter, std::uint64_t amount = 1) { values_[static_cast<std::size_t>(counter)] += amount; }
  std::uint64_t get(Counter counter) const { return values_[static_cast<std::size_t>(counter)]; }
  // One JSON object with every counter, in declaration order, and "event":"counters".
  std::string to_json() const;

 private:
  std::array<std::uint64_t, static_cast<std::size_t>(Counter::kCount)> values_{};
};

}  // namespace sippay::proxy
