// The SIP transport layer (RFC 3261 §18): UDP, TCP and TLS over IPv4 and
// IPv6, on standalone Asio with C++20 coroutines.
//
// A TransportLayer owns its listening sockets and connections. It hands each
// received, parsed message to one ReceiveHandler, and sends requests and
// responses by the rules of §18.1 and §18.2.2 (with RFC 3581 rport). It is
// driven by one asio::io_context and is not thread safe: call it from that
// context's thread, or post to it.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "sip/limits.hpp"
#include "sip/message.hpp"
#include "sip/transport/transport_error.hpp"

namespace sippay::sip {

enum class TransportProtocol : std::uint8_t { kUdp, kTcp, kTls };

// "UDP", "TCP", "TLS": the Via transport token (§20.42).
std::string_view to_via_token(TransportProtocol protocol);
bool is_reliable(TransportProtocol protocol);
// 5060 for UDP and TCP, 5061 for TLS (§19.1.2).
std::uint16_t default_port(TransportProtocol protocol);

struct TransportAddress {
  TransportProtocol protocol = TransportProtocol::kUdp;
  asio::ip::address address;
  std::uint16_t port = 0;

  bool operator==(const TransportAddress&) const = default;
  std::string to_string() const;  // "udp:127.0.0.1:5060", "tls:[::1]:5061"
};

// Parses "udp:127.0.0.1:5090", "tcp:[::1]:5090" or "tls:0.0.0.0:5061". The
// protocol is case-insensitive; without a port, the protocol's default port.
std::optional<TransportAddress> parse_transport_address(std::string_view text);

// A message as received, with where it came from. `connection_id` names the
// TCP or TLS connection it arrived on (0 for UDP), so a response can go back
// on the same connection (§18.2.2).
struct ReceivedMessage {
  Message message;  // owns its bytes
  TransportAddress source;
  TransportAddress local;
  std::uint64_t connection_id = 0;
};

// A received message that failed to parse, for an element that responds to
// it (400, 513) instead of only dropping it. Valid during the handler call.
struct UnparsableMessage {
  std::string_view bytes;
  const ParseError* error = nullptr;
  TransportAddress source;
  TransportAddress local;
  std::uint64_t connection_id = 0;  // 0 for UDP
};

struct TlsSettings {
  std::string certificate_file;  // PEM chain of this element
  std::string private_key_file;  // PEM
  std::string ca_file;           // PEM CAs that peers' certificates must chain to
  // Servers: ask for and verify a client certificate (mutual TLS).
  bool require_client_certificate = false;
  // Clients: check the server's certificate against the target's host
  // (RFC 5922 §7.3: a SIP URI or DNS name in subjectAltName).
  bool verify_server = true;
  // PEM CRLs (one or more, each from a CA of ca_file) that every verified
  // peer certificate is checked against, in both directions: a revoked
  // peer fails the handshake. Empty: no revocation check. Needs ca_file,
  // and a CRL for each CA in it. See make_crl_store for the checks, and
  // TransportLayer::reload_tls_crl to replace it while running.
  std::string crl_file = {};
};

// The outcome of TransportLayer::reload_tls_crl; an empty error on success.
struct TlsCrlReloadResult {
  std::error_code error;
  std::string detail;  // on error: the file and the problem
};

struct TransportSettings {
  std::vector<TransportAddress> listen;  // port 0 picks a free port
  std::optional<TlsSettings> tls;
  ParseLimits limits;
  // A TCP or TLS connection with no byte read or written for this long is closed.
  std::chrono::milliseconds connection_idle_timeout{std::chrono::seconds(300)};
  // Bound on a TCP connect plus the TLS handshake, outbound and inbound.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  // Open and opening TCP and TLS connections. An inbound connection beyond it
  // is rejected; an outbound one closes the connection idle the longest, or
  // fails with TransportError::kConnectionLimit when none is idle.
  std::size_t max_connections = 1024;
  // §18.1.1: a request larger than this over UDP goes over TCP instead.
  std::size_t udp_mtu_bytes = 1300;
};

// Counts since construction, for tests and metrics.
struct TransportStats {
  std::uint64_t messages_received = 0;     // handed to the ReceiveHandler
  std::uint64_t datagrams_dropped = 0;     // UDP datagrams that failed to parse
  std::uint64_t stream_messages_dropped = 0;  // framed TCP or TLS messages that failed to parse
  std::uint64_t framing_errors = 0;        // connections closed for a framing error
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_rejected = 0;  // inbound beyond max_connections
  std::uint64_t connections_evicted = 0;   // idle ones closed to open an outbound one
  std::uint64_t idle_timeouts = 0;
  std::uint64_t tls_handshake_failures = 0;
};

class TransportLayer {
 public:
  using ReceiveHandler = std::function<void(ReceivedMessage)>;
  // Called once per send, later from the io_context and never inside the
  // send call: an empty error_code when the bytes were handed to the kernel
  // (UDP) or written to the connection (TCP, TLS). Not called once the
  // TransportLayer is destroyed. May be empty.
  using SendHandler = std::function<void(std::error_code)>;
  // Called for each received message that fails to parse, after the
  // transport counted and logged it.
  using ParseErrorHandler = std::function<void(const UnparsableMessage& message)>;
  // Called once for each TCP or TLS connection that closes, inbound or
  // outbound, with the reason. TransportError::kConnectionClosed means the
  // peer closed it. A system or TLS error means it failed (connection
  // reset, refused, timed out). kIdleTimeout, kConnectionLimit,
  // kFramingError and kStopped mean this transport closed it. Called later
  // from the io_context, never inside a call to the TransportLayer, and not
  // once the TransportLayer is destroyed.
  using ConnectionClosedHandler =
      std::function<void(std::uint64_t connection_id, std::error_code reason)>;

  TransportLayer(asio::io_context& io, TransportSettings settings, ReceiveHandler on_receive);
  ~TransportLayer();
  TransportLayer(const TransportLayer&) = delete;
  TransportLayer& operator=(const TransportLayer&) = delete;

  // Opens every listening socket. Returns the first failure.
  std::error_code start();
  // Closes listeners and connections; pending sends complete with an error.
  void stop();

  // The bound addresses, with the ports the kernel chose for port 0.
  std::vector<TransportAddress> local_addresses() const;
  // The local address used to send over `protocol` toward `destination`,
  // for the sent-by of a Via header field: the listening address of that
  // protocol and family, with a wildcard address replaced by the address of
  // the route to `destination`. Nullopt when none listens.
  std::optional<TransportAddress> local_address_for(TransportProtocol protocol,
                                                    const asio::ip::address& destination) const;

  // §18.1.1: the protocol for a request of `size_bytes` meant for UDP: TCP
  // when it exceeds `udp_mtu_bytes`, so the caller writes TCP in its Via.
  TransportProtocol protocol_for_request(TransportProtocol wanted, std::size_t size_bytes) const;

  // Sends a request to `destination`. A TCP or TLS connection to it is
  // reused when one is open, else opened. `tls_server_name` is the host the
  // server's certificate must match (§26.3.1), empty to use the address.
  // Over UDP the bytes go as they are whatever their size, so call
  // protocol_for_request first. Returns the id of the TCP or TLS connection
  // the request goes out on, which the ConnectionClosedHandler names when
  // it closes; 0 for UDP and for a send that fails at once.
  std::uint64_t send_request(std::string bytes, const TransportAddress& destination,
                             std::string tls_server_name, SendHandler done);

  // Sends a response by §18.2.2 and RFC 3581: over the connection the
  // request came on while it is open; else to the top Via's `received`
  // address (or sent-by) and `rport` (or sent-by port, or the default port).
  void send_response(std::string bytes, const ReceivedMessage& request, SendHandler done);

  // Sets the handler for messages that fail to parse; none by default.
  void on_parse_error(ParseErrorHandler handler);
  // Sets the handler for closed TCP and TLS connections; none by default.
  void on_connection_closed(ConnectionClosedHandler handler);

  // Sends `bytes` back to where an unparsable message came from, which has
  // no usable Via: on its connection while that is open, else to its source
  // address (over UDP from the socket it arrived on).
  void send_to_source(std::string bytes, const UnparsableMessage& message, SendHandler done);

  // Replaces the CRLs of TlsSettings::crl_file with those of `crl_file`, on
  // both the server and the client side, for every handshake that verifies
  // a peer certificate from now on. Reads and parses the file on the
  // calling thread. Connections already open stay open, even when the new
  // CRL revokes their peer. Fails with kTlsNotConfigured without
  // TransportSettings::tls, kStopped before start(), kInvalidSettings
  // when the CA file is empty or cannot be read, and kInvalidCrl when
  // `crl_file` cannot be used. On failure the CRL in use (or none) stays.
  TlsCrlReloadResult reload_tls_crl(const std::string& crl_file);

  // Whether the TLS connection `connection_id` (ReceivedMessage::connection_id)
  // is still open and its peer presented a certificate that verified against
  // the trusted CAs and names `host` (see certificate_matches): a domain, as
  // a sip URI without user part or a dNSName, or an IP address. False for
  // UDP, TCP and closed connections.
  bool peer_certificate_matches(std::uint64_t connection_id, std::string_view host) const;

  // Counters for tests and metrics. open_connections() counts connections
  // being opened too.
  std::size_t open_connections() const;
  TransportStats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sippay::sip
