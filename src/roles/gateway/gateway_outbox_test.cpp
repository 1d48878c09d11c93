// The outbox store on the ledger file: due entries, retries, delivery.
#include "roles/gateway/gateway_test_support.hpp"

namespace sippay::roles::gateway::testing {
namespace {

using GatewayOutboxTest = GatewayFixture;

std::chrono::system_clock::time_point system_time(ledger::TimePoint time) {
  return std::chrono::system_clock::time_point(time.time_since_epoch());
}

TEST_F(GatewayOutboxTest, RescheduledEntryIsDueOnlyAgainLater) {
  ledger_->transact([](ledger::LedgerTransaction& tx) {
    enqueue_outbox(tx, kAlice, "receipt", "{\"one\":1}");
    enqueue_outbox(tx, kShop, "receipt", "{\"two\":2}");
  });
  LedgerOutboxStore store(*ledger_);
  const auto now = system_time(clock_.now());
  auto due = store.due(now, 10);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].to_uri, kAlice);
  EXPECT_EQ(due[0].content, "{\"one\":1}");
  EXPECT_EQ(due[0].attempts, 0);

  store.reschedule(due[0].id, now + 5s);
  store.mark_delivered(due[1].id);
  EXPECT_TRUE(store.due(now + 4s, 10).empty());
  due = store.due(now + 5s, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].attempts, 1);
  EXPECT_EQ(store.due(now, 1).size(), 0u);
  EXPECT_EQ(store.undelivered().size(), 1u);
}

TEST_F(GatewayOutboxTest, LimitCapsTheBatch) {
  ledger_->transact([](ledger::LedgerTransaction& tx) {
    for (int i = 0; i < 5; ++i) enqueue_outbox(tx, kAlice, "receipt", "{}");
  });
  LedgerOutboxStore store(*ledger_);
  EXPECT_EQ(store.due(system_time(clock_.now()), 3).size(), 3u);
}

}  // namespace
}  // namespace sippay::roles::gateway::testing
