#include "roles/merchant/merchant_store.hpp"

#include <gtest/gtest.h>

#include "roles/merchant/merchant_test_support.hpp"

namespace sippay::roles::merchant {
namespace {

using std::chrono::seconds;

const UtcTime kNow{seconds{1'800'000'000}};

class MerchantStoreTest : public ::testing::Test {
 protected:
  std::filesystem::path path() const { return folder_.path() / "merchant.sqlite"; }

  testing::TempFolder folder_;
};

TEST_F(MerchantStoreTest, UsesWalAndFullSync) {
  SqliteMerchantStore store(path());
  Statement journal(store.database(), "PRAGMA journal_mode");
  ASSERT_TRUE(journal.step());
  EXPECT_EQ(journal.text(0), "wal");
  Statement sync(store.database(), "PRAGMA synchronous");
  ASSERT_TRUE(sync.step());
  EXPECT_EQ(sync.integer(0), 2);  // FULL
}

TEST_F(MerchantStoreTest, ReservationSurvivesRestart) {
  {
    SqliteMerchantStore store(path());
    store.sync_catalog(testing::sample_catalog());
    Transaction transaction(store.database());
    ASSERT_TRUE(store.reserve("order-1", "coffee-beans", 2, kNow + seconds(300)));
    transaction.commit();
  }
  SqliteMerchantStore store(path());
  store.sync_catalog(testing::sample_catalog());
  const auto reservation = store.reservation("order-1");
  ASSERT_TRUE(reservation);
  EXPECT_EQ(reservation->quantity, 2);
  EXPECT_EQ(reservation->deadline, kNow + seconds(300));
  EXPECT_EQ(reservation->state, ReservationState::kHeld);
  EXPECT_EQ(store.stock("coffee-beans")->available, 3);
  EXPECT_EQ(store.stock("coffee-beans")->reserved, 2);
}

TEST_F(MerchantStoreTest, UncommittedReservationIsLost) {
  {
    SqliteMerchantStore store(path());
    store.sync_catalog(testing::sample_catalog());
    Transaction transaction(store.database());
    ASSERT_TRUE(store.reserve("order-1", "coffee-beans", 2, kNow));
  }
  SqliteMerchantStore store(path());
  EXPECT_FALSE(store.reservation("order-1"));
  EXPECT_EQ(store.stock("coffee-beans")->available, 5);
}

TEST_F(MerchantStoreTest, ReserveFailsWhenTooFewLeft) {
  SqliteMerchantStore store(path());
  store.sync_catalog(testing::sample_catalog());
  EXPECT_FALSE(store.reserve("order-1", "tea", 2, kNow));
  EXPECT_FALSE(store.reservation("order-1"));
  EXPECT_EQ(store.stock("tea")->available, 1);
  EXPECT_FALSE(store.reserve("order-2", "absent", 1, kNow));
}

TEST_F(MerchantStoreTest, ReleaseGivesStockBackOnce) {
  SqliteMerchantStore store(path());
  store.sync_catalog(testing::sample_catalog());
  ASSERT_TRUE(store.reserve("order-1", "coffee-beans", 2, kNow));
  EXPECT_TRUE(store.release("order-1"));
  EXPECT_FALSE(store.release("order-1"));
  EXPECT_FALSE(store.deliver("order-1"));
  EXPECT_EQ(store.stock("coffee-beans")->available, 5);
  EXPECT_EQ(store.stock("coffee-beans")->reserved, 0);
}

TEST_F(MerchantStoreTest, DeliverKeepsStockSold) {
  SqliteMerchantStore store(path());
  store.sync_catalog(testing::sample_catalog());
  ASSERT_TRUE(store.reserve("order-1", "coffee-beans", 2, kNow));
  EXPECT_TRUE(store.deliver("order-1"));
  EXPECT_FALSE(store.release("order-1"));
  EXPECT_EQ(store.stock("coffee-beans")->available, 3);
  EXPECT_EQ(store.reservation("order-1")->state, ReservationState::kDelivered);
}

TEST_F(MerchantStoreTest, CatalogStockChangeMovesAvailable) {
  SqliteMerchantStore store(path());
  auto catalog = testing::sample_catalog();
  store.sync_catalog(catalog);
  ASSERT_TRUE(store.reserve("order-1", "coffee-beans", 4, kNow));
  // Reloading the same file keeps what was sold or reserved.
  store.sync_catalog(catalog);
  EXPECT_EQ(store.stock("coffee-beans")->available, 1);
  // Raising the file's stock by 3 adds 3.
  catalog[0].stock = 8;
  store.sync_catalog(catalog);
  EXPECT_EQ(store.stock("coffee-beans")->available, 4);
  // Lowering it below what is left stops at zero.
  catalog[0].stock = 1;
  store.sync_catalog(catalog);
  EXPECT_EQ(store.stock("coffee-beans")->available, 0);
}

TEST_F(MerchantStoreTest, DroppedItemIsUnlisted) {
  SqliteMerchantStore store(path());
  store.sync_catalog(testing::sample_catalog());
  ASSERT_TRUE(store.reserve("order-1", "tea", 1, kNow));
  store.sync_catalog({testing::sample_catalog()[0]});
  EXPECT_FALSE(store.find_listed_item("tea"));
  EXPECT_TRUE(store.find_listed_item("coffee-beans"));
  EXPECT_TRUE(store.release("order-1"));
  EXPECT_EQ(store.stock("tea")->available, 1);
}

TEST_F(MerchantStoreTest, NonceIsSingleUseAcrossRestart) {
  {
    SqliteMerchantStore store(path());
    store.insert_nonce("nonce-aaaaaaaaaaaaaaaa", kNow + seconds(300));
  }
  {
    SqliteMerchantStore store(path());
    EXPECT_TRUE(store.consume_nonce("nonce-aaaaaaaaaaaaaaaa", kNow));
  }
  SqliteMerchantStore store(path());
  EXPECT_FALSE(store.consume_nonce("nonce-aaaaaaaaaaaaaaaa", kNow));
  EXPECT_FALSE(store.consume_nonce("nonce-never-issued-00", kNow));
}

TEST_F(MerchantStoreTest, ExpiredNonceIsRejected) {
  SqliteMerchantStore store(path());
  store.insert_nonce("nonce-aaaaaaaaaaaaaaaa", kNow + seconds(300));
  EXPECT_FALSE(store.consume_nonce("nonce-aaaaaaaaaaaaaaaa", kNow + seconds(300)));
  EXPECT_EQ(store.delete_expired_nonces(kNow + seconds(300)), 1);
}

TEST_F(MerchantStoreTest, OutboxSurvivesRestartUntilDelivered) {
  std::int64_t id = 0;
  {
    SqliteMerchantStore store(path());
    id = store.enqueue(payment::SendMessage{"sip:gateway@pay.test",
                                            payment::MessageType::kAbortRequest, "{}",
                                            {{"Subject", "abort"}}},
                       kNow);
    store.reschedule(id, kNow + seconds(4));
  }
  SqliteMerchantStore store(path());
  EXPECT_TRUE(store.due_messages(kNow + seconds(3), 10).empty());
  const auto due = store.due_messages(kNow + seconds(4), 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].id, id);
  EXPECT_EQ(due[0].to_uri, "sip:gateway@pay.test");
  EXPECT_EQ(due[0].type, payment::MessageType::kAbortRequest);
  EXPECT_EQ(due[0].attempts, 1);
  ASSERT_EQ(due[0].headers.size(), 1u);
  EXPECT_EQ(due[0].headers[0].second, "abort");
  store.mark_delivered(id, kNow + seconds(5));
  EXPECT_TRUE(store.due_messages(kNow + seconds(60), 10).empty());
  EXPECT_EQ(store.undelivered_count(), 0);
}

std::int64_t synchronous_setting(MerchantDatabase& database) {
  Statement sync(database, "PRAGMA synchronous");
  return sync.step() ? sync.integer(0) : -1;
}

TEST_F(MerchantStoreTest, DeferredSyncLastsForItsScopeOnly) {
  SqliteMerchantStore store(path());
  {
    DeferredSync deferred(store.database());
    EXPECT_EQ(synchronous_setting(store.database()), 1);  // NORMAL
  }
  EXPECT_EQ(synchronous_setting(store.database()), 2);  // FULL again
  const std::int64_t id = store.enqueue(
      payment::SendMessage{"sip:gateway@pay.test", payment::MessageType::kAbortRequest, "{}", {}}, kNow);
  store.reschedule(id, kNow + seconds(1));
  store.mark_delivered(id, kNow + seconds(2));
  EXPECT_EQ(synchronous_setting(store.database()), 2);
  EXPECT_EQ(store.undelivered_count(), 0);
}

TEST_F(MerchantStoreTest, OutcomeIsKeptOnce) {
  SqliteMerchantStore store(path());
  EXPECT_TRUE(store.keep_outcome("msg-receipt-0000001", payment::MessageType::kReceipt, "order-1",
                                 std::string("txn-0000000000000001"), "{receipt}", kNow));
  EXPECT_FALSE(store.keep_outcome("msg-receipt-0000001", payment::MessageType::kReceipt,
                                  "order-1", std::nullopt, "{other}", kNow));
  EXPECT_EQ(store.kept_receipt("order-1"), "{receipt}");
}

TEST_F(MerchantStoreTest, UnwritableFolderIsNamed) {
  const auto bad = folder_.path() / "absent" / "merchant.sqlite";
  try {
    SqliteMerchantStore store(bad);
    FAIL() << "opened";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find(bad.string()), std::string::npos);
  }
}

}  // namespace
}  // namespace sippay::roles::merchant
