// The merchant's host for MerchantMachine: decodes each received payment
// message, runs the machine and applies its actions (outbox rows, stock
// released or delivered, outcomes kept) in one SQLite transaction, and only
// after the commit returns the SIP status to answer with (2xx means
// committed).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "payment/merchant_machine.hpp"
#include "roles/merchant/merchant_services.hpp"
#include "roles/merchant/merchant_store.hpp"

namespace sippay::roles::merchant {

// One MESSAGE as the payment endpoint delivers it: signer checked,
// envelope opened.
struct MerchantRequest {
  std::string sender_uri;  // From, equal to the verified signer
  std::string content;     // the payment JSON; empty for a challenge probe
  std::optional<std::string> authorization;  // the raw Authorization value, if any
  // False when the envelope held unsigned content, so sender_uri is only
  // claimed. Only a purchase (signed by its dual signature) or a challenge
  // probe may come unsigned.
  bool signer_verified = true;
};

struct MerchantReply {
  int status = 200;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // WWW-Authenticate, Authentication-Info
};

class MerchantHandler {
 public:
  MerchantHandler(SqliteMerchantStore& store, MerchantServicesImpl& services,
                  payment::IdSource& ids, payment::MerchantConfig config);

  MerchantReply handle(const MerchantRequest& request,
                       std::chrono::system_clock::time_point now);

  // Queues an abort request for each reservation whose deadline passed and
  // deletes expired nonces, in one transaction. Releases no stock: that
  // waits for the gateway's answer. Returns the number of aborts queued.
  std::size_t sweep(std::chrono::system_clock::time_point now);

  // Number of outbox rows queued since the last call; the daemon kicks its
  // outbox sender when it is not zero.
  std::size_t take_queued_count();

  const payment::MerchantConfig& config() const { return config_; }

 private:
  payment::Handled dispatch(const MerchantRequest& request, payment::UtcTime now);
  void apply(const std::vector<payment::Action>& actions, payment::UtcTime now);

  SqliteMerchantStore& store_;
  MerchantServicesImpl& services_;
  payment::MerchantConfig config_;
  payment::MerchantMachine machine_;
  std::size_t queued_ = 0;
};

}  // namespace sippay::roles::merchant
