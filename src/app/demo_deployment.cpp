#include "app/demo_deployment.hpp"

#include <sys/stat.h>

#include <fstream>
#include <random>
#include <regex>
#include <stdexcept>

#include <fmt/core.h>

#include "app/demo_process.hpp"
#include "payment/pin_verification.hpp"
#include "sip/auth/credential_store.hpp"

namespace sippay::app::demo {
namespace fs = std::filesystem;
namespace {

// Digest passwords of the three parties that send requests through the proxy.
struct Passwords {
  std::string gateway, merchant, customer;
};

std::string random_password() {
  static constexpr std::string_view kAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device device;
  std::uniform_int_distribution<std::size_t> pick(0, kAlphabet.size() - 1);
  std::string password;
  for (int i = 0; i < 24; ++i) password += kAlphabet[pick(device)];
  return password;
}

void write_file(const fs::path& file, const std::string& text, fs::perms mode = fs::perms(0644)) {
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error(fmt::format("cannot write {}", file.string()));
  }
  fs::permissions(file, mode);
}

// Runs a `sippay` subcommand that must succeed, and returns its output.
std::string run_step(const std::vector<std::string>& args) {
  const ToolResult result = run_tool(args);
  if (result.status != 0) {
    std::string command = "sippay";
    for (const std::string& arg : args) command += " " + arg;
    throw std::runtime_error(
        fmt::format("`{}` exited with status {}:\n{}", command, result.status, result.output));
  }
  return result.output;
}

// Issues a certificate with `sippay pki issue` and returns the files it names.
Party issue(const fs::path& pki, const std::string& uri, const std::string& role) {
  // Every listener in the demo is named by 127.0.0.1, which TLS clients check
  // against the certificate's iPAddress. Only the proxy's certificate names
  // the domain: the gateway's accept_only_from takes a connection whose
  // certificate names it as the proxy's, so no other party may carry it.
  std::vector<std::string> arguments = {"pki", "issue", "--dir", pki.string(), "--uri", uri,
                                        "--role", role, "--ip", "127.0.0.1"};
  if (role == "proxy") {
    arguments.push_back("--dns");
    arguments.push_back(kDomain);
  }
  const std::string output = run_step(arguments);
  static const std::regex kFiles(R"(certificate=(\S+) key=(\S+))");
  std::smatch match;
  if (!std::regex_search(output, match, kFiles)) {
    throw std::runtime_error(fmt::format("`sippay pki issue` printed no certificate and key files:\n{}", output));
  }
  return Party{match[1].str(), match[2].str()};
}

std::string quoted(const fs::path& path) { return fmt::format("\"{}\"", path.string()); }

std::string credential_lines(const std::string& user, const std::string& password) {
  return sip::make_credential_line(user, kDomain, sip::DigestAlgorithm::kSha256, password) + "\n" +
         sip::make_credential_line(user, kDomain, sip::DigestAlgorithm::kMd5, password) + "\n";
}

// The [identity] and [sip] sections every role shares.
std::string endpoint_sections(const Deployment& deployment, const std::string& uri, const Party& party,
                              const std::string& listen, const std::string& user,
                              const std::string& password, bool register_contact) {
  return fmt::format(
      "[identity]\n"
      "uri = \"{}\"\n"
      "certificate = {}\n"
      "private_key = {}\n"
      "ca = {}\n"
      "crl = {}\n"
      "peer_certificates = {}\n"
      "\n"
      "[sip]\n"
      "listen = \"{}\"\n"
      "proxy = \"sips:127.0.0.1:{}\"\n"
      "username = \"{}\"\n"
      "password = \"{}\"\n"
      "register = {}\n",
      uri, quoted(party.certificate), quoted(party.private_key), quoted(deployment.pki / "ca.pem"),
      quoted(deployment.pki / "crl.pem"), quoted(deployment.peers), listen, deployment.proxy_port, user,
      password, register_contact ? "true" : "false");
}

Passwords read_passwords(const Deployment& deployment) {
  std::ifstream in(deployment.root / "passwords");
  Passwords passwords;
  in >> passwords.gateway >> passwords.merchant >> passwords.customer;
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", (deployment.root / "passwords").string()));
  return passwords;
}

void write_catalog(const fs::path& file) {
  std::string text;
  for (const CatalogItem& item : demo_catalog()) {
    text += fmt::format("[[item]]\nid = \"{}\"\nname = \"{}\"\nprice = \"{}\"\ncurrency = \"{}\"\nstock = {}\n\n",
                        item.id, item.name, format_amount(item.price), kCurrency, item.stock);
  }
  write_file(file, text);
}

void create_ledger(const Deployment& deployment) {
  const std::string db = deployment.ledger.string();
  run_step({"accounts", "create", "--db", db, "--id", kCustomerAccount, "--kind", "customer", "--currency",
            kCurrency, "--owner", kCustomerUri});
  run_step({"accounts", "create", "--db", db, "--id", kMerchantAccount, "--kind", "merchant", "--currency",
            kCurrency, "--owner", kMerchantUri});
  run_step({"accounts", "top-up", "--db", db, "--id", kCustomerAccount, "--amount",
            format_amount(kCustomerOpeningBalance), "--transfer-id", "demo-opening-balance", "--reference",
            "demo opening balance"});

  write_file(deployment.pin_file, std::string(kCustomerPin) + "\n", fs::perms(0600));
  payment::create_pin_key_file(deployment.pin_key);
  run_step({"accounts", "set-pin", "--db", db, "--id", kCustomerAccount, "--pin-key", deployment.pin_key.string(),
            "--pin-file", deployment.pin_file.string()});
}

}  // namespace

const std::vector<CatalogItem>& demo_catalog() {
  static const std::vector<CatalogItem> kCatalog = {
      {"coffee", "Coffee", 250, 100},
      {"ticket", "Concert ticket", 1500, 1},
      {"television", "Television", 89900, 5},
  };
  return kCatalog;
}

std::string format_amount(std::int64_t minor_units) {
  const char* sign = minor_units < 0 ? "-" : "";
  const std::int64_t magnitude = minor_units < 0 ? -minor_units : minor_units;
  return fmt::format("{}{}.{:02}", sign, magnitude / 100, magnitude % 100);
}

Deployment create_deployment(const fs::path& root) {
  Deployment deployment;
  deployment.root = fs::absolute(root);
  deployment.pki = deployment.root / "pki";
  deployment.peers = deployment.root / "peers";
  deployment.logs = deployment.root / "logs";
  deployment.ledger = deployment.root / "ledger.sqlite";
  deployment.pin_key = deployment.root / "pin.key";
  deployment.pin_file = deployment.root / "alice.pin";
  deployment.catalog = deployment.root / "catalog.toml";
  deployment.merchant_store = deployment.root / "merchant.sqlite";
  deployment.proxy_config = deployment.root / "proxy.toml";
  deployment.gateway_config = deployment.root / "gateway.toml";
  deployment.merchant_config = deployment.root / "merchant.toml";
  deployment.customer_config = deployment.root / "alice.toml";
  fs::create_directories(deployment.peers);
  fs::create_directories(deployment.logs);

  run_step({"pki", "init", "--dir", deployment.pki.string(), "--name", "sippay demo CA"});
  deployment.proxy = issue(deployment.pki, kProxyUri, "proxy");
  deployment.gateway = issue(deployment.pki, kGatewayUri, "gateway");
  deployment.merchant = issue(deployment.pki, kMerchantUri, "merchant");
  deployment.customer = issue(deployment.pki, kCustomerUri, "customer");
  fs::copy_file(deployment.gateway.certificate, deployment.peers / "gateway.pem");
  fs::copy_file(deployment.merchant.certificate, deployment.peers / "merchant.pem");
  fs::copy_file(deployment.customer.certificate, deployment.peers / "alice.pem");

  const Passwords passwords{random_password(), random_password(), random_password()};
  write_file(deployment.root / "passwords",
             fmt::format("{}\n{}\n{}\n", passwords.gateway, passwords.merchant, passwords.customer),
             fs::perms(0600));
  write_file(deployment.root / "users.ha1",
             credential_lines("gateway", passwords.gateway) + credential_lines("merchant", passwords.merchant) +
                 credential_lines("alice", passwords.customer),
             fs::perms(0600));

  deployment.gateway_port = pick_free_port();
  write_file(deployment.proxy_config,
             fmt::format("[proxy]\n"
                         "domains = [\"{}\"]\n"
                         "listen = [\"tls:127.0.0.1:0\"]\n"
                         "\n[tls]\ncertificate = {}\nprivate_key = {}\nca = {}\ncrl = {}\n"
                         "require_client_certificate = true\n"
                         "\n[auth]\nrealm = \"{}\"\ncredentials = \"users.ha1\"\n"
                         "\n[registrar]\ndatabase = \"location.sqlite\"\n"
                         "\n[[route]]\nuri = \"{}\"\ntarget = \"sips:127.0.0.1:{};transport=tls\"\n"
                         "mutual_tls = true\n",
                         kDomain, quoted(deployment.proxy.certificate), quoted(deployment.proxy.private_key),
                         quoted(deployment.pki / "ca.pem"), quoted(deployment.pki / "crl.pem"), kDomain,
                         kGatewayUri, deployment.gateway_port));

  create_ledger(deployment);
  write_catalog(deployment.catalog);
  return deployment;
}

void write_role_configs(const Deployment& deployment) {
  const Passwords passwords = read_passwords(deployment);

  // The gateway does not register: the proxy reaches it by its static route,
  // and it takes requests only over the proxy's mutual-TLS connections.
  write_file(deployment.gateway_config,
             endpoint_sections(deployment, kGatewayUri, deployment.gateway,
                               fmt::format("tls:127.0.0.1:{}", deployment.gateway_port), "gateway",
                               passwords.gateway, false) +
                 fmt::format("accept_only_from = \"{}\"\n"
                             "\n[ledger]\ndatabase = {}\npin_key = {}\n",
                             kProxyUri, quoted(deployment.ledger), quoted(deployment.pin_key)),
             fs::perms(0600));

  write_file(deployment.merchant_config,
             endpoint_sections(deployment, kMerchantUri, deployment.merchant, "tls:127.0.0.1:0", "merchant",
                               passwords.merchant, true) +
                 fmt::format("\n[merchant]\ngateway = \"{}\"\n"
                             "\n[catalog]\nfile = {}\n"
                             "\n[store]\npath = {}\n",
                             kGatewayUri, quoted(deployment.catalog),
                             quoted(deployment.merchant_store)),
             fs::perms(0600));

  write_file(deployment.customer_config,
             endpoint_sections(deployment, kCustomerUri, deployment.customer, "tls:127.0.0.1:0", "alice",
                               passwords.customer, true) +
                 fmt::format("\n[customer]\naccount = \"{}\"\ngateway = \"{}\"\nwallet = {}\n",
                             kCustomerAccount, kGatewayUri, quoted(deployment.root / "alice-wallet.sqlite")),
             fs::perms(0600));
}

std::vector<LoadCustomer> add_load_customers(const Deployment& deployment, int count,
                                             std::int64_t opening_balance) {
  const std::string db = deployment.ledger.string();
  std::vector<LoadCustomer> customers;
  std::string credentials;
  for (int i = 1; i <= count; ++i) {
    LoadCustomer customer;
    customer.user = fmt::format("load{}", i);
    customer.uri = fmt::format("sip:{}@{}", customer.user, kDomain);
    customer.password = random_password();
    customer.party = issue(deployment.pki, customer.uri, "customer");
    customer.config = deployment.root / (customer.user + ".toml");
    customer.wallet = deployment.root / (customer.user + "-wallet.sqlite");
    fs::copy_file(customer.party.certificate, deployment.peers / (customer.user + ".pem"));
    credentials += credential_lines(customer.user, customer.password);

    run_step({"accounts", "create", "--db", db, "--id", customer.user, "--kind", "customer", "--currency",
              kCurrency, "--owner", customer.uri});
    run_step({"accounts", "top-up", "--db", db, "--id", customer.user, "--amount", format_amount(opening_balance),
              "--transfer-id", customer.user + "-opening-balance", "--reference", "load opening balance"});
    run_step({"accounts", "set-pin", "--db", db, "--id", customer.user, "--pin-key", deployment.pin_key.string(),
              "--pin-file", deployment.pin_file.string()});
    customers.push_back(std::move(customer));
  }
  std::ofstream users(deployment.root / "users.ha1", std::ios::binary | std::ios::app);
  users << credentials;
  if (!users.flush()) throw std::runtime_error(fmt::format("cannot write {}", (deployment.root / "users.ha1").string()));
  return customers;
}

void write_load_customer_configs(const Deployment& deployment, const std::vector<LoadCustomer>& customers) {
  for (const LoadCustomer& customer : customers) {
    write_file(customer.config,
               endpoint_sections(deployment, customer.uri, customer.party, "tls:127.0.0.1:0", customer.user,
                                 customer.password, true) +
                   fmt::format("\n[customer]\naccount = \"{}\"\ngateway = \"{}\"\nwallet = {}\n", customer.user,
                               kGatewayUri, quoted(customer.wallet)),
               fs::perms(0600));
  }
}

void add_catalog_item(const Deployment& deployment, const CatalogItem& item) {
  std::ofstream out(deployment.catalog, std::ios::binary | std::ios::app);
  out << fmt::format("[[item]]\nid = \"{}\"\nname = \"{}\"\nprice = \"{}\"\ncurrency = \"{}\"\nstock = {}\n\n",
                     item.id, item.name, format_amount(item.price), kCurrency, item.stock);
  if (!out.flush()) throw std::runtime_error(fmt::format("cannot write {}", deployment.catalog.string()));
}

void set_proxy_rate_limit(const Deployment& deployment, int rate) {
  std::ofstream out(deployment.proxy_config, std::ios::binary | std::ios::app);
  out << fmt::format("\n[limits]\nrate = {}\nburst = {}\n", rate, rate);
  if (!out.flush()) throw std::runtime_error(fmt::format("cannot write {}", deployment.proxy_config.string()));
}

}  // namespace sippay::app::demo
