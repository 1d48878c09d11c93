// The merchant daemon behind a real `sippay proxy` over TLS on 127.0.0.1,
// with a customer's payment endpoint sending to it.
#include "roles/merchant/merchant_daemon.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "payment/auth_scheme.hpp"
#include "payment/dual_signature.hpp"
#include "payment/message_codec.hpp"
#include "roles/endpoint/endpoint_test_support.hpp"
#include "roles/merchant/merchant_test_support.hpp"
#include "security/cms_signed_data.hpp"
#include "security/pki_operations.hpp"

namespace sippay::roles::merchant {
namespace {

using namespace std::chrono_literals;
using roles::testing::Deployment;
using roles::testing::run_until;

std::optional<std::string> header(const SendResult& result, std::string_view name) {
  for (const auto& [key, value] : result.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

class MerchantDaemonTest : public ::testing::Test {
 protected:
  MerchantDaemonTest() {
    alice_ = deployment_.issue("alice", "sip:alice@pay.test", security::PkiRole::customer);
    merchant_ = deployment_.issue("merchant", "sip:merchant@pay.test", security::PkiRole::merchant);
    deployment_.add_user("alice", "alice-secret");
    deployment_.add_user("merchant", "merchant-secret");
    deployment_.start_proxy(SIPPAY_BINARY);

    std::ofstream(deployment_.root() / "catalog.toml")
        << "[[item]]\nid = \"coffee-beans\"\nname = \"Coffee\"\nprice = \"12.50\"\n"
           "currency = \"EUR\"\nstock = 5\n";
    MerchantDaemonConfig config;
    config.endpoint = deployment_.endpoint_config(merchant_, "merchant-secret");
    config.endpoint.accept_unsigned = true;
    // No polling, so only MerchantDaemon::reload_crl (SIGHUP) reloads the CRL.
    config.endpoint.crl_check_interval = 0s;
    config.machine = payment::MerchantConfig{merchant_.uri, "pay.test", "sip:gateway@pay.test",
                                             300s, 300s};
    config.catalog = deployment_.root() / "catalog.toml";
    config.store = deployment_.root() / "merchant.sqlite";
    daemon_ = std::make_unique<MerchantDaemon>(io_, config);
    EXPECT_FALSE(daemon_->start());

    alice_endpoint_ =
        std::make_unique<PaymentEndpoint>(io_, deployment_.endpoint_config(alice_, "alice-secret"));
    std::optional<SendResult> registered;
    alice_endpoint_->on_registration([&registered](const SendResult& r) { registered = r; });
    EXPECT_FALSE(alice_endpoint_->start());
    EXPECT_TRUE(run_until(io_, [&] { return registered.has_value(); }, 20s));
    alice_endpoint_->on_registration(nullptr);
  }

  // A probe, repeated until the merchant's registration has reached the
  // proxy and the probe gets its 401.
  SendResult probe() {
    SendResult last;
    for (int attempt = 0; attempt < 40; ++attempt) {
      std::optional<SendResult> result;
      alice_endpoint_->send_empty(merchant_.uri, {}, [&result](const SendResult& r) { result = r; });
      EXPECT_TRUE(run_until(io_, [&] { return result.has_value(); }, 20s));
      last = result.value_or(SendResult{});
      if (last.status == 401) return last;
      run_until(io_, [] { return false; }, 250ms);
    }
    return last;
  }

  std::string purchase(const std::string& nonce) {
    const payment::Order order = testing::sample_order(merchant_.uri, nonce, payment::utc_now());
    payment::Purchase purchase;
    purchase.message_id = "msg-purchase-000001";
    purchase.purchase_id = order.purchase_id;
    purchase.order = payment::encode(order);
    purchase.payment_information_hash = payment::sha256("the PI bytes");
    const security::SignerCredentials alice{
        security::Certificate::load_pem_file(alice_.certificate).value(),
        security::PrivateKey::load_pem_file(alice_.key).value(),
        {}};
    purchase.dual_signature =
        security::sign_data(payment::dual_signature_input(payment::sha256(purchase.order),
                                                          purchase.payment_information_hash),
                            alice)
            .value();
    purchase.payment_envelope = "opaque payment envelope";
    return payment::encode(purchase);
  }

  // Sends a purchase after a probe for the nonce and returns the final response.
  SendResult send_purchase() {
    const SendResult challenged = probe();
    EXPECT_EQ(challenged.status, 401) << challenged.summary();
    const std::string nonce =
        payment::parse_challenge(header(challenged, "WWW-Authenticate").value_or("")).value().nonce;
    std::optional<SendResult> result;
    alice_endpoint_->send_unsigned(
        merchant_.uri, purchase(nonce),
        {{"Authorization", payment::format_credentials({"pay.test", nonce, "pid-0123456789abcdef"})}},
        [&result](const SendResult& r) { result = r; });
    EXPECT_TRUE(run_until(io_, [&] { return result.has_value(); }, 20s));
    return result.value_or(SendResult{});
  }

  asio::io_context io_;
  Deployment deployment_;
  roles::testing::Party alice_, merchant_;
  std::unique_ptr<MerchantDaemon> daemon_;
  std::unique_ptr<PaymentEndpoint> alice_endpoint_;
};

TEST_F(MerchantDaemonTest, ProbeGetsSipPayChallenge) {
  const SendResult result = probe();
  ASSERT_EQ(result.status, 401) << result.summary();
  const auto challenge = header(result, "WWW-Authenticate");
  ASSERT_TRUE(challenge);
  const auto parsed = payment::parse_challenge(*challenge);
  ASSERT_TRUE(parsed.ok()) << *challenge;
  EXPECT_EQ(parsed->realm, "pay.test");
}

TEST_F(MerchantDaemonTest, PurchaseOverSipIsReserved) {
  const SendResult result = send_purchase();
  EXPECT_EQ(result.status, 200) << result.summary();
  EXPECT_TRUE(header(result, "Authentication-Info"));
  EXPECT_EQ(daemon_->store().stock("coffee-beans")->reserved, 2);
  // The payment request waits in the outbox for the gateway, which is not running.
  EXPECT_GE(daemon_->store().undelivered_count(), 1);
}

TEST_F(MerchantDaemonTest, ReloadedCrlRejectsRevokedCustomer) {
  security::PkiRevokeOptions revoke;
  revoke.uri = alice_.uri;
  ASSERT_TRUE(security::pki_revoke(deployment_.pki(), revoke).ok());
  std::optional<security::Result<security::CrlInfo>> reloaded;
  daemon_->reload_crl([&reloaded](const security::Result<security::CrlInfo>& outcome) { reloaded = outcome; });
  ASSERT_TRUE(run_until(io_, [&] { return reloaded.has_value(); }, 20s));
  ASSERT_TRUE(reloaded->ok()) << reloaded->error().detail;
  EXPECT_EQ(reloaded->value().revoked_count, 1u);

  const SendResult result = send_purchase();

  EXPECT_EQ(result.status, 403) << result.summary();
  EXPECT_EQ(result.reason, "Your certificate is revoked; contact your operator.");
  EXPECT_EQ(daemon_->store().stock("coffee-beans")->reserved, 0);
  EXPECT_EQ(daemon_->store().undelivered_count(), 0);
}

}  // namespace
}  // namespace sippay::roles::merchant
