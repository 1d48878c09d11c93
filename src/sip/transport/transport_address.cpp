// TransportProtocol and TransportAddress: names, default ports, text form.
#include <asio/ip/address.hpp>
#include <charconv>
#include <string>

#include "sip/transport/transport.hpp"

namespace sippay::sip {
namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) {
      return false;
    }
  }
  return true;
}

std::optional<TransportProtocol> parse_protocol(std::string_view text) {
  if (equals_ignoring_case(text, "udp")) return TransportProtocol::kUdp;
  if (equals_ignoring_case(text, "tcp")) return TransportProtocol::kTcp;
  if (equals_ignoring_case(text, "tls")) return TransportProtocol::kTls;
  return std::nullopt;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string_view to_via_token(TransportProtocol protocol) {
  switch (protocol) {
    case TransportProtocol::kUdp:
      return "UDP";
    case TransportProtocol::kTcp:
      return "TCP";
    case TransportProtocol::kTls:
      return "TLS";
  }
  return "UDP";
}

bool is_reliable(TransportProtocol protocol) { return protocol != TransportProtocol::kUdp; }

std::uint16_t default_port(TransportProtocol protocol) {
  return protocol == TransportProtocol::kTls ? 5061 : 5060;
}

std::string TransportAddress::to_string() const {
  std::string out;
  switch (protocol) {
    case TransportProtocol::kUdp:
      out = "udp:";
      break;
    case TransportProtocol::kTcp:
      out = "tcp:";
      break;
    case TransportProtocol::kTls:
      out = "tls:";
      break;
  }
  if (address.is_v6()) {
    out += '[';
    out += address.to_string();
    out += ']';
  } else {
    out += address.to_string();
  }
  out += ':';
  out += std::to_string(port);
  return out;
}

std::optional<TransportAddress> parse_transport_address(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  const auto protocol = parse_protocol(text.substr(0, colon));
  if (!protocol) {
    return std::nullopt;
  }
  std::string_view rest = text.substr(colon + 1);

  // The host is a bracketed IPv6 address or an IPv4 address, then ":port".
  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return std::nullopt;
      }
      port_text = after.substr(1);
      has_port = true;
    }
  } else {
    const std::size_t port_colon = rest.find(':');
    host = rest.substr(0, port_colon);
    if (port_colon != std::string_view::npos) {
      port_text = rest.substr(port_colon + 1);
      has_port = true;
    }
  }

  std::error_code error;
  const asio::ip::address address = asio::ip::make_address(std::string(host), error);
  if (error) {
    return std::nullopt;
  }
  // A bare IPv6 address needs brackets, or its last group would read as the port.
  if (address.is_v6() && (rest.empty() || rest.front() != '[')) {
    return std::nullopt;
  }

  std::uint16_t port = default_port(*protocol);
  if (has_port) {
    const auto parsed = parse_port(port_text);
    if (!parsed) {
      return std::nullopt;
    }
    port = *parsed;
  }
  return TransportAddress{*protocol, address, port};
}

}  // namespace sippay::sip
