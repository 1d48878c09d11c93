// The customer wallet's side of the purchase, without I/O: building OI, PI
// and DS, answering the merchant's challenge, the confirmation, and the
// outcome.
//
// Invariants it keeps (docs/protocol.md, section 8):
// - one purchase id per intended purchase, kept through every 401 retry
//   and retransmission;
// - at most one confirmation request per purchase id: a repeat of the same
//   one gets the stored ack again, another one is ignored;
// - a confirmation request whose order hash, merchant or amount differ from
//   the purchase is declined without asking the user.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "payment/auth_scheme.hpp"
#include "payment/role_actions.hpp"

namespace sippay::payment {

// What the customer wants to buy, from the offer.
struct Offer {
  std::string merchant;
  std::string item_id;
  std::int64_t quantity = 1;
  std::int64_t unit_price = 0;
  std::string currency;

  bool operator==(const Offer&) const = default;
};

enum class WalletState : unsigned char {
  kSubmitting,  // waiting for the merchant to accept the purchase
  kSubmitted,   // accepted by the merchant; waiting for the gateway
  kConfirming,  // a CR arrived; waiting for the user or for the outcome
  kSettled,
  kFailed,
};

struct WalletRecord {
  std::string purchase_id;
  Offer offer;
  WalletState state = WalletState::kSubmitting;
  // The PI bytes, which contain the PIN. The host keeps them in memory only
  // and drops them once the purchase left kSubmitting.
  std::string payment_information;
  std::string realm;  // the merchant's SipPay realm, from its challenge
  std::string order;  // the exact bytes of the last OI sent
  int challenges = 0;
  std::string confirmation_request;  // the exact CR bytes accepted, if any
  std::string confirmation_ack;      // the exact CA bytes sent, if any
  std::optional<std::string> transaction_id;
  std::optional<ReasonCode> reason;

  bool operator==(const WalletRecord&) const = default;
};

class WalletStore {
 public:
  virtual ~WalletStore() = default;
  virtual std::optional<WalletRecord> find(std::string_view purchase_id) = 0;
  virtual void insert(const WalletRecord& record) = 0;
  virtual void update(const WalletRecord& record) = 0;
  // A merchant's next nonce with its realm, removed when taken.
  virtual std::optional<MerchantChallenge> take_nonce(std::string_view merchant) = 0;
  virtual void put_nonce(std::string_view merchant, const MerchantChallenge& nonce) = 0;
};

class WalletServices {
 public:
  virtual ~WalletServices() = default;
  // Sig_C(content): CMS SignedData (DER) by the customer.
  virtual std::string sign(std::string_view content) = 0;
  // Env_G(plaintext): CMS enveloped for the gateway (DER).
  virtual std::string envelope_for_gateway(std::string_view plaintext) = 0;
};

struct WalletConfig {
  std::string account;  // the customer's account at the gateway
  std::string gateway;  // the gateway's SIP URI
  // 401 answers accepted for one purchase before giving up.
  int max_challenges = 3;
};

// What the wallet shows the user after a step.
struct WalletStep {
  Handled handled;
  std::optional<ConfirmationRequest> ask_user;  // show it and call on_user_decision
  std::optional<Receipt> receipt;               // the purchase is paid
  std::optional<FailureNotice> failure;         // the purchase ended without payment
};

class WalletMachine {
 public:
  WalletMachine(WalletStore& store, WalletServices& services, IdSource& ids, WalletConfig config)
      : store_(store), services_(services), ids_(ids), config_(std::move(config)) {}

  // Starts a purchase: draws its purchase id (returned) and sends the
  // purchase, or an empty MESSAGE for a challenge when no nonce of the
  // merchant is at hand. Throws std::invalid_argument for an invalid PIN or
  // offer, naming the value at fault (never the PIN).
  std::string begin(const Offer& offer, std::string_view pin, UtcTime now, WalletStep& step);
  // The merchant answered the purchase with 401 and this challenge.
  WalletStep on_challenge(std::string_view purchase_id, const MerchantChallenge& challenge,
                          UtcTime now);
  // The merchant answered 2xx, possibly with a nextnonce.
  WalletStep on_purchase_accepted(std::string_view purchase_id,
                                  const std::optional<std::string>& next_nonce);
  // `bytes` are the exact CR bytes inside the gateway's signature.
  WalletStep on_confirmation_request(std::string_view signer, std::string_view bytes,
                                     const ConfirmationRequest& request, UtcTime now);
  WalletStep on_user_decision(std::string_view purchase_id, Decision decision, UtcTime now);
  WalletStep on_receipt(std::string_view signer, const Receipt& receipt);
  WalletStep on_failure_notice(std::string_view signer, const FailureNotice& notice);

 private:
  // Builds OI with the challenge's nonce, DS and the envelope, and queues
  // the purchase.
  void submit(WalletRecord& record, const MerchantChallenge& challenge, UtcTime now,
              Handled& handled);
  std::string send_ack(WalletRecord& record, Decision decision, UtcTime now, Handled& handled);

  WalletStore& store_;
  WalletServices& services_;
  IdSource& ids_;
  WalletConfig config_;
};

}  // namespace sippay::payment
