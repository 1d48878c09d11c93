// The processor called from several threads at once, as the daemon's
// worker pool calls it: the messages settle as they do one by one, and the
// ledger puts their transactions into one commit.
#include <fmt/format.h>

#include <map>
#include <set>
#include <thread>

#include "roles/gateway/gateway_test_support.hpp"

namespace sippay::roles::gateway::testing {
namespace {

using payment::Decision;

class GatewayConcurrencyTest : public GatewayFixture {
 protected:
  // Runs each of `messages` (signer, content) on its own thread. One
  // transaction keeps the ledger busy until all of them have queued, so
  // their transactions form exactly one batch. Returns the SIP statuses in
  // order.
  std::vector<int> handle_at_once(const std::vector<std::pair<std::string, std::string>>& messages) {
    std::atomic<bool> holding = false;
    std::thread holder([&] {
      ledger_->transact([&](ledger::LedgerTransaction&) {
        holding = true;
        while (ledger_->queued() < messages.size()) std::this_thread::yield();
      });
    });
    while (!holding) std::this_thread::yield();

    std::vector<int> statuses(messages.size(), 0);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < messages.size(); ++i) {
      threads.emplace_back([&, i] { statuses[i] = send(messages[i].first, messages[i].second).sip_status; });
    }
    for (auto& thread : threads) thread.join();
    holder.join();
    return statuses;
  }
};

TEST_F(GatewayConcurrencyTest, ConcurrentPurchasesSettleInOneCommit) {
  constexpr int kPurchases = 6;
  constexpr std::int64_t kAmount = 100;

  // Each payment request is sent twice at once, as a merchant that retries
  // before the first response would.
  std::vector<std::pair<std::string, std::string>> requests;
  for (int i = 0; i < kPurchases; ++i) {
    const auto built = purchase(fmt::format("purchase-{:016}", 100 + i), fmt::format("order-{}", i), kAmount);
    const std::string bytes = payment::encode(built.request);
    requests.emplace_back(kShop, bytes);
    requests.emplace_back(kShop, bytes);
  }
  const ledger::GroupCommitStats before = ledger_->stats();
  for (const int status : handle_at_once(requests)) EXPECT_EQ(status, 200);
  const ledger::GroupCommitStats reserved = ledger_->stats();
  EXPECT_EQ(reserved.works - before.works, requests.size() + 1);
  EXPECT_EQ(reserved.commits - before.commits, 2u);

  // One reservation per purchase; the repeated request gets the same CR bytes.
  EXPECT_EQ(account("alice").debits_pending, kPurchases * kAmount);
  const auto crs = of_type(drain_outbox(), "confirmation-request");
  ASSERT_EQ(crs.size(), requests.size());
  std::map<std::string, int> copies;
  for (const auto& cr : crs) {
    EXPECT_EQ(cr.to_uri, kAlice);
    ++copies[cr.content];
  }
  ASSERT_EQ(copies.size(), static_cast<std::size_t>(kPurchases));
  for (const auto& [content, count] : copies) EXPECT_EQ(count, 2) << content;

  std::vector<std::pair<std::string, std::string>> acks;
  for (const auto& [content, count] : copies) acks.emplace_back(kAlice, ack_for(content, Decision::kAccept));
  const ledger::GroupCommitStats before_acks = ledger_->stats();
  for (const int status : handle_at_once(acks)) EXPECT_EQ(status, 200);
  const ledger::GroupCommitStats settled = ledger_->stats();
  EXPECT_EQ(settled.works - before_acks.works, acks.size() + 1);
  EXPECT_EQ(settled.commits - before_acks.commits, 2u);

  const auto receipts = of_type(drain_outbox(), "receipt");
  EXPECT_EQ(receipts.size(), 2u * kPurchases);
  EXPECT_EQ(account("alice").balance, 10000 - kPurchases * kAmount);
  EXPECT_EQ(account("alice").debits_pending, 0);
  EXPECT_EQ(account("shop").balance, kPurchases * kAmount);
  EXPECT_TRUE(invariant_violations().empty());
}

TEST_F(GatewayConcurrencyTest, ConcurrentWrongPinsLockOnce) {
  // Three wrong PINs lock the account. Six at once count one by one, so the
  // third and every later one get pin-locked.
  std::vector<std::pair<std::string, std::string>> requests;
  for (int i = 0; i < 6; ++i) {
    const auto built = purchase(fmt::format("purchase-{:016}", 200 + i), fmt::format("order-pin-{}", i), 100, "9999");
    requests.emplace_back(kShop, payment::encode(built.request));
  }
  for (const int status : handle_at_once(requests)) EXPECT_EQ(status, 200);

  std::multiset<payment::ReasonCode> reasons;
  for (const auto& notice : of_type(drain_outbox(), "failure-notice")) {
    if (notice.to_uri == kShop) reasons.insert(reason_of(notice));
  }
  EXPECT_EQ(reasons.count(payment::ReasonCode::kWrongPin), 2u);
  EXPECT_EQ(reasons.count(payment::ReasonCode::kPinLocked), 4u);
  EXPECT_EQ(account("alice").debits_pending, 0);
  EXPECT_EQ(account("alice").balance, 10000);
  EXPECT_TRUE(invariant_violations().empty());
}

}  // namespace
}  // namespace sippay::roles::gateway::testing
