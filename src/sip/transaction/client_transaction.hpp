// The non-INVITE client transaction of RFC 3261 §17.1.2 (figure 6).
//
// A machine without I/O: its owner implements Context to transmit, run
// timers and hand responses to the transaction user, and feeds it
// responses, timer expiries and transport failures.
#pragma once

#include "sip/transaction/transaction_types.hpp"
#include "sip/transport/transport.hpp"

namespace sippay::sip {

class NonInviteClientTransaction {
 public:
  class Context {
   public:
    virtual ~Context() = default;
    virtual void transmit_request() = 0;
    virtual void start_timer(TransactionTimer timer, std::chrono::milliseconds delay) = 0;
    virtual void cancel_timer(TransactionTimer timer) = 0;
    virtual void deliver_response(const ReceivedMessage& response) = 0;
    virtual void report_failure(TransactionFailure failure) = 0;
  };

  NonInviteClientTransaction(Context& context, TimerConfig timers, bool reliable)
      : context_(context), timers_(timers), reliable_(reliable) {}

  // Sends the request and starts timers E (unreliable transports) and F.
  void start();
  void receive_response(const ReceivedMessage& response);
  void timer_fired(TransactionTimer timer);
  void transport_failed();

  TransactionState state() const { return state_; }

 private:
  void terminate() { state_ = TransactionState::kTerminated; }

  Context& context_;
  TimerConfig timers_;
  bool reliable_;
  TransactionState state_ = TransactionState::kTrying;
  std::chrono::milliseconds retransmit_interval_{0};
};

}  // namespace sippay::sip
