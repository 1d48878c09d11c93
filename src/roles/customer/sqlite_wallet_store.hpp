// The wallet's memory in a SQLite file (WAL): its purchases and the
// merchants' next nonces, so that a purchase id survives a restart of
// `sippay customer` (DESIGN.md §2, rule 1). The PI bytes, which hold the
// PIN, are kept in memory only and never written to the file.
//
// Every write survives a crash of the process. Two kinds are also synced
// to the disk before the wallet acts on them (synchronous=FULL), so that a
// crash of the machine keeps them too. The first is the customer's
// confirmation ack, so that the wallet never requests a decision twice for
// one purchase. The second is an outcome, because a 2xx to a receipt or
// notice means it was recorded (rule 6). Each sync also makes every
// earlier write durable. The other writes commit with
// synchronous=NORMAL; losing them in a crash of the machine is safe:
// - a purchase or order bytes not yet synced belong to a purchase that
//   cannot have settled, because settling needs the confirmation ack,
//   whose sync would have kept them; a purchase the wallet forgot is never
//   confirmed and expires at the gateway;
// - the merchant's acceptance: the wallet resends the purchase, and the
//   merchant recognises its id;
// - a confirmation request not answered yet: the gateway resends it while
//   the transfer is pending;
// - nonces: a missing one costs one more challenge.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "payment/wallet_machine.hpp"

struct sqlite3;
struct sqlite3_stmt;

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
  // The statement for `sql`, prepared at its first use and kept; null when
  // SQLite cannot prepare it.
  sqlite3_stmt* prepared(const std::string& sql);
  // Sets PRAGMA synchronous to FULL or NORMAL for the next commits.
  void set_synced(bool synced);
  [[noreturn]] void fail(std::string_view operation) const;

  sqlite3* db_ = nullptr;
  std::string path_;
  bool synced_ = true;  // PRAGMA synchronous is FULL now
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  std::map<std::string, std::string, std::less<>> payment_information_;  // purchase id -> PI bytes
};

}  // namespace sippay::roles
