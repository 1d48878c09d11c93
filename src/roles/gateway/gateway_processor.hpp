// Runs the GatewayMachine for each verified message in one ledger
// transaction: the machine's store writes, the ledger's post or void, and
// the outbox entries for every message it sends commit together or not at
// all. The SIP answer (Handled::sip_status) is sent only after that commit.
//
// Thread safe: handle() and expire_due() may run on several threads at
// once, and the ledger groups their commits. A payment request's envelope
// and dual signature are checked before its transaction starts.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "ledger/ledger.hpp"
#include "payment/gateway_machine.hpp"
#include "roles/gateway/gateway_services.hpp"

namespace sippay::roles::gateway {

struct GatewayPolicy {
  payment::GatewayConfig machine;  // confirmation_timeout: the pending transfer's expiry
  PinPolicy pin;
};

class GatewayProcessor {
 public:
  using Clock = std::function<ledger::TimePoint()>;

  // Creates the gateway's tables when missing. `keys` and `ids` outlive it,
  // and `ids` must be thread safe. A DS is verified before the transaction
  // as of `clock`: give the ledger's clock, or nothing for the system clock
  // that the ledger uses by default.
  GatewayProcessor(ledger::Ledger& ledger, const GatewayKeys& keys, GatewayPolicy policy,
                   payment::IdSource& ids, Clock clock = {});

  // `signer` is the verified signer's SIP URI of the outer signature;
  // `content` the verified payment JSON. Messages of a type the gateway does
  // not receive get 415; undecodable ones 400.
  payment::Handled handle(std::string_view signer, std::string_view content);

  // Expires every pending transaction whose deadline passed: voids its
  // transfer and queues the notices. Returns how many expired.
  std::size_t expire_due();

 private:
  payment::Handled answer_history(std::string_view signer, const payment::HistoryInquiry& inquiry,
                                  ledger::LedgerTransaction& tx, payment::UtcTime now);

  ledger::Ledger& ledger_;
  const GatewayKeys& keys_;
  GatewayPolicy policy_;
  payment::IdSource& ids_;
  Clock clock_;
};

}  // namespace sippay::roles::gateway
