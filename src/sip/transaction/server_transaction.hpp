// The non-INVITE server transaction of RFC 3261 §17.2.2 (figure 8).
//
// A machine without I/O, like NonInviteClientTransaction: the owner delivers
// the first request to the transaction user, then feeds the machine request
// retransmissions, the user's responses, timer expiries and transport
// failures.
#pragma once

#include <string>

#include "sip/transaction/transaction_types.hpp"

namespace sippay::sip {

class NonInviteServerTransaction {
 public:
  class Context {
   public:
    virtual ~Context() = default;
    // Sends `response` over the transport toward the request's sender.
    virtual void transmit_response(const std::string& response) = 0;
    virtual void start_timer(TransactionTimer timer, std::chrono::milliseconds delay) = 0;
    virtual void report_failure(TransactionFailure failure) = 0;
  };

  NonInviteServerTransaction(Context& context, TimerConfig timers, bool reliable)
      : context_(context), timers_(timers), reliable_(reliable) {}

  // A retransmission of the request: answered with the last response sent
  // in Proceeding and Completed, discarded in Trying (§17.2.2).
  void receive_request_retransmission();
  // The transaction user's response. Returns false, sending nothing, when a
  // final response was already sent.
  bool respond(int status_code, std::string response);
  void timer_fired(TransactionTimer timer);
  void transport_failed();

  TransactionState state() const { return state_; }

 private:
  Context& context_;
  TimerConfig timers_;
  bool reliable_;
  TransactionState state_ = TransactionState::kTrying;
  std::string last_response_;
};

}  // namespace sippay::sip
