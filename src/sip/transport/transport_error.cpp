#include "sip/transport/transport_error.hpp"

#include <string>

namespace sippay::sip {
namespace {

class TransportCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sip.transport"; }

  std::string message(int value) const override {
    switch (static_cast<TransportError>(value)) {
      case TransportError::kStopped:
        return "SIP transport is not running";
      case TransportError::kConnectionLimit:
        return "connection limit reached and no connection is idle";
      case TransportError::kNoTransport:
        return "no listening socket for this protocol and address family";
      case TransportError::kTlsNotConfigured:
        return "TLS is not configured";
      case TransportError::kFramingError:
        return "invalid SIP message framing on the connection";
      case TransportError::kIdleTimeout:
        return "connection idle timeout";
      case TransportError::kConnectionClosed:
        return "connection closed";
      case TransportError::kNoVia:
        return "request has no Via header field to route the response by";
      case TransportError::kInvalidSettings:
        return "invalid transport settings";
      case TransportError::kInvalidCrl:
        return "invalid TLS CRL file";
    }
    return "unknown SIP transport error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& transport_category() {
  static const TransportCategory category;
  return category;
}

std::error_code make_error_code(TransportError error) {
  return {static_cast<int>(error), transport_category()};
}

}  // namespace sippay::sip
