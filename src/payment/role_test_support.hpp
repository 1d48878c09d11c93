// In-memory stores and stand-in services for the role state machine tests.
// The real CMS layer and ledger plug in through the same interfaces; here an
// "envelope" is the plaintext after "ENV:", and a dual signature is
// "SIG:" SIGNER "|" CONTENT.
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>

#include "payment/dual_signature.hpp"
#include "payment/gateway_machine.hpp"
#include "payment/merchant_machine.hpp"
#include "payment/wallet_machine.hpp"
#include "payment/message_codec.hpp"

namespace sippay::payment::testing {

inline constexpr const char* kCustomer = "sip:alice@operator.example";
inline constexpr const char* kGateway = "sip:gateway@operator.example";
inline constexpr const char* kRealm = "merchant.example";

// The actions of type T among `actions`, in order.
template <typename T>
inline std::vector<T> actions_of(const std::vector<Action>& actions) {
  std::vector<T> found;
  for (const Action& action : actions) {
    if (const T* typed = std::get_if<T>(&action)) found.push_back(*typed);
  }
  return found;
}


class CountingIds : public IdSource {
 public:
  explicit CountingIds(std::string prefix) : prefix_(std::move(prefix)) {}
  std::string new_id() override {
    const std::string number = std::to_string(++count_);
    return prefix_ + "-" + std::string(16 - number.size(), '0') + number;
  }

 private:
  std::string prefix_;
  int count_ = 0;
};

inline std::string fake_envelope(std::string_view plaintext) {
  return "ENV:" + std::string(plaintext);
}

inline std::string fake_signature(std::string_view signer, std::string_view content) {
  return "SIG:" + std::string(signer) + "|" + std::string(content);
}

class InMemoryGatewayStore : public GatewayStore {
 public:
  std::optional<GatewayRecord> find_by_id(std::string_view id) override {
    const auto it = records_.find(std::string(id));
    if (it == records_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<GatewayRecord> find_by_purchase(std::string_view customer,
                                                std::string_view purchase_id) override {
    for (const auto& [id, record] : records_) {
      if (record.customer == customer && record.purchase_id == purchase_id) return record;
    }
    return std::nullopt;
  }
  std::optional<GatewayRecord> find_by_order_ref(std::string_view merchant,
                                                 std::string_view ref) override {
    for (const auto& [id, record] : records_) {
      if (record.merchant == merchant && record.merchant_order_ref == ref) return record;
    }
    return std::nullopt;
  }
  void insert(const GatewayRecord& record) override {
    // The unique keys a database enforces.
    if (records_.count(record.transaction_id) != 0 ||
        find_by_order_ref(record.merchant, record.merchant_order_ref) ||
        (record.customer && find_by_purchase(*record.customer, record.purchase_id))) {
      throw std::logic_error("duplicate gateway key for " + record.transaction_id);
    }
    records_[record.transaction_id] = record;
  }
  void update(const GatewayRecord& record) override { records_.at(record.transaction_id) = record; }
  bool abort_remembered(std::string_view merchant, std::string_view ref) override {
    return aborts_.count({std::string(merchant), std::string(ref)}) != 0;
  }
  void remember_abort(std::string_view merchant, std::string_view ref) override {
    aborts_.insert({std::string(merchant), std::string(ref)});
  }
  std::vector<GatewayRecord> pending_due(UtcTime now) override {
    std::vector<GatewayRecord> due;
    for (const auto& [id, record] : records_) {
      if (record.state == TransactionState::kPending && record.expires <= now) due.push_back(record);
    }
    return due;
  }

  std::size_t size() const { return records_.size(); }

 private:
  std::map<std::string, GatewayRecord> records_;
  std::set<std::pair<std::string, std::string>> aborts_;
};

class FakeGatewayServices : public GatewayServices {
 public:
  std::optional<std::string> open_payment_envelope(std::string_view envelope) override {
    if (envelope.substr(0, 4) != "ENV:") return std::nullopt;
    return std::string(envelope.substr(4));
  }
  DualSignatureCheck verify_dual_signature(std::string_view signature) override {
    DualSignatureCheck check;
    if (signature.substr(0, 4) != "SIG:") return check;
    const auto bar = signature.find('|');
    if (bar == std::string_view::npos) return check;
    check.signer = std::string(signature.substr(4, bar - 4));
    check.content = std::string(signature.substr(bar + 1));
    check.status = revoked.count(check.signer) != 0 ? DualSignatureCheck::Status::kRevoked
                                                    : DualSignatureCheck::Status::kValid;
    return check;
  }
  PinCheck check_pin(std::string_view account, std::string_view pin) override {
    ++pin_checks;
    const auto it = pins.find(std::string(account));
    if (it == pins.end()) return PinCheck::kUnknownAccount;
    if (failures[it->first] >= 3) return PinCheck::kLocked;
    if (it->second != pin) {
      ++failures[it->first];
      return PinCheck::kWrong;
    }
    return PinCheck::kOk;
  }
  FundsCheck reserve_funds(std::string_view transaction_id, std::string_view account,
                           std::string_view, std::int64_t amount, std::string_view currency,
                           UtcTime) override {
    if (currency != "EUR") return FundsCheck::kUnsupportedCurrency;
    auto& balance = balances[std::string(account)];
    if (balance < amount) return FundsCheck::kInsufficient;
    balance -= amount;
    reservations[std::string(transaction_id)] = amount;
    return FundsCheck::kReserved;
  }

  std::map<std::string, std::string> pins{{"alice", "1234"}};
  std::map<std::string, std::int64_t> balances{{"alice", 10'000}};
  std::map<std::string, int> failures;
  std::map<std::string, std::int64_t> reservations;
  std::set<std::string> revoked;
  int pin_checks = 0;
};

class InMemoryMerchantStore : public MerchantStore {
 public:
  std::optional<MerchantRecord> find_by_purchase(std::string_view purchase_id) override {
    const auto it = records_.find(std::string(purchase_id));
    if (it == records_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<MerchantRecord> find_by_order_ref(std::string_view ref) override {
    for (const auto& [id, record] : records_) {
      if (record.merchant_order_ref == ref) return record;
    }
    return std::nullopt;
  }
  void insert(const MerchantRecord& record) override {
    if (!records_.emplace(record.purchase_id, record).second) {
      throw std::logic_error("duplicate purchase id " + record.purchase_id);
    }
  }
  void update(const MerchantRecord& record) override { records_.at(record.purchase_id) = record; }
  std::vector<MerchantRecord> forwarded_due(UtcTime now) override {
    std::vector<MerchantRecord> due;
    for (const auto& [id, record] : records_) {
      if (record.state == MerchantState::kForwarded && !record.abort_message_id &&
          record.reservation_deadline <= now) {
        due.push_back(record);
      }
    }
    return due;
  }

  std::size_t size() const { return records_.size(); }

 private:
  std::map<std::string, MerchantRecord> records_;
};

class FakeMerchantServices : public MerchantServices {
 public:
  DualSignatureCheck verify_dual_signature(std::string_view signature) override {
    return gateway_like_.verify_dual_signature(signature);
  }
  std::optional<CatalogItem> find_item(std::string_view item_id) override {
    const auto it = catalog.find(std::string(item_id));
    if (it == catalog.end()) return std::nullopt;
    return it->second;
  }
  bool reserve_stock(std::string_view order_ref, std::string_view item_id, std::int64_t quantity,
                     UtcTime) override {
    auto& available = stock[std::string(item_id)];
    if (available < quantity) return false;
    available -= quantity;
    reserved[std::string(order_ref)] = quantity;
    return true;
  }
  std::string issue_nonce(UtcTime) override {
    const std::string nonce = "nonce-" + std::string(14, '0') + std::to_string(++issued);
    unused.insert(nonce);
    return nonce;
  }
  bool consume_nonce(std::string_view nonce, UtcTime) override {
    return unused.erase(std::string(nonce)) == 1;
  }

  std::map<std::string, CatalogItem> catalog{{"coffee-beans", {1250, "EUR"}}};
  std::map<std::string, std::int64_t> stock{{"coffee-beans", 5}};
  std::map<std::string, std::int64_t> reserved;
  std::set<std::string> unused;
  int issued = 0;

 private:
  FakeGatewayServices gateway_like_;
};

class InMemoryWalletStore : public WalletStore {
 public:
  std::optional<WalletRecord> find(std::string_view purchase_id) override {
    const auto it = records_.find(std::string(purchase_id));
    if (it == records_.end()) return std::nullopt;
    return it->second;
  }
  void insert(const WalletRecord& record) override {
    if (!records_.emplace(record.purchase_id, record).second) {
      throw std::logic_error("duplicate purchase id " + record.purchase_id);
    }
  }
  void update(const WalletRecord& record) override { records_.at(record.purchase_id) = record; }
  std::optional<MerchantChallenge> take_nonce(std::string_view merchant) override {
    const auto it = nonces_.find(std::string(merchant));
    if (it == nonces_.end()) return std::nullopt;
    MerchantChallenge nonce = it->second;
    nonces_.erase(it);
    return nonce;
  }
  void put_nonce(std::string_view merchant, const MerchantChallenge& nonce) override {
    nonces_[std::string(merchant)] = nonce;
  }

 private:
  std::map<std::string, WalletRecord> records_;
  std::map<std::string, MerchantChallenge> nonces_;
};

class FakeWalletServices : public WalletServices {
 public:
  explicit FakeWalletServices(std::string customer) : customer_(std::move(customer)) {}
  std::string sign(std::string_view content) override { return fake_signature(customer_, content); }
  std::string envelope_for_gateway(std::string_view plaintext) override {
    return fake_envelope(plaintext);
  }

 private:
  std::string customer_;
};

}  // namespace sippay::payment::testing
