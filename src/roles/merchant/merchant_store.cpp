#include "roles/merchant/merchant_store.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "payment/protocol_names.hpp"

namespace sippay::roles::merchant {
namespace {

using payment::MerchantRecord;
using payment::MerchantState;

// Version 1 of the schema. Times are Unix seconds.
constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS items (
  item_id       TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  unit_price    INTEGER NOT NULL CHECK (unit_price > 0),
  currency      TEXT NOT NULL,
  available     INTEGER NOT NULL CHECK (available >= 0),
  catalog_stock INTEGER NOT NULL,
  listed        INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS purchases (
  purchase_id          TEXT PRIMARY KEY,
  customer             TEXT NOT NULL,
  merchant_order_ref   TEXT UNIQUE,
  transaction_id       TEXT,
  item_id              TEXT NOT NULL,
  quantity             INTEGER NOT NULL,
  amount               INTEGER NOT NULL,
  currency             TEXT NOT NULL,
  state                TEXT NOT NULL,
  reason               TEXT,
  reservation_deadline INTEGER NOT NULL,
  abort_message_id     TEXT,
  notice               TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS purchases_forwarded_due
  ON purchases (reservation_deadline) WHERE state = 'forwarded' AND abort_message_id IS NULL;
CREATE TABLE IF NOT EXISTS reservations (
  order_ref TEXT PRIMARY KEY,
  item_id   TEXT NOT NULL REFERENCES items (item_id),
  quantity  INTEGER NOT NULL CHECK (quantity > 0),
  deadline  INTEGER NOT NULL,
  state     TEXT NOT NULL CHECK (state IN ('held', 'released', 'delivered'))
);
CREATE TABLE IF NOT EXISTS nonces (
  nonce   TEXT PRIMARY KEY,
  expires INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE IF NOT EXISTS outbox (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  to_uri       TEXT NOT NULL,
  type         TEXT NOT NULL,
  content      BLOB NOT NULL,
  headers      TEXT NOT NULL,
  attempts     INTEGER NOT NULL DEFAULT 0,
  next_attempt INTEGER NOT NULL,
  created_at   INTEGER NOT NULL,
  delivered_at INTEGER
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (next_attempt) WHERE delivered_at IS NULL;
CREATE TABLE IF NOT EXISTS outcomes (
  message_id         TEXT PRIMARY KEY,
  type               TEXT NOT NULL,
  merchant_order_ref TEXT NOT NULL,
  transaction_id     TEXT,
  content            BLOB NOT NULL,
  received_at        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outcomes_by_order ON outcomes (merchant_order_ref);
)sql";

constexpr std::string_view kRecordColumns =
    "purchase_id, customer, merchant_order_ref, transaction_id, item_id, quantity, amount, "
    "currency, state, reason, reservation_deadline, abort_message_id, notice";

std::int64_t seconds_of(UtcTime time) { return time.time_since_epoch().count(); }
UtcTime time_of(std::int64_t seconds) { return UtcTime{std::chrono::seconds{seconds}}; }

std::string_view state_name(MerchantState state) {
  switch (state) {
    case MerchantState::kRefused: return "refused";
    case MerchantState::kForwarded: return "forwarded";
    case MerchantState::kSettled: return "settled";
    case MerchantState::kReleased: return "released";
  }
  return "refused";
}

MerchantState parse_state(const std::string& name, const std::string& path) {
  for (MerchantState state : {MerchantState::kRefused, MerchantState::kForwarded,
                              MerchantState::kSettled, MerchantState::kReleased}) {
    if (state_name(state) == name) return state;
  }
  throw StoreError(fmt::format("merchant store {}: unknown purchase state \"{}\"", path, name));
}

MerchantRecord read_record(const Statement& row, const std::string& path) {
  MerchantRecord record;
  record.purchase_id = row.text(0);
  record.customer = row.text(1);
  record.merchant_order_ref = row.optional_text(2);
  record.transaction_id = row.optional_text(3);
  record.item_id = row.text(4);
  record.quantity = row.integer(5);
  record.amount = row.integer(6);
  record.currency = row.text(7);
  record.state = parse_state(row.text(8), path);
  if (const auto reason = row.optional_text(9)) {
    record.reason = payment::parse_reason_code(*reason);
    if (!record.reason) {
      throw StoreError(fmt::format("merchant store {}: unknown reason \"{}\"", path, *reason));
    }
  }
  record.reservation_deadline = time_of(row.integer(10));
  record.abort_message_id = row.optional_text(11);
  record.notice = row.text(12);
  return record;
}

std::optional<std::string> reason_text(const std::optional<payment::ReasonCode>& reason) {
  if (!reason) return std::nullopt;
  return std::string(payment::to_string(*reason));
}

std::string_view reservation_state_name(ReservationState state) {
  switch (state) {
    case ReservationState::kHeld: return "held";
    case ReservationState::kReleased: return "released";
    case ReservationState::kDelivered: return "delivered";
  }
  return "held";
}

}  // namespace

SqliteMerchantStore::SqliteMerchantStore(const std::filesystem::path& path) : database_(path) {
  create_schema();
}

void SqliteMerchantStore::create_schema() {
  Transaction transaction(database_);
  database_.execute(kSchema);
  transaction.commit();
}

std::optional<MerchantRecord> SqliteMerchantStore::find_record(std::string_view column,
                                                               std::string_view key) {
  Statement query(database_,
                  fmt::format("SELECT {} FROM purchases WHERE {} = ?1", kRecordColumns, column));
  query.bind(1, key);
  if (!query.step()) return std::nullopt;
  return read_record(query, database_.path());
}

std::optional<MerchantRecord> SqliteMerchantStore::find_by_purchase(std::string_view purchase_id) {
  return find_record("purchase_id", purchase_id);
}

std::optional<MerchantRecord> SqliteMerchantStore::find_by_order_ref(std::string_view order_ref) {
  return find_record("merchant_order_ref", order_ref);
}

void SqliteMerchantStore::insert(const MerchantRecord& record) {
  Statement statement(
      database_, fmt::format("INSERT INTO purchases ({}) VALUES "
                             "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                             kRecordColumns));
  statement.bind(1, std::string_view(record.purchase_id))
      .bind(2, std::string_view(record.customer))
      .bind(3, record.merchant_order_ref)
      .bind(4, record.transaction_id)
      .bind(5, std::string_view(record.item_id))
      .bind(6, record.quantity)
      .bind(7, record.amount)
      .bind(8, std::string_view(record.currency))
      .bind(9, state_name(record.state))
      .bind(10, reason_text(record.reason))
      .bind(11, seconds_of(record.reservation_deadline))
      .bind(12, record.abort_message_id)
      .bind(13, std::string_view(record.notice));
  statement.step();
}

void SqliteMerchantStore::update(const MerchantRecord& record) {
  Statement statement(database_,
                      "UPDATE purchases SET transaction_id = ?2, state = ?3, reason = ?4, "
                      "abort_message_id = ?5, notice = ?6 WHERE purchase_id = ?1");
  statement.bind(1, std::string_view(record.purchase_id))
      .bind(2, record.transaction_id)
      .bind(3, state_name(record.state))
      .bind(4, reason_text(record.reason))
      .bind(5, record.abort_message_id)
      .bind(6, std::string_view(record.notice));
  statement.step();
  if (database_.changes() != 1) {
    throw StoreError(fmt::format("merchant store {}: no purchase {} to update", database_.path(),
                                 record.purchase_id));
  }
}

std::vector<MerchantRecord> SqliteMerchantStore::forwarded_due(UtcTime now) {
  Statement query(database_,
                  fmt::format("SELECT {} FROM purchases WHERE state = 'forwarded' AND "
                              "abort_message_id IS NULL AND reservation_deadline <= ?1 "
                              "ORDER BY reservation_deadline",
                              kRecordColumns));
  query.bind(1, seconds_of(now));
  std::vector<MerchantRecord> records;
  while (query.step()) records.push_back(read_record(query, database_.path()));
  return records;
}

void SqliteMerchantStore::sync_catalog(const std::vector<CatalogEntry>& entries) {
  Transaction transaction(database_);
  database_.execute("UPDATE items SET listed = 0");
  for (const CatalogEntry& entry : entries) {
    std::optional<std::int64_t> loaded;
    std::int64_t available = 0;
    {
      Statement query(database_, "SELECT catalog_stock, available FROM items WHERE item_id = ?1");
      query.bind(1, std::string_view(entry.id));
      if (query.step()) {
        loaded = query.integer(0);
        available = query.integer(1);
      }
    }
    if (!loaded) {
      Statement insert(database_,
                       "INSERT INTO items (item_id, name, unit_price, currency, available, "
                       "catalog_stock, listed) VALUES (?1, ?2, ?3, ?4, ?5, ?5, 1)");
      insert.bind(1, std::string_view(entry.id))
          .bind(2, std::string_view(entry.name))
          .bind(3, entry.unit_price)
          .bind(4, std::string_view(entry.currency))
          .bind(5, entry.stock);
      insert.step();
      continue;
    }
    const std::int64_t adjusted = std::max<std::int64_t>(0, available + entry.stock - *loaded);
    if (entry.stock != *loaded) {
      spdlog::info("catalog: item {}: stock in the file changed from {} to {}; available {} -> {}",
                   entry.id, *loaded, entry.stock, available, adjusted);
    }
    Statement update(database_,
                     "UPDATE items SET name = ?2, unit_price = ?3, currency = ?4, available = ?5, "
                     "catalog_stock = ?6, listed = 1 WHERE item_id = ?1");
    update.bind(1, std::string_view(entry.id))
        .bind(2, std::string_view(entry.name))
        .bind(3, entry.unit_price)
        .bind(4, std::string_view(entry.currency))
        .bind(5, adjusted)
        .bind(6, entry.stock);
    update.step();
  }
  transaction.commit();
}

std::optional<payment::CatalogItem> SqliteMerchantStore::find_listed_item(std::string_view item_id) {
  Statement query(database_,
                  "SELECT unit_price, currency FROM items WHERE item_id = ?1 AND listed = 1");
  query.bind(1, item_id);
  if (!query.step()) return std::nullopt;
  return payment::CatalogItem{query.integer(0), query.text(1)};
}

std::optional<StockLevel> SqliteMerchantStore::stock(std::string_view item_id) {
  Statement query(database_,
                  "SELECT available, (SELECT COALESCE(SUM(quantity), 0) FROM reservations r "
                  "WHERE r.item_id = items.item_id AND r.state = 'held') "
                  "FROM items WHERE item_id = ?1");
  query.bind(1, item_id);
  if (!query.step()) return std::nullopt;
  return StockLevel{query.integer(0), query.integer(1)};
}

bool SqliteMerchantStore::reserve(std::string_view order_ref, std::string_view item_id,
                                  std::int64_t quantity, UtcTime deadline) {
  {
    Statement take(database_,
                   "UPDATE items SET available = available - ?2 "
                   "WHERE item_id = ?1 AND listed = 1 AND available >= ?2");
    take.bind(1, item_id).bind(2, quantity);
    take.step();
  }
  if (database_.changes() != 1) return false;
  Statement insert(database_,
                   "INSERT INTO reservations (order_ref, item_id, quantity, deadline, state) "
                   "VALUES (?1, ?2, ?3, ?4, 'held')");
  insert.bind(1, order_ref).bind(2, item_id).bind(3, quantity).bind(4, seconds_of(deadline));
  insert.step();
  return true;
}

std::optional<Reservation> SqliteMerchantStore::reservation(std::string_view order_ref) {
  Statement query(database_,
                  "SELECT item_id, quantity, deadline, state FROM reservations WHERE order_ref = ?1");
  query.bind(1, order_ref);
  if (!query.step()) return std::nullopt;
  Reservation found{std::string(order_ref), query.text(0), query.integer(1),
                    time_of(query.integer(2)), ReservationState::kHeld};
  const std::string state = query.text(3);
  for (ReservationState candidate :
       {ReservationState::kHeld, ReservationState::kReleased, ReservationState::kDelivered}) {
    if (reservation_state_name(candidate) == state) found.state = candidate;
  }
  return found;
}

bool SqliteMerchantStore::release(std::string_view order_ref) {
  {
    Statement mark(database_,
                   "UPDATE reservations SET state = 'released' "
                   "WHERE order_ref = ?1 AND state = 'held'");
    mark.bind(1, order_ref);
    mark.step();
  }
  if (database_.changes() != 1) return false;
  Statement give_back(database_,
                      "UPDATE items SET available = available + "
                      "(SELECT quantity FROM reservations WHERE order_ref = ?1) "
                      "WHERE item_id = (SELECT item_id FROM reservations WHERE order_ref = ?1)");
  give_back.bind(1, order_ref);
  give_back.step();
  return true;
}

bool SqliteMerchantStore::deliver(std::string_view order_ref) {
  Statement mark(database_,
                 "UPDATE reservations SET state = 'delivered' "
                 "WHERE order_ref = ?1 AND state = 'held'");
  mark.bind(1, order_ref);
  mark.step();
  return database_.changes() == 1;
}

void SqliteMerchantStore::insert_nonce(std::string_view nonce, UtcTime expires) {
  Statement insert(database_, "INSERT INTO nonces (nonce, expires) VALUES (?1, ?2)");
  insert.bind(1, nonce).bind(2, seconds_of(expires));
  insert.step();
}

bool SqliteMerchantStore::consume_nonce(std::string_view nonce, UtcTime now) {
  Statement consume(database_,
                    "UPDATE nonces SET used_at = ?2 "
                    "WHERE nonce = ?1 AND used_at IS NULL AND expires > ?2");
  consume.bind(1, nonce).bind(2, seconds_of(now));
  consume.step();
  return database_.changes() == 1;
}

std::int64_t SqliteMerchantStore::delete_expired_nonces(UtcTime now) {
  Statement sweep(database_, "DELETE FROM nonces WHERE expires <= ?1");
  sweep.bind(1, seconds_of(now));
  sweep.step();
  return database_.changes();
}

std::int64_t SqliteMerchantStore::enqueue(const payment::SendMessage& message, UtcTime now) {
  nlohmann::json headers = nlohmann::json::array();
  for (const auto& [name, value] : message.headers) headers.push_back({name, value});
  Statement insert(database_,
                   "INSERT INTO outbox (to_uri, type, content, headers, next_attempt, created_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?5) RETURNING id");
  insert.bind(1, std::string_view(message.to))
      .bind(2, payment::to_string(message.type))
      .bind(3, std::string_view(message.bytes))
      .bind(4, std::string_view(headers.dump()))
      .bind(5, seconds_of(now));
  if (!insert.step()) database_.fail("queuing an outbox message");
  return insert.integer(0);
}

std::vector<PendingMessage> SqliteMerchantStore::due_messages(UtcTime now, std::size_t limit) {
  Statement query(database_,
                  "SELECT id, to_uri, type, content, headers, attempts, next_attempt FROM outbox "
                  "WHERE delivered_at IS NULL AND next_attempt <= ?1 ORDER BY next_attempt, id "
                  "LIMIT ?2");
  query.bind(1, seconds_of(now)).bind(2, static_cast<std::int64_t>(limit));
  std::vector<PendingMessage> messages;
  while (query.step()) {
    PendingMessage message;
    message.id = query.integer(0);
    message.to_uri = query.text(1);
    if (!payment::from_string(query.text(2), message.type)) {
      throw StoreError(fmt::format("merchant store {}: outbox row {} has an unknown type",
                                   database_.path(), message.id));
    }
    message.content = query.text(3);
    for (const auto& pair : nlohmann::json::parse(query.text(4))) {
      message.headers.emplace_back(pair.at(0).get<std::string>(), pair.at(1).get<std::string>());
    }
    message.attempts = static_cast<int>(query.integer(5));
    message.next_attempt = time_of(query.integer(6));
    messages.push_back(std::move(message));
  }
  return messages;
}

void SqliteMerchantStore::mark_delivered(std::int64_t id, UtcTime now) {
  DeferredSync deferred(database_);
  Statement mark(database_, "UPDATE outbox SET delivered_at = ?2 WHERE id = ?1");
  mark.bind(1, id).bind(2, seconds_of(now));
  mark.step();
}

void SqliteMerchantStore::reschedule(std::int64_t id, UtcTime next_attempt) {
  DeferredSync deferred(database_);
  Statement later(database_,
                  "UPDATE outbox SET attempts = attempts + 1, next_attempt = ?2 WHERE id = ?1");
  later.bind(1, id).bind(2, seconds_of(next_attempt));
  later.step();
}

std::int64_t SqliteMerchantStore::undelivered_count() {
  Statement query(database_, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL");
  query.step();
  return query.integer(0);
}

bool SqliteMerchantStore::keep_outcome(std::string_view message_id, payment::MessageType type,
                                       std::string_view order_ref,
                                       const std::optional<std::string>& transaction_id,
                                       std::string_view content, UtcTime now) {
  Statement insert(database_,
                   "INSERT INTO outcomes (message_id, type, merchant_order_ref, transaction_id, "
                   "content, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                   "ON CONFLICT (message_id) DO NOTHING");
  insert.bind(1, message_id)
      .bind(2, payment::to_string(type))
      .bind(3, order_ref)
      .bind(4, transaction_id)
      .bind(5, content)
      .bind(6, seconds_of(now));
  insert.step();
  return database_.changes() == 1;
}

std::optional<std::string> SqliteMerchantStore::kept_receipt(std::string_view order_ref) {
  Statement query(database_,
                  "SELECT content FROM outcomes WHERE merchant_order_ref = ?1 AND type = 'receipt' "
                  "ORDER BY received_at LIMIT 1");
  query.bind(1, order_ref);
  if (!query.step()) return std::nullopt;
  return query.text(0);
}

}  // namespace sippay::roles::merchant
