#include "roles/customer/sqlite_wallet_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include "payment/reason_code.hpp"

namespace sippay::roles {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS purchases (
  purchase_id TEXT PRIMARY KEY,
  merchant TEXT NOT NULL,
  item_id TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price INTEGER NOT NULL,
  currency TEXT NOT NULL,
  state INTEGER NOT NULL,
  realm TEXT NOT NULL,
  order_bytes BLOB NOT NULL,
  challenges INTEGER NOT NULL,
  confirmation_request BLOB NOT NULL,
  confirmation_ack BLOB NOT NULL,
  transaction_id TEXT,
  reason TEXT,
  created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS nonces (
  merchant TEXT PRIMARY KEY,
  realm TEXT NOT NULL,
  nonce TEXT NOT NULL
);
)";

// One use of a prepared statement that the store keeps; the destructor
// makes it ready for the next use.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}
  ~Statement() {
    if (statement_ == nullptr) return;
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return statement_ != nullptr; }
  void bind(int index, std::string_view text) {
    sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void bind(int index, std::int64_t value) { sqlite3_bind_int64(statement_, index, value); }
  void bind_null(int index) { sqlite3_bind_null(statement_, index); }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(statement_); }
  std::string text(int column) const {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_blob(statement_, column));
    return data == nullptr ? std::string() : std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column)));
  }
  bool is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
  std::int64_t integer(int column) const { return sqlite3_column_int64(statement_, column); }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

payment::WalletRecord read_record(const Statement& row, const std::string& path) {
  payment::WalletRecord record;
  record.purchase_id = row.text(0);
  record.offer.merchant = row.text(1);
  record.offer.item_id = row.text(2);
  record.offer.quantity = row.integer(3);
  record.offer.unit_price = row.integer(4);
  record.offer.currency = row.text(5);
  const std::int64_t state = row.integer(6);
  if (state < 0 || state > static_cast<std::int64_t>(payment::WalletState::kFailed)) {
    throw WalletStoreError(fmt::format("wallet {}: purchase {} has the unknown state {}; the file is damaged or "
                                       "from a newer sippay",
                                       path, record.purchase_id, state));
  }
  record.state = static_cast<payment::WalletState>(state);
  record.realm = row.text(7);
  record.order = row.text(8);
  record.challenges = static_cast<int>(row.integer(9));
  record.confirmation_request = row.text(10);
  record.confirmation_ack = row.text(11);
  if (!row.is_null(12)) record.transaction_id = row.text(12);
  if (!row.is_null(13)) record.reason = payment::parse_reason_code(row.text(13));
  return record;
}

constexpr const char* kColumns =
    "purchase_id, merchant, item_id, quantity, unit_price, currency, state, realm, order_bytes, challenges, "
    "confirmation_request, confirmation_ack, transaction_id, reason";

}  // namespace

SqliteWalletStore::SqliteWalletStore(const std::filesystem::path& path) : path_(path.string()) {
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw WalletStoreError(fmt::format("wallet {}: cannot open: {}", path_, message));
  }
  sqlite3_busy_timeout(db_, 5000);
  if (sqlite3_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_exec(db_, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(db_);
    sqlite3_close(db_);
    db_ = nullptr;
    throw WalletStoreError(fmt::format("wallet {}: cannot create the tables: {}", path_, message));
  }
}

SqliteWalletStore::~SqliteWalletStore() {
  for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

sqlite3_stmt* SqliteWalletStore::prepared(const std::string& sql) {
  if (auto found = statements_.find(sql); found != statements_.end()) return found->second;
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &statement,
                         nullptr) != SQLITE_OK) {
    sqlite3_finalize(statement);
    return nullptr;
  }
  statements_.emplace(sql, statement);
  return statement;
}

void SqliteWalletStore::set_synced(bool synced) {
  if (synced == synced_) return;
  if (sqlite3_exec(db_, synced ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", nullptr, nullptr,
                   nullptr) != SQLITE_OK) {
    fail("set PRAGMA synchronous");
  }
  synced_ = synced;
}

void SqliteWalletStore::fail(std::string_view operation) const {
  throw WalletStoreError(fmt::format("wallet {}: {}: {}", path_, operation, sqlite3_errmsg(db_)));
}

std::optional<payment::WalletRecord> SqliteWalletStore::find(std::string_view purchase_id) {
  Statement select(prepared(fmt::format("SELECT {} FROM purchases WHERE purchase_id = ?1", kColumns)));
  if (!select.ok()) fail("find a purchase");
  select.bind(1, purchase_id);
  const int status = select.step();
  if (status == SQLITE_DONE) return std::nullopt;
  if (status != SQLITE_ROW) fail("find a purchase");
  payment::WalletRecord record = read_record(select, path_);
  if (auto it = payment_information_.find(purchase_id); it != payment_information_.end()) {
    record.payment_information = it->second;
  }
  return record;
}

void SqliteWalletStore::write(const payment::WalletRecord& record, bool insert) {
  const std::string sql =
      insert ? fmt::format("INSERT INTO purchases ({}, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                           "?12, ?13, ?14, strftime('%s','now'))",
                           kColumns)
             : "UPDATE purchases SET merchant = ?2, item_id = ?3, quantity = ?4, unit_price = ?5, currency = ?6, "
               "state = ?7, realm = ?8, order_bytes = ?9, challenges = ?10, confirmation_request = ?11, "
               "confirmation_ack = ?12, transaction_id = ?13, reason = ?14 WHERE purchase_id = ?1";
  // Only the confirmation ack and the outcome are synced; the header gives the reasons.
  set_synced(!record.confirmation_ack.empty() || record.state == payment::WalletState::kSettled ||
             record.state == payment::WalletState::kFailed);
  Statement statement(prepared(sql));
  if (!statement.ok()) fail("save a purchase");
  statement.bind(1, record.purchase_id);
  statement.bind(2, record.offer.merchant);
  statement.bind(3, record.offer.item_id);
  statement.bind(4, record.offer.quantity);
  statement.bind(5, record.offer.unit_price);
  statement.bind(6, record.offer.currency);
  statement.bind(7, static_cast<std::int64_t>(record.state));
  statement.bind(8, record.realm);
  statement.bind(9, record.order);
  statement.bind(10, static_cast<std::int64_t>(record.challenges));
  statement.bind(11, record.confirmation_request);
  statement.bind(12, record.confirmation_ack);
  if (record.transaction_id) statement.bind(13, *record.transaction_id); else statement.bind_null(13);
  if (record.reason) statement.bind(14, payment::to_string(*record.reason)); else statement.bind_null(14);
  if (statement.step() != SQLITE_DONE) fail("save a purchase");
  if (record.payment_information.empty()) {
    payment_information_.erase(record.purchase_id);
  } else {
    payment_information_[record.purchase_id] = record.payment_information;
  }
}

void SqliteWalletStore::insert(const payment::WalletRecord& record) { write(record, true); }

void SqliteWalletStore::update(const payment::WalletRecord& record) { write(record, false); }

std::optional<payment::MerchantChallenge> SqliteWalletStore::take_nonce(std::string_view merchant) {
  set_synced(false);
  Statement take(prepared("DELETE FROM nonces WHERE merchant = ?1 RETURNING realm, nonce"));
  if (!take.ok()) fail("take a nonce");
  take.bind(1, merchant);
  const int status = take.step();
  if (status == SQLITE_DONE) return std::nullopt;
  if (status != SQLITE_ROW) fail("take a nonce");
  payment::MerchantChallenge challenge{take.text(0), take.text(1)};
  if (take.step() != SQLITE_DONE) fail("take a nonce");
  return challenge;
}

void SqliteWalletStore::put_nonce(std::string_view merchant, const payment::MerchantChallenge& nonce) {
  set_synced(false);
  Statement put(prepared("INSERT OR REPLACE INTO nonces (merchant, realm, nonce) VALUES (?1, ?2, ?3)"));
  if (!put.ok()) fail("keep a nonce");
  put.bind(1, merchant);
  put.bind(2, nonce.realm);
  put.bind(3, nonce.nonce);
  if (put.step() != SQLITE_DONE) fail("keep a nonce");
}

std::vector<payment::WalletRecord> SqliteWalletStore::list(std::size_t limit) {
  Statement select(prepared(fmt::format("SELECT {} FROM purchases ORDER BY created DESC, rowid DESC LIMIT ?1", kColumns)));
  if (!select.ok()) fail("list the purchases");
  select.bind(1, static_cast<std::int64_t>(limit));
  std::vector<payment::WalletRecord> records;
  int status = SQLITE_ROW;
  while ((status = select.step()) == SQLITE_ROW) records.push_back(read_record(select, path_));
  if (status != SQLITE_DONE) fail("list the purchases");
  return records;
}

}  // namespace sippay::roles
