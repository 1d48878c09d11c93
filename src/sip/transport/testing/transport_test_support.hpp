// Helpers for the transport tests: running an io_context until a condition
// holds, building SIP messages, and a TransportLayer that records what it
// receives.
#pragma once

#include <asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "sip/transport/transport.hpp"

namespace sippay::sip::testing {

using namespace std::chrono_literals;

// Runs `io` until `condition` is true or `limit` passes. Returns whether it became true.
inline bool run_until(asio::io_context& io, const std::function<bool()>& condition,
                      std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    if (io.stopped()) {
      io.restart();
    }
    io.run_one_until(deadline);
  }
  return true;
}

// An OPTIONS request with the given top Via, a body of `body_bytes` bytes
// of 'x', and a Content-Length.
inline std::string make_request(std::string_view via, std::string_view call_id = "call-1",
                                std::size_t body_bytes = 0) {
  std::string text = "OPTIONS sip:merchant@example.net SIP/2.0\r\n";
  text += "Via: ";
  text += via;
  text += "\r\n";
  text += "Max-Forwards: 70\r\n";
  text += "From: <sip:payer@example.com>;tag=a1\r\n";
  text += "To: <sip:merchant@example.net>\r\n";
  text += "Call-ID: ";
  text += call_id;
  text += "\r\n";
  text += "CSeq: 1 OPTIONS\r\n";
  if (body_bytes > 0) {
    text += "Content-Type: text/plain\r\n";
  }
  text += "Content-Length: " + std::to_string(body_bytes) + "\r\n\r\n";
  text.append(body_bytes, 'x');
  return text;
}

// A 200 response to `request` with the request's Via header fields.
inline std::string make_response(const Message& request) {
  std::string text = "SIP/2.0 200 OK\r\n";
  for (const Via& via : request.vias()) {
    text += "Via: ";
    text += via.text;
    text += "\r\n";
  }
  text += "From: <sip:payer@example.com>;tag=a1\r\n";
  text += "To: <sip:merchant@example.net>;tag=b2\r\n";
  text += "Call-ID: ";
  text += request.call_id();
  text += "\r\n";
  text += "CSeq: 1 OPTIONS\r\n";
  text += "Content-Length: 0\r\n\r\n";
  return text;
}

// A TransportLayer that keeps every message it receives.
struct RecordingTransport {
  RecordingTransport(asio::io_context& io, TransportSettings settings)
      : layer(io, std::move(settings), [this](ReceivedMessage message) {
          received.push_back(std::move(message));
        }) {}

  // The first bound address of `protocol`.
  TransportAddress address(TransportProtocol protocol) const {
    for (const auto& address : layer.local_addresses()) {
      if (address.protocol == protocol) {
        return address;
      }
    }
    return {};
  }

  std::vector<ReceivedMessage> received;
  TransportLayer layer;
};

// Records the result of one send.
struct SendResult {
  std::optional<std::error_code> error;

  TransportLayer::SendHandler handler() {
    return [this](std::error_code result) { error = result; };
  }
  bool done() const { return error.has_value(); }
};

inline TransportAddress loopback(TransportProtocol protocol, bool ipv6 = false) {
  return {protocol,
          ipv6 ? asio::ip::address(asio::ip::address_v6::loopback())
               : asio::ip::address(asio::ip::address_v4::loopback()),
          0};
}

}  // namespace sippay::sip::testing
