#include "roles/gateway/sql_gateway_store.hpp"

#include <fmt/format.h>

#include "payment/protocol_names.hpp"

namespace sippay::roles::gateway {
namespace {

using ledger::LedgerError;
using ledger::LedgerErrorCode;
using payment::GatewayRecord;
using payment::UtcTime;

constexpr std::string_view kColumns =
    "transaction_id, customer, purchase_id, merchant, merchant_order_ref, order_hash, amount, "
    "currency, state, reason, expires_s, created_at_s, updated_at_s, confirmation_request, seq";

std::int64_t seconds_of(UtcTime time) { return time.time_since_epoch().count(); }
UtcTime time_of(std::int64_t seconds) { return UtcTime(std::chrono::seconds(seconds)); }

[[noreturn]] void corrupt(std::string_view what, std::string_view value) {
  throw LedgerError(LedgerErrorCode::kStorage,
                    fmt::format("gateway_transactions holds an invalid {}: '{}'", what, value));
}

GatewayRecord read_record(ledger::sql::Statement& row) {
  GatewayRecord record;
  record.transaction_id = row.column_text(0);
  if (!row.column_is_null(1)) record.customer = row.column_text(1);
  record.purchase_id = row.column_text(2);
  record.merchant = row.column_text(3);
  record.merchant_order_ref = row.column_text(4);
  const std::string hash = row.column_text(5);
  auto digest = payment::sha256_from_hex(hash);
  if (!digest) corrupt("order_hash", hash);
  record.order_hash = *digest;
  record.amount = row.column_int64(6);
  record.currency = row.column_text(7);
  const std::string state = row.column_text(8);
  if (!payment::from_string(state, record.state)) corrupt("state", state);
  if (!row.column_is_null(9)) {
    const std::string reason = row.column_text(9);
    payment::ReasonCode code{};
    if (!payment::from_string(reason, code)) corrupt("reason", reason);
    record.reason = code;
  }
  record.expires = time_of(row.column_int64(10));
  record.created_at = time_of(row.column_int64(11));
  record.updated_at = time_of(row.column_int64(12));
  record.confirmation_request = row.column_text(13);
  return record;
}

void bind_optional(ledger::sql::Statement& statement, int index,
                   const std::optional<std::string>& value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind_null(index);
  }
}

std::optional<std::string> reason_text(const GatewayRecord& record) {
  if (!record.reason) return std::nullopt;
  return std::string(payment::to_string(*record.reason));
}

}  // namespace

std::optional<GatewayRecord> SqlGatewayStore::find_one(std::string_view where,
                                                       std::string_view first,
                                                       std::optional<std::string_view> second) {
  ledger::sql::Query query(tx_.connection(),
                           fmt::format("SELECT {} FROM gateway_transactions WHERE {}", kColumns, where));
  query->bind(1, first);
  if (second) query->bind(2, *second);
  if (!query->step()) return std::nullopt;
  return read_record(*query);
}

std::optional<GatewayRecord> SqlGatewayStore::find_by_id(std::string_view transaction_id) {
  return find_one("transaction_id = ?1", transaction_id, std::nullopt);
}

std::optional<GatewayRecord> SqlGatewayStore::find_by_purchase(std::string_view customer,
                                                               std::string_view purchase_id) {
  return find_one("customer = ?1 AND purchase_id = ?2", customer, purchase_id);
}

std::optional<GatewayRecord> SqlGatewayStore::find_by_order_ref(std::string_view merchant,
                                                                std::string_view order_ref) {
  return find_one("merchant = ?1 AND merchant_order_ref = ?2", merchant, order_ref);
}

void SqlGatewayStore::insert(const GatewayRecord& record) {
  ledger::sql::Query query(
      tx_.connection(),
      "INSERT INTO gateway_transactions (transaction_id, customer, purchase_id, merchant, "
      "merchant_order_ref, order_hash, amount, currency, state, reason, expires_s, created_at_s, "
      "updated_at_s, confirmation_request) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  query->bind(1, record.transaction_id);
  bind_optional(*query, 2, record.customer);
  query->bind(3, record.purchase_id)
      .bind(4, record.merchant)
      .bind(5, record.merchant_order_ref)
      .bind(6, payment::to_hex(record.order_hash))
      .bind(7, record.amount)
      .bind(8, record.currency)
      .bind(9, payment::to_string(record.state));
  bind_optional(*query, 10, reason_text(record));
  query->bind(11, seconds_of(record.expires))
      .bind(12, seconds_of(record.created_at))
      .bind(13, seconds_of(record.updated_at))
      .bind(14, record.confirmation_request);
  query->step();
}

void SqlGatewayStore::update(const GatewayRecord& record) {
  ledger::sql::Query query(tx_.connection(),
                           "UPDATE gateway_transactions SET state = ?2, reason = ?3, "
                           "updated_at_s = ?4, confirmation_request = ?5 WHERE transaction_id = ?1");
  query->bind(1, record.transaction_id).bind(2, payment::to_string(record.state));
  bind_optional(*query, 3, reason_text(record));
  query->bind(4, seconds_of(record.updated_at)).bind(5, record.confirmation_request);
  query->step();
  if (tx_.connection().changes() != 1) {
    throw LedgerError(LedgerErrorCode::kStorage,
                      fmt::format("no gateway transaction {} to update", record.transaction_id));
  }
}

bool SqlGatewayStore::abort_remembered(std::string_view merchant, std::string_view order_ref) {
  ledger::sql::Query query(tx_.connection(),
                           "SELECT 1 FROM gateway_aborts WHERE merchant = ?1 AND merchant_order_ref = ?2");
  query->bind(1, merchant).bind(2, order_ref);
  return query->step();
}

void SqlGatewayStore::remember_abort(std::string_view merchant, std::string_view order_ref) {
  ledger::sql::Query query(tx_.connection(),
                           "INSERT INTO gateway_aborts (merchant, merchant_order_ref) VALUES (?1, ?2)");
  query->bind(1, merchant).bind(2, order_ref);
  query->step();
}

std::vector<GatewayRecord> SqlGatewayStore::pending_due(UtcTime now) {
  ledger::sql::Query query(
      tx_.connection(),
      fmt::format("SELECT {} FROM gateway_transactions WHERE state = 'pending' AND expires_s <= ?1 "
                  "ORDER BY expires_s",
                  kColumns));
  query->bind(1, seconds_of(now));
  std::vector<GatewayRecord> records;
  while (query->step()) records.push_back(read_record(*query));
  return records;
}

std::vector<std::pair<std::int64_t, GatewayRecord>> SqlGatewayStore::history(
    std::string_view party, std::optional<std::int64_t> before, std::size_t limit) {
  ledger::sql::Query query(
      tx_.connection(),
      fmt::format("SELECT {} FROM gateway_transactions WHERE (customer = ?1 OR merchant = ?1) "
                  "AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
                  kColumns));
  query->bind(1, party)
      .bind(2, before.value_or(std::numeric_limits<std::int64_t>::max()))
      .bind(3, static_cast<std::int64_t>(limit));
  std::vector<std::pair<std::int64_t, GatewayRecord>> rows;
  while (query->step()) rows.emplace_back(query->column_int64(14), read_record(*query));
  return rows;
}

}  // namespace sippay::roles::gateway
