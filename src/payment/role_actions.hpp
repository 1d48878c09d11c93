// What the per-role state machines ask their host to do. A machine never
// does I/O: it returns actions, and the host (the role's daemon) applies
// them inside the same database transaction as the machine's store writes,
// then answers the SIP request with `sip_status`.
//
// Operations whose result the machine needs at once (decrypting, verifying,
// checking a PIN, reserving funds or stock) are calls on the role's service
// interface instead.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "payment/messages.hpp"

namespace sippay::payment {

// A protocol message to queue in the durable outbox. `bytes` is the JSON the
// host signs and envelopes for `to` (a SIP URI) as docs/protocol.md's
// message table says; the outbox resends it until `to` answers 2xx.
// An empty `bytes` is a MESSAGE without body (a wallet asking a merchant for
// a challenge). `headers` are SIP header fields for the request, as (name,
// value), such as the SipPay Authorization of a purchase.
struct SendMessage {
  SendMessage() = default;
  SendMessage(std::string to_uri, MessageType message_type, std::string message_bytes,
              std::vector<std::pair<std::string, std::string>> header_fields = {})
      : to(std::move(to_uri)),
        type(message_type),
        bytes(std::move(message_bytes)),
        headers(std::move(header_fields)) {}

  std::string to;
  MessageType type = MessageType::kReceipt;
  std::string bytes;
  std::vector<std::pair<std::string, std::string>> headers;

  bool operator==(const SendMessage&) const = default;
};

// Gateway: post or void the pending transfer of a transaction.
struct PostTransfer {
  std::string transaction_id;
  bool operator==(const PostTransfer&) const = default;
};
struct VoidTransfer {
  std::string transaction_id;
  bool operator==(const VoidTransfer&) const = default;
};

// Merchant: give the reserved stock of an order back, or hand it over as
// sold. Each happens at most once per order ref.
struct ReleaseStock {
  std::string merchant_order_ref;
  bool operator==(const ReleaseStock&) const = default;
};
struct DeliverOrder {
  std::string merchant_order_ref;
  bool operator==(const DeliverOrder&) const = default;
};

using Action = std::variant<SendMessage, PostTransfer, VoidTransfer, ReleaseStock, DeliverOrder>;

// The outcome of handling one received message.
struct Handled {
  // The SIP status to answer with after the host committed: 200 or an error
  // from docs/protocol.md's response table.
  int sip_status = 200;
  std::string reason;  // for an error status: the reason phrase, naming the fault
  // SIP header fields for the response, as (name, value): a SipPay
  // WWW-Authenticate with a 401, an Authentication-Info with a 200.
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<Action> actions;
};

// Draws new ids (message ids, transaction ids, order refs). Production
// draws 128 random bits; tests count.
class IdSource {
 public:
  virtual ~IdSource() = default;
  virtual std::string new_id() = 0;
};

}  // namespace sippay::payment
