// The payment gateway's side of the purchase, without I/O: verification of a
// merchant's payment request, the transaction's states, the customer's
// confirmation, aborts, expiry and state inquiries.
//
// Invariants it keeps (docs/protocol.md, sections 8 and 9):
// - one transaction per (customer, purchase id) and per (merchant, order
//   ref); a repeated request gets the existing transaction's CR or outcome;
// - a refused purchase stays refused;
// - a CA posts only if its H(CR) equals the stored CR bytes' hash and the
//   deadline has not passed at the moment of the decision;
// - an abort for an order ref not seen yet is remembered, and a later
//   request for it is refused;
// - every outcome goes to both customer and merchant, naming the
//   transaction id, the purchase id and the order ref.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "payment/role_actions.hpp"

namespace sippay::payment {

struct GatewayRecord {
  std::string transaction_id;
  // The DS signer. Null for a refusal decided before the DS was verified;
  // such a record is keyed on the order ref only.
  std::optional<std::string> customer;
  std::string purchase_id;
  std::string merchant;
  std::string merchant_order_ref;
  Sha256Digest order_hash{};
  std::int64_t amount = 0;
  std::string currency;
  TransactionState state = TransactionState::kPending;
  std::optional<ReasonCode> reason;  // set for every state except pending and settled
  UtcTime expires{};                 // the CA deadline, for pending
  UtcTime created_at{};
  UtcTime updated_at{};
  std::string confirmation_request;  // the exact CR bytes; empty unless a CR was issued

  bool operator==(const GatewayRecord&) const = default;
};

// The gateway's durable state. The host runs each GatewayMachine call inside
// one database transaction, so the unique keys are checked in the same
// transaction that creates the pending transfer.
class GatewayStore {
 public:
  virtual ~GatewayStore() = default;
  virtual std::optional<GatewayRecord> find_by_id(std::string_view transaction_id) = 0;
  virtual std::optional<GatewayRecord> find_by_purchase(std::string_view customer,
                                                        std::string_view purchase_id) = 0;
  virtual std::optional<GatewayRecord> find_by_order_ref(std::string_view merchant,
                                                         std::string_view order_ref) = 0;
  // Inserts a new record. Fails (throws) when a key exists.
  virtual void insert(const GatewayRecord& record) = 0;
  virtual void update(const GatewayRecord& record) = 0;
  virtual bool abort_remembered(std::string_view merchant, std::string_view order_ref) = 0;
  virtual void remember_abort(std::string_view merchant, std::string_view order_ref) = 0;
  // Pending records whose deadline is at or before `now`.
  virtual std::vector<GatewayRecord> pending_due(UtcTime now) = 0;
};

enum class PinCheck : unsigned char { kOk, kWrong, kLocked, kUnknownAccount, kAccountFrozen };
enum class FundsCheck : unsigned char {
  kReserved,
  kInsufficient,
  kUnsupportedCurrency,
  kAccountFrozen,
  kUnknownAccount
};

struct DualSignatureCheck {
  enum class Status : unsigned char { kValid, kInvalid, kRevoked } status = Status::kInvalid;
  std::string content;  // the encapsulated content, when kValid
  std::string signer;   // the signer's SIP URI from its certificate, empty when unknown
};

// Crypto and ledger operations whose result the gateway needs at once.
class GatewayServices {
 public:
  virtual ~GatewayServices() = default;
  // Decrypts Env_G(bundle). Nothing when it cannot be decrypted.
  virtual std::optional<std::string> open_payment_envelope(std::string_view envelope) = 0;
  virtual DualSignatureCheck verify_dual_signature(std::string_view dual_signature) = 0;
  // Checks the PIN, counting failures towards the lockout.
  virtual PinCheck check_pin(std::string_view account, std::string_view pin) = 0;
  // Reserves the funds as a pending transfer with id `transaction_id` that
  // expires at `expires`, debiting `account` and crediting `merchant`.
  virtual FundsCheck reserve_funds(std::string_view transaction_id, std::string_view account,
                                   std::string_view merchant, std::int64_t amount,
                                   std::string_view currency, UtcTime expires) = 0;
};

struct GatewayConfig {
  // The customer's time to confirm. Shorter than any merchant's
  // reservation deadline.
  std::chrono::seconds confirmation_timeout{120};
};

class GatewayMachine {
 public:
  GatewayMachine(GatewayStore& store, GatewayServices& services, IdSource& ids,
                 GatewayConfig config = {})
      : store_(store), services_(services), ids_(ids), config_(config) {}

  // `signer` is the SIP URI of the payment request's CMS signer.
  Handled on_payment_request(std::string_view signer, const PaymentRequest& request, UtcTime now);
  // `signer` is the SIP URI of the CA's CMS signer.
  Handled on_confirmation_ack(std::string_view signer, const ConfirmationAck& ack, UtcTime now);
  Handled on_abort_request(std::string_view signer, const AbortRequest& request, UtcTime now);
  Handled on_state_inquiry(std::string_view signer, const StateInquiry& inquiry, UtcTime now);
  // Expires every pending transaction whose deadline passed. Run it after
  // every restart and periodically.
  std::vector<Action> expire_due(UtcTime now);

 private:
  Handled refuse(GatewayRecord record, ReasonCode reason, UtcTime now);
  // Moves a pending record to a final failure state and voids its transfer.
  void fail_pending(GatewayRecord& record, TransactionState state, ReasonCode reason, UtcTime now,
                    std::vector<Action>& actions);
  // The messages that repeat a record's current outcome to `to`.
  void repeat_outcome(const GatewayRecord& record, std::string_view to, UtcTime now,
                      std::vector<Action>& actions);
  void send_notices(const GatewayRecord& record, UtcTime now, std::vector<Action>& actions);
  void send_receipts(const GatewayRecord& record, std::vector<Action>& actions);
  FailureNotice notice_for(const GatewayRecord& record, UtcTime now);
  Receipt receipt_for(const GatewayRecord& record);

  GatewayStore& store_;
  GatewayServices& services_;
  IdSource& ids_;
  GatewayConfig config_;
};

}  // namespace sippay::payment
