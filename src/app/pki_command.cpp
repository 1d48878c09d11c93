#include "app/pki_command.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <functional>
#include <iostream>
#include <memory>

#include "security/pki_operations.hpp"

namespace sippay::app {
namespace {

namespace security = sippay::security;

struct KeyChoice {
  security::PrivateKey::Algorithm algorithm;
  int rsa_bits;
};

std::optional<KeyChoice> parse_algorithm(const std::string& text) {
  if (text == "ec-p256") return KeyChoice{security::PrivateKey::Algorithm::ec_p256, 0};
  if (text == "rsa-3072") return KeyChoice{security::PrivateKey::Algorithm::rsa, 3072};
  return std::nullopt;
}

int fail(std::ostream& err, const security::Error& error) {
  fmt::print(err, "sippay pki: error: {}\n", error.detail);
  return 1;
}

int fail(std::ostream& err, std::string_view message) {
  fmt::print(err, "sippay pki: error: {}\n", message);
  return 1;
}

void add_dir_option(CLI::App& command, PkiOptions& options) {
  command.add_option("--dir", options.directory, "PKI directory")->required();
}

void add_algorithm_option(CLI::App& command, PkiOptions& options) {
  command.add_option("--algorithm", options.algorithm, "Key algorithm")
      ->check(CLI::IsMember({"ec-p256", "rsa-3072"}))
      ->capture_default_str();
}

void add_crl_days_option(CLI::App& command, PkiOptions& options) {
  command.add_option("--crl-days", options.crl_days, "Days until the CRL's nextUpdate (1 to 365)")
      ->capture_default_str();
}

// Runs `run` when `command` was chosen, ending the parse with its status.
void on_parsed(CLI::App& command, const std::shared_ptr<PkiOptions>& options,
               int (*run)(const PkiOptions&, std::ostream&, std::ostream&)) {
  command.callback([options, run] {
    const int status = run(*options, std::cout, std::cerr);
    if (status != 0) throw CLI::RuntimeError(status);
  });
}

}  // namespace

void add_pki_command(CLI::App& app) {
  auto options = std::make_shared<PkiOptions>();
  CLI::App* pki = app.add_subcommand("pki", "The operator PKI: CA, certificates, revocation (docs/pki.md)");
  pki->require_subcommand(1);

  CLI::App* init = pki->add_subcommand("init", "Create a CA, an empty index and an empty CRL in --dir");
  add_dir_option(*init, *options);
  add_algorithm_option(*init, *options);
  init->add_option("--name", options->name, "The CA's subject common name")->capture_default_str();
  init->add_option("--days", options->days, "CA validity in days (default 3650, at most 7300)");
  add_crl_days_option(*init, *options);
  on_parsed(*init, options, run_pki_init);

  CLI::App* issue = pki->add_subcommand("issue", "Issue a key and certificate for a SIP URI");
  add_dir_option(*issue, *options);
  issue->add_option("--uri", options->uri, "The entity's sip: or sips: URI, put in subjectAltName")->required();
  issue->add_option("--role", options->role, "Role, which sets the key usages")
      ->check(CLI::IsMember({"merchant", "customer", "gateway", "proxy"}))
      ->capture_default_str();
  issue->add_option("--dns", options->dns_names, "A DNS name for TLS hosts, put in subjectAltName (repeatable)");
  issue->add_option("--ip", options->ip_addresses,
                    "An IP address for TLS listeners named by address, put in subjectAltName (repeatable)");
  issue->add_option("--days", options->days, "Certificate validity in days (default 365, at most 825)");
  add_algorithm_option(*issue, *options);
  on_parsed(*issue, options, run_pki_issue);

  CLI::App* revoke = pki->add_subcommand("revoke", "Revoke certificates and publish a new CRL");
  add_dir_option(*revoke, *options);
  CLI::Option_group* target = revoke->add_option_group("target", "What to revoke: exactly one of");
  target->add_option("--serial", options->serial, "Serial number in hex");
  target->add_option("--uri", options->uri, "Revoke every valid certificate of this SIP URI");
  target->require_option(1);
  add_crl_days_option(*revoke, *options);
  on_parsed(*revoke, options, run_pki_revoke);

  CLI::App* crl = pki->add_subcommand("crl", "Re-sign the CRL, for before its nextUpdate passes");
  add_dir_option(*crl, *options);
  add_crl_days_option(*crl, *options);
  on_parsed(*crl, options, run_pki_crl);

  CLI::App* list = pki->add_subcommand("list", "Print the index of issued certificates");
  add_dir_option(*list, *options);
  on_parsed(*list, options, run_pki_list);
}

int run_pki_init(const PkiOptions& options, std::ostream& out, std::ostream& err) {
  const auto key = parse_algorithm(options.algorithm);
  if (!key) return fail(err, fmt::format("unknown algorithm '{}'; use ec-p256 or rsa-3072", options.algorithm));
  security::PkiInitOptions init;
  init.algorithm = key->algorithm;
  if (key->rsa_bits != 0) init.rsa_bits = key->rsa_bits;
  init.ca_name = options.name;
  init.ca_days = options.days.value_or(security::kDefaultCaValidityDays);
  init.crl_days = options.crl_days;

  const auto ca = security::pki_init(options.directory, init);
  if (!ca) return fail(err, ca.error());
  const security::PkiLayout layout(options.directory);
  fmt::print(out, "created CA {} serial={} not_after={}\n", ca.value().subject(), ca.value().serial_hex(),
             security::format_utc(ca.value().not_after()));
  fmt::print(out, "certificate={} key={} crl={}\n", layout.ca_certificate().string(), layout.ca_key().string(),
             layout.crl().string());
  return 0;
}

int run_pki_issue(const PkiOptions& options, std::ostream& out, std::ostream& err) {
  const auto key = parse_algorithm(options.algorithm);
  if (!key) return fail(err, fmt::format("unknown algorithm '{}'; use ec-p256 or rsa-3072", options.algorithm));
  const auto role = security::parse_pki_role(options.role);
  if (!role) return fail(err, fmt::format("unknown role '{}'; use merchant, customer, gateway or proxy", options.role));
  security::PkiIssueOptions issue;
  issue.uri = options.uri;
  issue.role = *role;
  issue.dns_names = options.dns_names;
  issue.ip_addresses = options.ip_addresses;
  issue.days = options.days.value_or(security::kDefaultCertificateValidityDays);
  issue.algorithm = key->algorithm;
  if (key->rsa_bits != 0) issue.rsa_bits = key->rsa_bits;

  const auto issued = security::pki_issue(options.directory, issue);
  if (!issued) return fail(err, issued.error());
  fmt::print(out, "issued serial={} uri={} role={} not_after={}\n", issued.value().certificate.serial_hex(),
             options.uri, options.role, security::format_utc(issued.value().certificate.not_after()));
  fmt::print(out, "certificate={} key={}\n", issued.value().certificate_file.string(),
             issued.value().key_file.string());
  return 0;
}

int run_pki_revoke(const PkiOptions& options, std::ostream& out, std::ostream& err) {
  security::PkiRevokeOptions revoke;
  if (!options.serial.empty()) revoke.serial_hex = options.serial;
  if (!options.uri.empty()) revoke.uri = options.uri;
  revoke.crl_days = options.crl_days;

  const auto outcome = security::pki_revoke(options.directory, revoke);
  if (!outcome) return fail(err, outcome.error());
  for (const security::PkiIndexEntry& entry : outcome.value().revoked) {
    fmt::print(out, "revoked serial={} uri={}\n", entry.serial_hex, entry.uri);
  }
  fmt::print(out, "crl={} number={}\n", security::PkiLayout(options.directory).crl().string(),
             outcome.value().crl_number);
  return 0;
}

int run_pki_crl(const PkiOptions& options, std::ostream& out, std::ostream& err) {
  const auto number = security::pki_update_crl(options.directory, options.crl_days);
  if (!number) return fail(err, number.error());
  fmt::print(out, "crl={} number={}\n", security::PkiLayout(options.directory).crl().string(), number.value());
  return 0;
}

int run_pki_list(const PkiOptions& options, std::ostream& out, std::ostream& err) {
  const security::PkiLayout layout(options.directory);
  const auto entries = security::read_pki_index(layout.index());
  if (!entries) return fail(err, entries.error());
  const auto now = std::chrono::system_clock::now();
  fmt::print(out, "{:<32}  {:<7}  {:<20}  {:<8}  {}\n", "SERIAL", "STATUS", "NOT_AFTER", "ROLE", "URI");
  for (const security::PkiIndexEntry& entry : entries.value()) {
    std::string_view status = "valid";
    if (entry.revoked) {
      status = "revoked";
    } else if (entry.not_after < now) {
      status = "expired";
    }
    fmt::print(out, "{:<32}  {:<7}  {:<20}  {:<8}  {}\n", entry.serial_hex, status,
               security::format_utc(entry.not_after), entry.role, entry.uri);
  }
  return 0;
}

}  // namespace sippay::app
