// The wallet's memory in a SQLite file (WAL): its purchases and the
// merchants' next nonces, so that a purchase id survives a restart of
// `sippay customer` (DESIGN.md §2, rule 1). The PI bytes, which hold the
// PIN, are kept in memory only and never written to the file.
//
// Every write survives a crash of the process. A write is also synced to
// the disk before the wallet acts on it (synchronous=FULL) when losing it
// in a crash of the machine could matter: a new purchase, the order bytes
// about to be sent, the customer's confirmation ack, and an outcome
// (a 2xx to a receipt or notice means it was recorded, rule 6). The other
// writes commit with synchronous=NORMAL, because the peers send them again:
// the merchant's acceptance (the wallet resends the purchase, which the
// merchant recognises), a confirmation request not yet answered (the
// gateway resends it while the transfer is pending) and nonces (a missing
// one costs one more challenge).
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

  // Whether the last write was synced to the disk (synchronous=FULL).
  bool last_write_synced() const { return synced_; }

 private:
  void write(const payment::WalletRecord& record, bool insert);
  // Sets PRAGMA synchronous to FULL or NORMAL for the next commits.
  void set_synced(bool synced);
  [[noreturn]] void fail(std::string_view operation) const;

  sqlite3* db_ = nullptr;
  std::string path_;
  bool synced_ = true;  // PRAGMA synchronous is FULL now
  std::map<std::string, std::string, std::less<>> payment_information_;  // purchase id -> PI bytes
};

}  // namespace sippay::roles
