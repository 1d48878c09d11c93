// The UA core (RFC 3261 §8, RFC 3428). It sends MESSAGE requests and
// responds to the Digest challenges they get (§22.2). It passes each
// received MESSAGE to a handler that chooses the final response, at once or
// later through a MessageResponder, responds to OPTIONS (§11), and
// registers contacts (§10.2, see Registration).
//
// Runs on one asio::io_context thread, with its own transport and
// transaction layers. Not thread safe.
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sip/auth/digest.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "sip/transport/transport.hpp"
#include "sip/ua/challenge_cache.hpp"
#include "sip/ua/request_builder.hpp"

namespace sippay::sip {

struct UserAgentSettings {
  TransportSettings transport;
  TimerConfig timers;
  std::string user_agent = "sippay";
  // Content types accepted in MESSAGE bodies; others get 415 with Accept.
  std::vector<std::string> accepted_content_types = {"text/plain", "application/pkcs7-mime"};
  // MESSAGE bodies above this get 413 (RFC 3428 §7).
  std::size_t max_message_body_bytes = 16384;
};

// The final result of a request the UA sent.
struct RequestOutcome {
  int status_code = 0;  // 0 when no final response arrived
  std::string reason_phrase;
  std::optional<TransactionFailure> failure;
  std::string error;  // set when the request could not be sent at all
  std::optional<std::uint32_t> granted_expires;  // REGISTER: the binding's lifetime
  std::optional<std::uint32_t> min_expires;      // REGISTER: from a 423
  // Every header field of the final response as (name as written, value),
  // for callers that read headers of their own (WWW-Authenticate of another
  // scheme, Authentication-Info).
  std::vector<std::pair<std::string, std::string>> headers;

  bool succeeded() const { return status_code >= 200 && status_code < 300; }
  // "200 OK", "timeout", or the error, for people and logs.
  std::string summary() const;
};

struct OutgoingMessage {
  std::string to_uri;                    // Request-URI and To
  std::string from_uri;                  // From; empty: sip:anonymous@ the local address
  std::optional<std::string> proxy_uri;  // send through this proxy with a Route header
  std::string content_type = "text/plain";  // written as given, parameters included
  std::string body;
  std::optional<DigestCredentials> credentials;
  std::string extra_headers;  // whole header lines, each ending in CRLF
};

// A request in progress at the UAC, kept across its retry with credentials.
struct UacRequest {
  RequestSpec spec;  // Via, CSeq and credentials are filled in when sent
  std::optional<std::string> proxy_uri;
  std::optional<DigestCredentials> credentials;
  std::function<void(const RequestOutcome&)> done;
  std::string base_extra_headers;  // the spec's own extra headers
  int authentication_attempts = 0;
  std::string next_hop;  // the transport address of the latest send
  // The credentials line answering the last 401 or 407, and the challenge
  // it answers, which the UA keeps for later requests when this one succeeds.
  std::string challenge_answer;
  std::optional<ProtectionSpace> answered_space;
  std::optional<StoredChallenge> answered_challenge;
  // Credentials computed from kept challenges for the latest send.
  std::vector<PreemptiveCredentials> preemptive;
};

class UserAgent {
 public:
  struct MessageReply {
    int status_code = 200;  // 2xx, or a failure code
    std::string reason_phrase;  // empty: the usual phrase
    std::string extra_headers;  // whole header lines, each ending in CRLF
  };
  using ServerTransactionId = TransactionLayer::ServerTransactionId;

  // Sends the final response to one received MESSAGE, while its server
  // transaction waits in Trying and absorbs retransmissions (§17.2.2).
  // Move-only. Call and destroy it on the I/O thread. Destroying it
  // without a call sends 500, so that no transaction waits forever.
  class MessageResponder {
   public:
    MessageResponder() = default;
    MessageResponder(MessageResponder&& other) noexcept;
    MessageResponder& operator=(MessageResponder&& other) noexcept;
    MessageResponder(const MessageResponder&) = delete;
    MessageResponder& operator=(const MessageResponder&) = delete;
    ~MessageResponder();

    // Sends `reply`. Returns false, sending nothing, when this responder
    // was used or moved from, or when the transaction or the UA is gone
    // (a transport failure, or the UA destroyed).
    bool respond(MessageReply reply);
    // True until respond() is called or the responder is moved from.
    bool pending() const { return id_ != 0; }

   private:
    friend class UserAgent;
    MessageResponder(std::weak_ptr<UserAgent*> agent, ServerTransactionId id)
        : agent_(std::move(agent)), id_(id) {}

    std::weak_ptr<UserAgent*> agent_;
    ServerTransactionId id_ = 0;
  };

  using MessageHandler = std::function<MessageReply(const ReceivedMessage& request)>;
  // `request` and the string views in it are valid during the call only, so
  // copy what the response needs later.
  using AsyncMessageHandler = std::function<void(const ReceivedMessage& request, MessageResponder responder)>;
  using OutcomeHandler = std::function<void(const RequestOutcome& outcome)>;

  UserAgent(asio::io_context& io, UserAgentSettings settings);
  ~UserAgent();
  UserAgent(const UserAgent&) = delete;
  UserAgent& operator=(const UserAgent&) = delete;

  std::error_code start();
  // Rejects new requests with 503 from now on and waits until no transaction
  // waits for a final response or `limit` passes. Then closes the transport
  // and calls `done`. MESSAGEs whose responders are still pending hold the
  // shutdown like any transaction in progress.
  void shutdown(std::chrono::milliseconds limit, std::function<void()> done);

  // Sets the handler of received MESSAGEs, replacing the one set before.
  // Without a handler every MESSAGE gets 200.
  void on_message(MessageHandler handler);
  void on_message_async(AsyncMessageHandler handler);
  void send_message(OutgoingMessage message, OutcomeHandler done);

  // Sends the request to its Request-URI, or to `proxy_uri` with a Route
  // header, and retries once with credentials after a 401 or 407 (§22.2),
  // with the next CSeq. After a success with credentials, later requests to
  // the same protection space carry credentials for the same nonce at once
  // (see ChallengeCache). Used by send_message and Registration.
  void send_request(std::shared_ptr<UacRequest> request);

  TransportLayer& transport() { return *transport_; }
  TransactionLayer& transactions() { return *transactions_; }
  asio::io_context& io() { return io_; }
  const UserAgentSettings& settings() const { return settings_; }

 private:
  void handle_request(TransactionLayer::ServerTransactionId id, const ReceivedMessage& request);
  void handle_stateless_request(const ReceivedMessage& request);
  void handle_message_request(TransactionLayer::ServerTransactionId id, const ReceivedMessage& request);
  void respond(TransactionLayer::ServerTransactionId id, const ReceivedMessage& request, int code,
               std::string_view reason = {}, std::string extra_headers = {});
  // Sends the final response of a MESSAGE through its server transaction,
  // for MessageResponder. False when the transaction no longer waits.
  bool respond_to_message(ServerTransactionId id, MessageReply reply);
  void poll_shutdown(std::chrono::steady_clock::time_point deadline, std::function<void()> done);
  void finish_request(const std::shared_ptr<UacRequest>& request, const ReceivedMessage& response);
  // Sets the request's credential lines: the answer to its last challenge,
  // and credentials from kept challenges for the other protection spaces of
  // its next hop. Nonce counts are taken here, at send time, so requests
  // leave with increasing counts in the order they are sent.
  void add_credentials(UacRequest& request);

  asio::io_context& io_;
  UserAgentSettings settings_;
  std::unique_ptr<TransportLayer> transport_;
  ChallengeCache challenges_;  // Digest challenges reused by send_request
  std::unique_ptr<TransactionTransport> transaction_transport_;
  std::unique_ptr<AsioTimerService> timers_;
  std::unique_ptr<TransactionLayer> transactions_;
  AsyncMessageHandler message_handler_;
  bool draining_ = false;
  asio::steady_timer shutdown_timer_;
  // Points to this UA until its destruction begins. MessageResponders keep
  // a weak_ptr to it, so one that outlives the UA sends nothing.
  std::shared_ptr<UserAgent*> lifetime_ = std::make_shared<UserAgent*>(this);
};

}  // namespace sippay::sip
