// A SIP user agent that carries payment messages as S/MIME bodies
// (docs/roles.md): it listens on TLS, registers with the proxy, sends every
// request through the proxy, seals what it sends (signed with the own key,
// then enveloped for the recipient's certificate) and opens what it
// receives (decrypted, then the signer verified against the CA and CRL as
// the From address of record) before the role's handler sees it.
//
// Runs on one asio::io_context thread; not thread safe. Only the sealing
// and opening run on a pool of `crypto_threads` threads of its own, and
// their results come back to the I/O thread. Bodies may finish out of
// order: of two messages, the later one can reach the handler or the wire
// first. A PendingReply is the one object that may be used from any thread.
#pragma once

#include <asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "roles/endpoint/endpoint_config.hpp"
#include "security/reloadable_trust_store.hpp"

namespace sippay::roles {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct InboundMessage {
  // From address of record (sip:user@host). With signer_verified it equals a
  // subjectAltName SIP URI of the verified signer (else 403 before the handler).
  std::string sender_uri;
  std::string content;  // the verified inner content: exact bytes (payment JSON); empty for a MESSAGE without body
  std::string call_id;
  std::optional<std::string> authorization;  // raw Authorization header value (SipPay scheme) for the merchant
  // False for a MESSAGE without body and, with EndpointConfig::accept_unsigned,
  // for an envelope around unsigned content: sender_uri is then only claimed.
  bool signer_verified = true;
};

struct Reply {
  int status = 200;
  std::string reason;  // empty: the usual phrase
  HeaderList headers;  // e.g. WWW-Authenticate
};

struct SendResult {
  int status = 0;  // 0 when no final response arrived
  std::string reason;
  HeaderList headers;  // every header field of the final response
  std::string error;   // why no final response arrived, or why nothing was sent

  bool succeeded() const { return status >= 200 && status < 300; }
  // "200 OK" or the error, for people and logs.
  std::string summary() const;
};

namespace detail {
// The I/O thread of an endpoint and how it sends a reply; in payment_endpoint.cpp.
struct ReplyTarget;
}  // namespace detail

// The reply to one received MESSAGE, for a handler that replies later.
// Move-only. send() may be called once, from any thread; the response goes
// out on the endpoint's I/O thread. A reply destroyed without send()
// sends 500. It must not outlive the endpoint's io_context; it may
// outlive the endpoint, and then sends nothing.
class PendingReply {
 public:
  PendingReply() = default;
  PendingReply(PendingReply&& other) noexcept;
  PendingReply& operator=(PendingReply&& other) noexcept;
  PendingReply(const PendingReply&) = delete;
  PendingReply& operator=(const PendingReply&) = delete;
  ~PendingReply();

  // Sends `reply`, at once when called on the I/O thread, else by posting
  // to it. Does nothing when already sent or moved from.
  void send(Reply reply);
  // True until send() is called or the reply is moved from.
  bool pending() const { return id_ != 0; }

 private:
  friend class PaymentEndpoint;
  PendingReply(std::shared_ptr<const detail::ReplyTarget> target, std::uint64_t id)
      : target_(std::move(target)), id_(id) {}
  void complete(Reply reply, bool dropped);

  std::shared_ptr<const detail::ReplyTarget> target_;
  std::uint64_t id_ = 0;
};

class PaymentEndpoint {
 public:
  using Handler = std::function<Reply(const InboundMessage&)>;
  // `message` is valid during the call only; the handler copies what it
  // needs and replies through `reply`, then or later.
  using AsyncHandler = std::function<void(const InboundMessage& message, PendingReply reply)>;
  using SendDone = std::function<void(const SendResult&)>;
  using CrlReloadDone = std::function<void(const security::Result<security::CrlInfo>&)>;

  // Loads the certificate, key, CA and CRL; throws ConfigError naming the
  // file when one cannot be used.
  PaymentEndpoint(asio::io_context& io, EndpointConfig config);
  ~PaymentEndpoint();
  PaymentEndpoint(const PaymentEndpoint&) = delete;
  PaymentEndpoint& operator=(const PaymentEndpoint&) = delete;

  // The handler runs on the I/O thread; it must commit durably before
  // returning 2xx (DESIGN.md §2, rule 6). Replaces any handler set before,
  // asynchronous ones included.
  void on_message(Handler handler);
  // As on_message, but the handler replies through a PendingReply, which it
  // may pass to another thread. The same durability rule holds for 2xx.
  void on_message_async(AsyncHandler handler);
  // Called with the outcome of every REGISTER (refreshes included).
  void on_registration(std::function<void(const SendResult&)> handler);

  // Listens and, with register_contact, registers. With a CRL and a
  // crl_check_interval, also checks the CRL file for a change every
  // interval and reloads it (see reload_crl). Returns the listen error.
  std::error_code start();
  // The TLS address the endpoint listens on, with the port the kernel chose.
  std::string local_address() const;

  // Signs `content` with the own key, envelopes it (AuthEnvelopedData) for
  // the recipient's certificate found in peer_certificates by its SAN SIP
  // URI, and sends MESSAGE to `to_uri` via the proxy with `headers` added.
  // `done` runs on the I/O thread, never inside this call.
  void send(std::string to_uri, std::string content, HeaderList headers, SendDone done);
  // As send, without the signature: Env_recipient(content). The purchase is
  // sent this way, because its signature is the dual signature inside.
  void send_unsigned(std::string to_uri, std::string content, HeaderList headers, SendDone done);
  // A MESSAGE without body (a probe for the merchant's SipPay challenge).
  void send_empty(std::string to_uri, HeaderList headers, SendDone done);

  // Unregisters, answers new requests with 503, and waits up to `limit`
  // for bodies being sealed or opened and for transactions in progress,
  // which include MESSAGEs whose PendingReply has not been sent; then
  // closes the sockets and calls `done`. After that the handler is not
  // called again, a reply sent late goes nowhere, and a body sealed late
  // fails its send. Destroying the endpoint instead waits only for crypto
  // jobs already running.
  void shutdown(std::chrono::milliseconds limit, std::function<void()> done);

  // Reads the CRL file again on the crypto pool. Every body sealed or
  // opened from then on uses a valid new CRL, while bodies in progress
  // finish with the CRL they started with. An invalid CRL leaves the CRL in
  // use. Logs the outcome: info on success, or an error naming the file and
  // the problem. Then calls `done`, if set, on the I/O thread.
  void reload_crl(CrlReloadDone done = {});
  // The operator CA and CRL that the endpoint checks signers with, for role
  // checks that must follow the same CRL (the merchant's dual signature).
  std::shared_ptr<security::ReloadableTrustStore> trust() const;

  const EndpointConfig& config() const;
  asio::io_context& io();

 private:
  struct State;
  static PendingReply make_reply(std::shared_ptr<const detail::ReplyTarget> target, std::uint64_t id) {
    return PendingReply(std::move(target), id);
  }

  std::unique_ptr<State> state_;
};

}  // namespace sippay::roles
