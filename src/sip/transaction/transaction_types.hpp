// Names and settings shared by the RFC 3261 §17 transaction machines.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace sippay::sip {

enum class TransactionState : std::uint8_t { kTrying, kProceeding, kCompleted, kTerminated };

// The non-INVITE timers (§17.1.2.2, §17.2.2, table 4 of §A).
enum class TransactionTimer : std::uint8_t {
  kE,  // client: request retransmission over UDP
  kF,  // client: transaction timeout, 64*T1
  kK,  // client: wait for response retransmissions, T4 over UDP
  kJ,  // server: wait for request retransmissions, 64*T1 over UDP
};

enum class TransactionFailure : std::uint8_t {
  kTimeout,         // Timer F fired before a final response (§17.1.2.2)
  kTransportError,  // the transport could not send (§17.1.4, §17.2.4)
};

std::string_view to_string(TransactionState state);
std::string_view to_string(TransactionTimer timer);
std::string_view to_string(TransactionFailure failure);

// T1, T2 and T4 of §17.1.1.1 and table 4; operators may tune them.
struct TimerConfig {
  std::chrono::milliseconds t1{500};   // round-trip time estimate
  std::chrono::milliseconds t2{4000};  // maximum retransmission interval for non-INVITE
  std::chrono::milliseconds t4{5000};  // maximum time a message stays in the network

  std::chrono::milliseconds timer_f() const { return 64 * t1; }
  std::chrono::milliseconds timer_j() const { return 64 * t1; }
};

}  // namespace sippay::sip
