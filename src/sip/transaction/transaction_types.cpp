#include "sip/transaction/transaction_types.hpp"

namespace sippay::sip {

std::string_view to_string(TransactionState state) {
  switch (state) {
    case TransactionState::kTrying:
      return "Trying";
    case TransactionState::kProceeding:
      return "Proceeding";
    case TransactionState::kCompleted:
      return "Completed";
    case TransactionState::kTerminated:
      return "Terminated";
  }
  return "unknown";
}

std::string_view to_string(TransactionTimer timer) {
  switch (timer) {
    case TransactionTimer::kE:
      return "E";
    case TransactionTimer::kF:
      return "F";
    case TransactionTimer::kK:
      return "K";
    case TransactionTimer::kJ:
      return "J";
  }
  return "unknown";
}

std::string_view to_string(TransactionFailure failure) {
  switch (failure) {
    case TransactionFailure::kTimeout:
      return "timeout";
    case TransactionFailure::kTransportError:
      return "transport error";
  }
  return "unknown";
}

}  // namespace sippay::sip
