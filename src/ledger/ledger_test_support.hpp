// Helpers for the ledger tests: a temporary folder, a clock the test moves,
// and shorthands for common requests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "ledger/invariants.hpp"
#include "ledger/sqlite_ledger.hpp"

namespace sippay::ledger::testing {

using namespace std::chrono_literals;

// 2026-01-01T00:00:00Z.
inline const TimePoint kStart{std::chrono::milliseconds(1767225600000)};

class TemporaryFolder {
 public:
  TemporaryFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sippay-ledger-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;

  std::filesystem::path file(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// A clock shared by the test and the ledger; starts at kStart.
class TestClock {
 public:
  TimePoint now() const { return TimePoint(std::chrono::milliseconds(milliseconds_.load())); }
  void advance(std::chrono::milliseconds step) { milliseconds_ += step.count(); }
  std::function<TimePoint()> function() {
    return [this] { return now(); };
  }

 private:
  std::atomic<std::int64_t> milliseconds_{kStart.time_since_epoch().count()};
};

inline std::unique_ptr<SqliteLedger> open_ledger(const std::filesystem::path& path, TestClock& clock,
                                                 std::size_t max_batch = 64) {
  SqliteLedgerOptions options;
  options.clock = clock.function();
  options.max_batch = max_batch;
  return std::make_unique<SqliteLedger>(path, options);
}

inline NewAccount new_account(std::string id, AccountKind kind, std::string currency = "EUR") {
  return NewAccount{id, kind, "sip:" + id + "@pay.test", std::move(currency)};
}

inline ReserveRequest reserve_request(std::string transfer_id, std::string debit, std::string credit,
                                      std::int64_t amount, TimePoint expires_at, std::string currency = "EUR") {
  ReserveRequest request;
  request.transfer_id = std::move(transfer_id);
  request.debit_account = std::move(debit);
  request.credit_account = std::move(credit);
  request.amount = amount;
  request.currency = std::move(currency);
  request.expires_at = expires_at;
  request.reference = "order-1";
  return request;
}

inline TopUpRequest top_up_request(std::string transfer_id, std::string account, std::int64_t amount) {
  return TopUpRequest{std::move(transfer_id), std::move(account), amount, "cash desk"};
}

// The code of the LedgerError that `action` throws; fails the test when it
// throws nothing.
template <class Action>
LedgerErrorCode error_code_of(Action&& action) {
  try {
    action();
  } catch (const LedgerError& error) {
    return error.code();
  }
  ADD_FAILURE() << "expected a LedgerError";
  return LedgerErrorCode::kStorage;
}

inline std::vector<std::string> invariant_violations(Ledger& ledger) {
  return ledger.transact([](LedgerTransaction& tx) { return check_invariants(tx); });
}

}  // namespace sippay::ledger::testing
