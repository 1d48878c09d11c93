// The merchant's side of the purchase, without I/O: the SipPay challenge,
// order verification, stock reservation, forwarding to the gateway, and
// the gateway's outcomes.
//
// Invariants it keeps (docs/protocol.md, sections 8 and 9):
// - a purchase without valid credentials gets 401 before any decryption,
//   unless it is a retransmission of a purchase already held;
// - a purchase id already held is a retransmission: same reservation, same
//   order ref, nothing forwarded again, no new challenge;
// - stock is released only on the gateway's word (a failure notice, or an
//   abort answer in a state other than settled), never on its own clock;
//   when the reservation deadline passes it asks the gateway to abort.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "payment/auth_scheme.hpp"
#include "payment/gateway_machine.hpp"
#include "payment/role_actions.hpp"

namespace sippay::payment {

enum class MerchantState : unsigned char {
  kRefused,    // refused by the merchant; nothing reserved
  kForwarded,  // stock reserved, request queued for the gateway
  kSettled,    // paid; the order was delivered
  kReleased,   // the gateway refused, or the purchase expired or aborted; stock released
};

struct MerchantRecord {
  std::string purchase_id;
  std::string customer;  // the DS signer
  std::optional<std::string> merchant_order_ref;  // set unless refused by the merchant
  std::optional<std::string> transaction_id;      // learnt from the gateway's outcome
  std::string item_id;
  std::int64_t quantity = 0;
  std::int64_t amount = 0;
  std::string currency;
  MerchantState state = MerchantState::kForwarded;
  std::optional<ReasonCode> reason;
  UtcTime reservation_deadline{};
  std::optional<std::string> abort_message_id;  // set once the abort request is queued
  std::string notice;                           // the refusal notice sent, for repeats

  bool operator==(const MerchantRecord&) const = default;
};

// The merchant's durable memory: purchases, reservations, used nonces. The
// host runs each MerchantMachine call inside one database transaction.
class MerchantStore {
 public:
  virtual ~MerchantStore() = default;
  virtual std::optional<MerchantRecord> find_by_purchase(std::string_view purchase_id) = 0;
  virtual std::optional<MerchantRecord> find_by_order_ref(std::string_view order_ref) = 0;
  virtual void insert(const MerchantRecord& record) = 0;
  virtual void update(const MerchantRecord& record) = 0;
  // Forwarded records whose reservation deadline is at or before `now` and
  // that have no abort request yet.
  virtual std::vector<MerchantRecord> forwarded_due(UtcTime now) = 0;
};

struct CatalogItem {
  std::int64_t unit_price = 0;
  std::string currency;
};

class MerchantServices {
 public:
  virtual ~MerchantServices() = default;
  virtual DualSignatureCheck verify_dual_signature(std::string_view dual_signature) = 0;
  virtual std::optional<CatalogItem> find_item(std::string_view item_id) = 0;
  // Reserves `quantity` of the item for the order until `until`. False when
  // not enough is in stock.
  virtual bool reserve_stock(std::string_view order_ref, std::string_view item_id,
                             std::int64_t quantity, UtcTime until) = 0;
  // Issues a fresh single-use nonce, remembered durably until it expires.
  virtual std::string issue_nonce(UtcTime now) = 0;
  // Marks `nonce` used. False when it was never issued, is used or expired.
  virtual bool consume_nonce(std::string_view nonce, UtcTime now) = 0;
};

struct MerchantConfig {
  std::string uri;      // the merchant's SIP URI, as OI and its certificate name it
  std::string realm;    // the SipPay realm
  std::string gateway;  // the gateway's SIP URI
  // Longer than the gateway's confirmation timeout plus delivery time.
  std::chrono::seconds reservation_timeout{300};
  // Maximum distance between an OI's timestamp and the merchant's clock.
  std::chrono::seconds order_clock_window{300};
};

class MerchantMachine {
 public:
  MerchantMachine(MerchantStore& store, MerchantServices& services, IdSource& ids,
                  MerchantConfig config)
      : store_(store), services_(services), ids_(ids), config_(std::move(config)) {}

  // `credentials` is the SipPay Authorization header value, or nothing when
  // the request had none. `purchase` is the decrypted purchase, or nothing
  // when the host has not decrypted it (because it had no credentials).
  Handled on_purchase(const std::optional<PurchaseCredentials>& credentials,
                      const std::optional<Purchase>& purchase, UtcTime now);
  // Receipts, notices and abort answers, from `signer`.
  Handled on_receipt(std::string_view signer, const Receipt& receipt);
  Handled on_failure_notice(std::string_view signer, const FailureNotice& notice);
  Handled on_abort_answer(std::string_view signer, const AbortAnswer& answer);
  // Queues an abort request for each reservation whose deadline passed.
  // Releases nothing. Run it after every restart and periodically.
  std::vector<Action> request_due_aborts(UtcTime now);

 private:
  Handled challenge(UtcTime now);
  Handled repeat(const MerchantRecord& record, std::string_view signer);
  Handled refuse(MerchantRecord record, ReasonCode reason, UtcTime now);
  // Applies the gateway's final word to a forwarded record.
  void finish(MerchantRecord& record, bool settled, std::optional<std::string> transaction_id,
              std::vector<Action>& actions);

  MerchantStore& store_;
  MerchantServices& services_;
  IdSource& ids_;
  MerchantConfig config_;
};

}  // namespace sippay::payment
