// Errors of the SIP transport layer that are not errors of the operating
// system or of OpenSSL. SendHandlers receive these, the system's errors
// (connection refused, timed out) and Asio's SSL errors.
#pragma once

#include <system_error>

namespace sippay::sip {

enum class TransportError {
  kStopped = 1,          // stop() was called, or start() never was
  kConnectionLimit,      // max_connections reached and no connection is idle
  kNoTransport,          // no listening socket of that protocol and address family
  kTlsNotConfigured,     // TLS requested but TransportSettings::tls is empty
  kFramingError,         // the peer sent bytes that do not frame as SIP messages
  kIdleTimeout,          // no byte read or written for connection_idle_timeout
  kConnectionClosed,     // the connection closed before the bytes were written
  kNoVia,                // a response was requested for a request without Via
  kInvalidSettings,      // TransportSettings that cannot work, see the log
  kInvalidCrl,           // a CRL file that cannot be read, parsed or checked against the CAs
};

const std::error_category& transport_category();
std::error_code make_error_code(TransportError error);

}  // namespace sippay::sip

template <>
struct std::is_error_code_enum<sippay::sip::TransportError> : std::true_type {};
