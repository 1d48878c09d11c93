// The wallet's memory in a SQLite file (synchronous=FULL): its purchases
// and the merchants' next nonces, so that a purchase id survives a restart
// of `sippay customer` (DESIGN.md §2, rule 1). The PI bytes, which hold the
// PIN, are kept in memory only and never written to the file.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "payment/wallet_machine.hpp"

struct sqlite3;

namespace sippay::roles {

// A failure of the wallet file; the message names the file.
class WalletStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class SqliteWalletStore : public payment::WalletStore {
 public:
  // Opens or creates the file (its folder must exist). Throws WalletStoreError.
  explicit SqliteWalletStore(const std::filesystem::path& path);
  ~SqliteWalletStore() override;
  SqliteWalletStore(const SqliteWalletStore&) = delete;
  SqliteWalletStore& operator=(const SqliteWalletStore&) = delete;

  std::optional<payment::WalletRecord> find(std::string_view purchase_id) override;
  void insert(const payment::WalletRecord& record) override;
  void update(const payment::WalletRecord& record) override;
  std::optional<payment::MerchantChallenge> take_nonce(std::string_view merchant) override;
  void put_nonce(std::string_view merchant, const payment::MerchantChallenge& nonce) override;

  // Every purchase, newest first, at most `limit`.
  std::vector<payment::WalletRecord> list(std::size_t limit);

 private:
  void write(const payment::WalletRecord& record, bool insert);
  [[noreturn]] void fail(std::string_view operation) const;

  sqlite3* db_ = nullptr;
  std::string path_;
  std::map<std::string, std::string, std::less<>> payment_information_;  // purchase id -> PI bytes
};

}  // namespace sippay::roles
