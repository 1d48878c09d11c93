#include "sip/transaction/server_transaction.hpp"

namespace sippay::sip {

void NonInviteServerTransaction::receive_request_retransmission() {
  if (state_ == TransactionState::kProceeding || state_ == TransactionState::kCompleted) {
    context_.transmit_response(last_response_);
  }
}

bool NonInviteServerTransaction::respond(int status_code, std::string response) {
  if (state_ != TransactionState::kTrying && state_ != TransactionState::kProceeding) return false;
  last_response_ = std::move(response);
  if (status_code < 200) {
    state_ = TransactionState::kProceeding;
    context_.transmit_response(last_response_);
    return true;
  }
  state_ = TransactionState::kCompleted;
  context_.transmit_response(last_response_);
  if (reliable_) {
    state_ = TransactionState::kTerminated;
  } else {
    context_.start_timer(TransactionTimer::kJ, timers_.timer_j());
  }
  return true;
}

void NonInviteServerTransaction::timer_fired(TransactionTimer timer) {
  if (timer == TransactionTimer::kJ && state_ == TransactionState::kCompleted) {
    state_ = TransactionState::kTerminated;
  }
}

void NonInviteServerTransaction::transport_failed() {
  if (state_ == TransactionState::kTerminated) return;
  state_ = TransactionState::kTerminated;
  context_.report_failure(TransactionFailure::kTransportError);
}

}  // namespace sippay::sip
