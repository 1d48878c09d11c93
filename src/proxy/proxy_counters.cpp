#include "proxy/proxy_counters.hpp"

#include <nlohmann/json.hpp>

namespace sippay::proxy {

std::string_view counter_name(Counter counter) {
  switch (counter) {
    case Counter::kRequests: return "requests";
    case Counter::kResponsesReceived: return "responses_received";
    case Counter::kForwarded: return "forwarded";
    case Counter::kResponsesForwarded: return "responses_forwarded";
    case Counter::kRegistered: return "registered";
    case Counter::kOptionsAnswered: return "options_answered";
    case Counter::kBadRequest: return "bad_request";
    case Counter::kMessageTooLarge: return "message_too_large";
    case Counter::kRateLimitedReply: return "rate_limited_reply";
    case Counter::kRateLimitedDrop: return "rate_limited_drop";
    case Counter::kInFlightLimit: return "in_flight_limit";
    case Counter::kShuttingDown: return "shutting_down";
    case Counter::kMethodNotAllowed: return "method_not_allowed";
    case Counter::kTooManyHops: return "too_many_hops";
    case Counter::kLoopDetected: return "loop_detected";
    case Counter::kBadExtension: return "bad_extension";
    case Counter::kAuthChallenge: return "auth_challenge";
    case Counter::kAuthFailed: return "auth_failed";
    case Counter::kIdentityMismatch: return "identity_mismatch";
    case Counter::kForeignSender: return "foreign_sender";
    case Counter::kNotFound: return "not_found";
    case Counter::kUnavailable: return "unavailable";
    case Counter::kOtherDomain: return "other_domain";
    case Counter::kRegisterRejected: return "register_rejected";
    case Counter::kUnroutable: return "unroutable";
    case Counter::kTimeout: return "timeout";
    case Counter::kTransportError: return "transport_error";
    case Counter::kCount: break;
  }
  return "unknown";
}

std::string ProxyCounters::to_json() const {
  nlohmann::ordered_json line;
  line["event"] = "counters";
  for (std::size_t i = 0; i < values_.size(); ++i) {
    line[std::string(counter_name(static_cast<Counter>(i)))] = values_[i];
  }
  return line.dump();
}

}  // namespace sippay::proxy
