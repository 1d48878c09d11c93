#include "sip/transaction/client_transaction.hpp"

#include <algorithm>

namespace sippay::sip {

void NonInviteClientTransaction::start() {
  context_.transmit_request();
  if (!reliable_) {
    retransmit_interval_ = timers_.t1;
    context_.start_timer(TransactionTimer::kE, retransmit_interval_);
  }
  context_.start_timer(TransactionTimer::kF, timers_.timer_f());
}

void NonInviteClientTransaction::receive_response(const ReceivedMessage& response) {
  const int code = response.message.status_code();
  switch (state_) {
    case TransactionState::kTrying:
    case TransactionState::kProceeding:
      if (code < 200) {
        state_ = TransactionState::kProceeding;
        context_.deliver_response(response);
        return;
      }
      // A final response: Completed, then Timer K absorbs retransmissions.
      state_ = TransactionState::kCompleted;
      context_.cancel_timer(TransactionTimer::kE);
      context_.cancel_timer(TransactionTimer::kF);
      context_.deliver_response(response);
      if (reliable_) {
        terminate();
      } else {
        context_.start_timer(TransactionTimer::kK, timers_.t4);
      }
      return;
    case TransactionState::kCompleted:
    case TransactionState::kTerminated:
      return;  // retransmitted responses are absorbed
  }
}

void NonInviteClientTransaction::timer_fired(TransactionTimer timer) {
  switch (timer) {
    case TransactionTimer::kE:
      if (state_ != TransactionState::kTrying && state_ != TransactionState::kProceeding) return;
      context_.transmit_request();
      // Trying doubles the interval up to T2; Proceeding retransmits every T2.
      retransmit_interval_ = state_ == TransactionState::kTrying
                                 ? std::min(2 * retransmit_interval_, timers_.t2)
                                 : timers_.t2;
      context_.start_timer(TransactionTimer::kE, retransmit_interval_);
      return;
    case TransactionTimer::kF:
      if (state_ != TransactionState::kTrying && state_ != TransactionState::kProceeding) return;
      context_.cancel_timer(TransactionTimer::kE);
      terminate();
      context_.report_failure(TransactionFailure::kTimeout);
      return;
    case TransactionTimer::kK:
      if (state_ == TransactionState::kCompleted) terminate();
      return;
    case TransactionTimer::kJ:
      return;
  }
}

void NonInviteClientTransaction::transport_failed() {
  if (state_ == TransactionState::kTerminated) return;
  const bool before_final = state_ != TransactionState::kCompleted;
  context_.cancel_timer(TransactionTimer::kE);
  context_.cancel_timer(TransactionTimer::kF);
  context_.cancel_timer(TransactionTimer::kK);
  terminate();
  if (before_final) context_.report_failure(TransactionFailure::kTransportError);
}

}  // namespace sippay::sip
