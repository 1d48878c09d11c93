// The outbox sender against a real merchant endpoint behind a real
// `sippay proxy` process: resent with backoff until a 2xx.
#include "roles/endpoint/outbox.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "roles/endpoint/endpoint_test_support.hpp"

namespace sippay::roles {
namespace {

using namespace std::chrono_literals;
using testing::Deployment;
using testing::Party;
using testing::run_until;

// An outbox in memory, recording what the sender did.
class MemoryOutbox : public OutboxStore {
 public:
  std::vector<OutboxEntry> due(std::chrono::system_clock::time_point now, std::size_t limit) override {
    std::vector<OutboxEntry> entries;
    for (const auto& [id, entry] : entries_) {
      if (!delivered_.contains(id) && entry.next_attempt <= now && entries.size() < limit) entries.push_back(entry);
    }
    return entries;
  }
  void mark_delivered(std::int64_t id) override { delivered_.insert(id); }
  void reschedule(std::int64_t id, std::chrono::system_clock::time_point next) override {
    ++entries_.at(id).attempts;
    entries_.at(id).next_attempt = next;
  }

  std::map<std::int64_t, OutboxEntry> entries_;
  std::set<std::int64_t> delivered_;
};

TEST(OutboxBackoff, DoublesUpToMaximum) {
  OutboxPolicy policy;
  policy.first_retry = 100ms;
  policy.max_retry = 1000ms;
  EXPECT_EQ(outbox_backoff(policy, 1), 100ms);
  EXPECT_EQ(outbox_backoff(policy, 2), 200ms);
  EXPECT_EQ(outbox_backoff(policy, 4), 800ms);
  EXPECT_EQ(outbox_backoff(policy, 5), 1000ms);
  EXPECT_EQ(outbox_backoff(policy, 60), 1000ms);
}

TEST(OutboxSenderTest, ResendsUntilAccepted) {
  Deployment deployment;
  const Party alice = deployment.issue("alice", "sip:alice@pay.test", security::PkiRole::customer);
  const Party merchant = deployment.issue("merchant", "sip:merchant@pay.test", security::PkiRole::merchant);
  deployment.add_user("alice", "alice-pw");
  deployment.add_user("merchant", "merchant-pw");
  deployment.start_proxy(SIPPAY_BINARY);

  asio::io_context io;
  std::vector<std::unique_ptr<PaymentEndpoint>> endpoints;
  for (const auto& [party, password] : {std::pair{alice, "alice-pw"}, std::pair{merchant, "merchant-pw"}}) {
    endpoints.push_back(std::make_unique<PaymentEndpoint>(io, deployment.endpoint_config(party, password)));
    std::optional<SendResult> registered;
    endpoints.back()->on_registration([&registered](const SendResult& result) { registered = result; });
    ASSERT_FALSE(endpoints.back()->start());
    ASSERT_TRUE(run_until(io, [&] { return registered.has_value(); }, 20s));
    ASSERT_TRUE(registered->succeeded()) << registered->summary();
    endpoints.back()->on_registration(nullptr);
  }
  std::vector<std::string> received;
  endpoints[1]->on_message([&received](const InboundMessage& message) {
    received.push_back(message.content);
    // The first two deliveries fail as if the merchant could not commit.
    return received.size() <= 2 ? Reply{500, "Try Later", {}} : Reply{};
  });

  MemoryOutbox store;
  store.entries_[7] = OutboxEntry{7, merchant.uri, R"({"type":"test"})", 0, std::chrono::system_clock::now()};
  OutboxPolicy policy;
  policy.poll_interval = 20ms;
  policy.first_retry = 50ms;
  OutboxSender sender(io, *endpoints[0], store, policy);
  sender.start();
  ASSERT_TRUE(run_until(io, [&] { return store.delivered_.contains(7); }, 30s));
  sender.stop();
  EXPECT_EQ(received.size(), 3u);
  EXPECT_EQ(store.entries_.at(7).attempts, 2);
  for (const std::string& content : received) EXPECT_EQ(content, R"({"type":"test"})");
}

}  // namespace
}  // namespace sippay::roles
