// The GatewayMachine's store on the ledger database, bound to one ledger
// transaction: whatever it writes commits or rolls back with the ledger
// change of the same message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/ledger.hpp"
#include "payment/gateway_machine.hpp"

namespace sippay::roles::gateway {

class SqlGatewayStore final : public payment::GatewayStore {
 public:
  explicit SqlGatewayStore(ledger::LedgerTransaction& tx) : tx_(tx) {}

  std::optional<payment::GatewayRecord> find_by_id(std::string_view transaction_id) override;
  std::optional<payment::GatewayRecord> find_by_purchase(std::string_view customer,
                                                         std::string_view purchase_id) override;
  std::optional<payment::GatewayRecord> find_by_order_ref(std::string_view merchant,
                                                          std::string_view order_ref) override;
  // Throws ledger::LedgerError kStorage when a unique key exists.
  void insert(const payment::GatewayRecord& record) override;
  void update(const payment::GatewayRecord& record) override;
  bool abort_remembered(std::string_view merchant, std::string_view order_ref) override;
  void remember_abort(std::string_view merchant, std::string_view order_ref) override;
  std::vector<payment::GatewayRecord> pending_due(payment::UtcTime now) override;

  // The transactions whose customer or merchant is `party`, newest first,
  // with a sequence number below `before` (all when nullopt), at most
  // `limit`. Each comes with its sequence number, the history cursor.
  std::vector<std::pair<std::int64_t, payment::GatewayRecord>> history(
      std::string_view party, std::optional<std::int64_t> before, std::size_t limit);

 private:
  std::optional<payment::GatewayRecord> find_one(std::string_view where, std::string_view first,
                                                 std::optional<std::string_view> second);

  ledger::LedgerTransaction& tx_;
};

}  // namespace sippay::roles::gateway
