// The merchant's durable memory in one SQLite file: purchases and their
// reservations, stock, the SipPay nonces, the outbox of messages to send,
// and the gateway's outcomes as received. Every table survives a restart,
// and deadlines are columns, so a restart loses no timer.
//
// The caller wraps each unit of work in a Transaction on database().
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "payment/merchant_machine.hpp"
#include "roles/merchant/merchant_catalog.hpp"
#include "roles/merchant/merchant_database.hpp"

namespace sippay::roles::merchant {

using payment::UtcTime;

enum class ReservationState : unsigned char { kHeld, kReleased, kDelivered };

struct Reservation {
  std::string order_ref;
  std::string item_id;
  std::int64_t quantity = 0;
  UtcTime deadline{};
  ReservationState state = ReservationState::kHeld;
};

struct StockLevel {
  std::int64_t available = 0;  // for sale now
  std::int64_t reserved = 0;   // held by reservations not yet released or delivered
};

// A message waiting for its receiver's 2xx.
struct PendingMessage {
  std::int64_t id = 0;
  std::string to_uri;
  payment::MessageType type = payment::MessageType::kPaymentRequest;
  std::string content;  // the JSON bytes, signed and enveloped when sent
  std::vector<std::pair<std::string, std::string>> headers;
  int attempts = 0;
  UtcTime next_attempt{};
};

class SqliteMerchantStore final : public payment::MerchantStore {
 public:
  // Opens or creates the database and its tables.
  explicit SqliteMerchantStore(const std::filesystem::path& path);

  MerchantDatabase& database() { return database_; }

  // payment::MerchantStore
  std::optional<payment::MerchantRecord> find_by_purchase(std::string_view purchase_id) override;
  std::optional<payment::MerchantRecord> find_by_order_ref(std::string_view order_ref) override;
  void insert(const payment::MerchantRecord& record) override;
  void update(const payment::MerchantRecord& record) override;
  std::vector<payment::MerchantRecord> forwarded_due(UtcTime now) override;

  // Catalog. A new item starts with the file's stock. For a known item the
  // name and price follow the file, and the available stock moves by the
  // change of the file's stock since the last load (so raising `stock` in
  // the file by 5 adds 5), never below zero. Items missing from the file
  // stay in the store, unlisted: not for sale, reservations still release.
  void sync_catalog(const std::vector<CatalogEntry>& entries);
  std::optional<payment::CatalogItem> find_listed_item(std::string_view item_id);
  std::optional<StockLevel> stock(std::string_view item_id);

  // Stock reservations. reserve() takes `quantity` from the available
  // stock; false when too few are available or the item is unlisted.
  bool reserve(std::string_view order_ref, std::string_view item_id, std::int64_t quantity,
               UtcTime deadline);
  std::optional<Reservation> reservation(std::string_view order_ref);
  // Gives a held reservation back to the available stock. False when it is
  // not held.
  bool release(std::string_view order_ref);
  // Marks a held reservation as sold. False when it is not held.
  bool deliver(std::string_view order_ref);

  // SipPay nonces.
  void insert_nonce(std::string_view nonce, UtcTime expires);
  // Marks an issued, unused, unexpired nonce used; false otherwise.
  bool consume_nonce(std::string_view nonce, UtcTime now);
  // Deletes nonces that expired at or before `now`, used or not. An expired
  // nonce is rejected whether or not its row still exists.
  std::int64_t delete_expired_nonces(UtcTime now);

  // Outbox.
  std::int64_t enqueue(const payment::SendMessage& message, UtcTime now);
  std::vector<PendingMessage> due_messages(UtcTime now, std::size_t limit);
  void mark_delivered(std::int64_t id, UtcTime now);
  void reschedule(std::int64_t id, UtcTime next_attempt);
  std::int64_t undelivered_count();

  // The gateway's receipts, failure notices and abort answers, kept as
  // received. Returns false when this message id is already kept.
  bool keep_outcome(std::string_view message_id, payment::MessageType type,
                    std::string_view order_ref, const std::optional<std::string>& transaction_id,
                    std::string_view content, UtcTime now);
  std::optional<std::string> kept_receipt(std::string_view order_ref);

 private:
  void create_schema();
  std::optional<payment::MerchantRecord> find_record(std::string_view column, std::string_view key);

  MerchantDatabase database_;
};

}  // namespace sippay::roles::merchant
