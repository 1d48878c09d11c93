#include "proxy/proxy_config.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sippay::proxy {
namespace {

const std::string kMinimal = R"(
[proxy]
domains = ["pay.test"]
listen = ["udp:127.0.0.1:5060"]
[auth]
credentials = "users.ha1"
)";

ProxyConfig parse(const std::string& text) { return parse_proxy_config(text, "/etc/sippay", "proxy.toml"); }

// The message of the ConfigError that `text` raises, or "" when it parses.
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(ProxyConfigTest, FullExampleParses) {
  const ProxyConfig config = parse(R"(
[proxy]
domains = ["Pay.Test", "127.0.0.1"]
listen = ["udp:127.0.0.1:5060", "tcp:127.0.0.1:5060", "tls:127.0.0.1:5061"]
workers = 1
[tls]
certificate = "proxy.pem"
private_key = "proxy.key"
ca = "/pki/ca.pem"
crl = "/pki/crl.pem"
[auth]
realm = "pay.test"
credentials = "users.ha1"
nonce_lifetime = 120
algorithms = ["MD5"]
challenge_requests = false
[registrar]
database = "location.sqlite"
min_expires = 30
max_expires = 7200
default_expires = 600
max_contacts = 3
sweep_interval = 10
[limits]
rate = 20.5
burst = 40
over_limit = "drop"
retry_after = 7
max_in_flight = 500
max_message_bytes = 4096
[[route]]
uri = "sip:gateway@pay.test"
target = "sips:127.0.0.1:5062;transport=tls"
mutual_tls = true
[policy]
forward_to_other_domains = true
accept_from_other_domains = false
)");

  EXPECT_EQ(config.domains, (std::vector<std::string>{"pay.test", "127.0.0.1"}));
  ASSERT_EQ(config.listen.size(), 3U);
  EXPECT_EQ(config.listen[2].protocol, sip::TransportProtocol::kTls);
  ASSERT_TRUE(config.tls);
  EXPECT_EQ(config.tls->certificate_file, "/etc/sippay/proxy.pem");
  EXPECT_EQ(config.tls->ca_file, "/pki/ca.pem");
  EXPECT_EQ(config.tls->crl_file, "/pki/crl.pem");
  EXPECT_EQ(config.credentials, "/etc/sippay/users.ha1");
  EXPECT_EQ(config.nonce_lifetime, std::chrono::seconds(120));
  EXPECT_EQ(config.algorithms, std::vector<sip::DigestAlgorithm>{sip::DigestAlgorithm::kMd5});
  EXPECT_FALSE(config.challenge_requests);
  EXPECT_EQ(config.database, std::filesystem::path("/etc/sippay/location.sqlite"));
  EXPECT_EQ(config.registrar.min_expires, 30U);
  EXPECT_EQ(config.registrar.max_expires, 7200U);
  EXPECT_EQ(config.registrar.default_expires, 600U);
  EXPECT_EQ(config.registrar.max_contacts_per_aor, 3U);
  EXPECT_EQ(config.sweep_interval, std::chrono::seconds(10));
  EXPECT_DOUBLE_EQ(config.limits.rate, 20.5);
  EXPECT_DOUBLE_EQ(config.limits.burst, 40);
  EXPECT_EQ(config.limits.over_limit, OverLimitAction::kDrop);
  EXPECT_EQ(config.limits.retry_after, 7U);
  EXPECT_EQ(config.limits.max_in_flight, 500U);
  EXPECT_EQ(config.limits.max_message_bytes, 4096U);
  ASSERT_EQ(config.routes.size(), 1U);
  EXPECT_EQ(config.routes[0].aor, "sip:gateway@pay.test");
  EXPECT_EQ(config.routes[0].next_hop.address.port, 5062);
  EXPECT_TRUE(config.routes[0].mutual_tls);
  EXPECT_TRUE(config.routes[0].local_senders_only);
  EXPECT_TRUE(config.forward_to_other_domains);
  EXPECT_FALSE(config.accept_from_other_domains);
}

TEST(ProxyConfigTest, DefaultsApply) {
  const ProxyConfig config = parse(kMinimal);

  EXPECT_EQ(config.realm, "pay.test");
  EXPECT_TRUE(config.challenge_requests);
  EXPECT_FALSE(config.database);
  EXPECT_FALSE(config.tls);
  EXPECT_EQ(config.registrar.default_expires, 3600U);
  EXPECT_DOUBLE_EQ(config.limits.rate, 50);
  EXPECT_EQ(config.limits.over_limit, OverLimitAction::kReply);
  EXPECT_EQ(config.limits.max_in_flight, 10000U);
  EXPECT_FALSE(config.forward_to_other_domains);
  EXPECT_TRUE(config.accept_from_other_domains);
}

TEST(ProxyConfigTest, ErrorsNameTheKey) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"[proxy]\nlisten = [\"udp:127.0.0.1:5060\"]\n[auth]\ncredentials = \"u\"\n", "[proxy] domains: is required"},
      {"[proxy]\ndomains = [\"a\"]\nlisten = [\"udp:nowhere\"]\n[auth]\ncredentials = \"u\"\n",
       "[proxy] listen: \"udp:nowhere\" is invalid"},
      {kMinimal + "[limits]\nover_limit = \"ignore\"\n", "[limits] over_limit: \"ignore\" is invalid"},
      {kMinimal + "[limits]\nrate = 0\n", "[limits] rate: 0 is out of range"},
      {kMinimal + "[limits]\nmax_message_bytes = 100000\n", "[limits] max_message_bytes: 100000 is out of range"},
      {kMinimal + "[limits]\nburst = \"many\"\n", "[limits] burst: must be a number"},
      {kMinimal + "[registrar]\nmin_expires = 600\ndefault_expires = 60\n", "[registrar] expires:"},
      {kMinimal + "[registrar]\nmin_expire = 60\n", "[registrar] min_expire: unknown key"},
      {kMinimal + "[polcy]\n", "[polcy]: unknown section; did you mean [policy]?"},
      {"[proxy]\ndomains = [\"a\"]\nlisten = [\"udp:127.0.0.1:5060\"]\n[auth]\ncredentials = \"u\"\nalgorithms = [\"SHA-1\"]\n",
       "[auth] algorithms: \"SHA-1\" is not supported"},
      {"[proxy]\ndomains = [\"a\"]\nlisten = [\"udp:127.0.0.1:5060\"]\n[auth]\ncredentials = \"u\"\nalgorithms = [\"MD5\", \"md5\"]\n",
       "[auth] algorithms: \"md5\" is listed twice"},
      {kMinimal + "[[route]]\nuri = \"sip:gw@pay.test\"\ntarget = \"sips:127.0.0.1:5062\"\nmutual_tls = true\n",
       "[route 1] mutual_tls: needs the proxy's certificate"},
      {kMinimal + "[[route]]\nuri = \"sip:pay.test\"\ntarget = \"sip:127.0.0.1:5062\"\n",
       "[route 1] uri: \"sip:pay.test\" is not a sip or sips URI with a user part"},
      {kMinimal + "[[route]]\nuri = \"sip:gw@pay.test\"\ntarget = \"sip:gateway.example:5062\"\n",
       "[route 1] target:"},
      {"[proxy]\ndomains = [\"a\"]\nlisten = [\"tls:127.0.0.1:5061\"]\n[auth]\ncredentials = \"u\"\n",
       "a tls listener needs certificate and private_key in [tls]"},
      {kMinimal + "[tls]\ncrl = \"crl.pem\"\n", "[tls] ca: is required; crl needs the CA that issued the CRL"},
      {"[proxy]\ndomains = [\"a\"]\nlisten = [\"udp:127.0.0.1:5060\"]\n", "[auth] credentials: is required"},
      {kMinimal + "[proxy.extra\n", "invalid TOML"},
      {kMinimal + "[proxy]\n", "invalid TOML"},
      {"[auth]\ncredentials = \"u\"\n", "[proxy] is required"},
      {"[proxy]\ndomains = [\"a\"]\nlisten = [\"udp:127.0.0.1:5060\"]\nworkers = 4\n[auth]\ncredentials = \"u\"\n",
       "[proxy] workers: 4 is out of range"},
  };
  for (const Case& c : cases) {
    const std::string message = error_of(c.text);
    EXPECT_NE(message.find(c.expected), std::string::npos) << "for:\n" << c.text << "got: " << message;
    EXPECT_TRUE(message.starts_with("proxy.toml")) << message;
  }
}

TEST(ProxyConfigTest, MissingFileIsReported) {
  try {
    load_proxy_config("/nonexistent/proxy.toml");
    FAIL() << "no error";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/proxy.toml: cannot open"), std::string::npos);
  }
}

}  // namespace
}  // namespace sippay::proxy
