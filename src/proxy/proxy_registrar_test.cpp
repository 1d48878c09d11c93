// REGISTER through ProxyServer over real UDP sockets: Digest with 401,
// refresh, expiry, removal with `*`, and the failures.
#include <gtest/gtest.h>

#include "proxy/proxy_server_test_support.hpp"

namespace sippay::proxy {
namespace {

using namespace std::chrono_literals;
using testing::ProxyServerTest;
using testing::RequestText;

TEST_F(ProxyServerTest, RegisterChallengedThenAccepted) {
  start_proxy();
  auto& peer = add_peer();
  RequestText spec = register_spec("bob", contact_of(peer, "bob"), 600);

  const auto challenge = send(peer, spec);
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->status_code(), 401);
  ASSERT_EQ(challenge->www_authenticate().size(), 2U);
  EXPECT_EQ(challenge->www_authenticate()[0].algorithm, "SHA-256");
  EXPECT_EQ(challenge->www_authenticate()[1].algorithm, "MD5");

  spec.cseq += 1;
  spec.extra_headers += "Authorization: " + answer(*challenge, spec, "bob", "bob-secret") + "\r\n";
  const auto accepted = send(peer, spec);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status_code(), 200);
  ASSERT_EQ(accepted->contacts().size(), 1U);
  EXPECT_EQ(accepted->contacts()[0].expires, 600U);
  EXPECT_EQ(proxy_->location().lookup("sip:bob@pay.test", binding_time()).size(), 1U);
  EXPECT_EQ(proxy_->counters().get(Counter::kRegistered), 1U);
  EXPECT_EQ(proxy_->counters().get(Counter::kAuthChallenge), 1U);
}

TEST_F(ProxyServerTest, RegisterRefreshKeepsOneBinding) {
  start_proxy();
  auto& peer = add_peer();
  ASSERT_EQ(register_user(peer, "bob", contact_of(peer, "bob"), 60)->status_code(), 200);
  clock_ += std::chrono::seconds(50);

  const auto refreshed = register_user(peer, "bob", contact_of(peer, "bob"), 120);

  ASSERT_TRUE(refreshed);
  EXPECT_EQ(refreshed->status_code(), 200);
  ASSERT_EQ(refreshed->contacts().size(), 1U);
  EXPECT_EQ(refreshed->contacts()[0].expires, 120U);
}

TEST_F(ProxyServerTest, ExpiredBindingGives480) {
  start_proxy();
  auto& bob = add_peer();
  auto& carol = add_peer();
  ASSERT_EQ(register_user(bob, "bob", contact_of(bob, "bob"), 60)->status_code(), 200);
  clock_ += std::chrono::seconds(61);

  const auto response = send(carol, RequestText{});

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 480);
  EXPECT_EQ(requests_received(bob), 0U);
}

TEST_F(ProxyServerTest, SweepDeletesExpiredBindings) {
  config_.sweep_interval = std::chrono::seconds(1);
  start_proxy();
  auto& peer = add_peer();
  ASSERT_EQ(register_user(peer, "bob", contact_of(peer, "bob"), 60)->status_code(), 200);
  ASSERT_EQ(proxy_->location().size(), 1U);

  clock_ += std::chrono::seconds(61);

  EXPECT_TRUE(sip::testing::run_until(io_, [&] { return proxy_->location().size() == 0; }, 5s));
}

TEST_F(ProxyServerTest, UnregisterWithStarRemovesBindings) {
  start_proxy();
  auto& peer = add_peer();
  ASSERT_EQ(register_user(peer, "bob", contact_of(peer, "bob"))->status_code(), 200);
  ASSERT_EQ(register_user(peer, "bob", "sip:bob@127.0.0.1:9")->status_code(), 200);
  ASSERT_EQ(proxy_->location().size(), 2U);

  RequestText spec = register_spec("bob", "", 0);
  spec.extra_headers = "Contact: *\r\nExpires: 0\r\n";
  const auto challenge = send(peer, spec);
  ASSERT_TRUE(challenge);
  spec.cseq += 1;
  spec.extra_headers += "Authorization: " + answer(*challenge, spec, "bob", "bob-secret") + "\r\n";
  const auto removed = send(peer, spec);

  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->status_code(), 200);
  EXPECT_TRUE(removed->contacts().empty());
  EXPECT_EQ(proxy_->location().size(), 0U);
}

TEST_F(ProxyServerTest, RegisterWithWrongPasswordGets403) {
  start_proxy();
  auto& peer = add_peer();

  const auto response = register_user(peer, "bob", contact_of(peer, "bob"), 3600, "wrong");

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 403);
  EXPECT_EQ(proxy_->location().size(), 0U);
  EXPECT_EQ(proxy_->counters().get(Counter::kAuthFailed), 1U);
}

TEST_F(ProxyServerTest, RegisterForAnotherUserGets403) {
  start_proxy();
  auto& peer = add_peer();
  RequestText spec = register_spec("bob", contact_of(peer, "bob"), 600);
  const auto challenge = send(peer, spec);
  ASSERT_TRUE(challenge);
  spec.cseq += 1;
  spec.extra_headers += "Authorization: " + answer(*challenge, spec, "alice", "alice-secret") + "\r\n";

  const auto response = send(peer, spec);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 403);
  EXPECT_EQ(proxy_->location().size(), 0U);
  EXPECT_EQ(proxy_->counters().get(Counter::kIdentityMismatch), 1U);
}

TEST_F(ProxyServerTest, ReplayedAuthorizationGetsStaleChallenge) {
  start_proxy();
  auto& peer = add_peer();
  RequestText spec = register_spec("bob", contact_of(peer, "bob"), 600);
  const auto challenge = send(peer, spec);
  ASSERT_TRUE(challenge);
  spec.cseq += 1;
  spec.extra_headers += "Authorization: " + answer(*challenge, spec, "bob", "bob-secret") + "\r\n";
  ASSERT_EQ(send(peer, spec)->status_code(), 200);

  // The same credentials, nonce-count included, in a new transaction.
  spec.cseq += 1;
  const auto replayed = send(peer, spec);

  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed->status_code(), 401);
  ASSERT_FALSE(replayed->www_authenticate().empty());
  EXPECT_EQ(replayed->www_authenticate()[0].stale, "true");
  EXPECT_EQ(proxy_->counters().get(Counter::kRegistered), 1U);
}

TEST_F(ProxyServerTest, ExpiredNonceGetsStaleChallenge) {
  start_proxy();
  auto& peer = add_peer();
  RequestText spec = register_spec("bob", contact_of(peer, "bob"), 600);
  const auto challenge = send(peer, spec);
  ASSERT_TRUE(challenge);
  clock_ += config_.nonce_lifetime + std::chrono::seconds(1);

  spec.cseq += 1;
  spec.extra_headers += "Authorization: " + answer(*challenge, spec, "bob", "bob-secret") + "\r\n";
  const auto stale = send(peer, spec);

  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status_code(), 401);
  ASSERT_FALSE(stale->www_authenticate().empty());
  EXPECT_EQ(stale->www_authenticate()[0].stale, "true");
  EXPECT_EQ(proxy_->location().size(), 0U);
}

TEST_F(ProxyServerTest, RegisterForOtherDomainGets403) {
  start_proxy();
  auto& peer = add_peer();
  RequestText spec = register_spec("bob", contact_of(peer, "bob"), 600);
  spec.request_uri = "sip:elsewhere.test";

  const auto response = send(peer, spec);

  ASSERT_TRUE(response);
  EXPECT_EQ(response->status_code(), 403);
  EXPECT_EQ(proxy_->counters().get(Counter::kOtherDomain), 1U);
}

TEST_F(ProxyServerTest, SqliteBindingsSurviveRestart) {
  config_.database = folder_.path() / "location.sqlite";
  start_proxy();
  auto& peer = add_peer();
  ASSERT_EQ(register_user(peer, "bob", contact_of(peer, "bob"))->status_code(), 200);

  proxy_->transport().stop();
  proxy_.reset();
  start_proxy();

  const std::vector<Binding> bindings = proxy_->location().lookup("sip:bob@pay.test", binding_time());
  ASSERT_EQ(bindings.size(), 1U);
  EXPECT_EQ(bindings[0].contact_uri, contact_of(peer, "bob"));
}

}  // namespace
}  // namespace sippay::proxy
