// `sippay pki`: the operator PKI, kept in one directory (docs/pki.md).
//
//   sippay pki init   --dir D [--algorithm ec-p256|rsa-3072] [--name CN] [--days N] [--crl-days N]
//   sippay pki issue  --dir D --uri SIP-URI [--role merchant|customer|gateway|proxy]
//                     [--dns NAME]... [--days N] [--algorithm ec-p256|rsa-3072]
//   sippay pki revoke --dir D (--serial HEX | --uri SIP-URI) [--crl-days N]
//   sippay pki crl    --dir D [--crl-days N]
//   sippay pki list   --dir D
//
// Each prints its result on standard output and exits 0, or prints an error
// on standard error and exits 1.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sippay::app {

struct PkiOptions {
  std::string directory;
  std::string algorithm = "ec-p256";
  std::string name = "sippay operator CA";
  std::optional<int> days;  // CA or certificate validity; each has its own default
  int crl_days = 30;
  std::string uri;
  std::string role = "merchant";
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::string serial;
};

// Adds `pki` with its subcommands under `app`. A chosen subcommand runs when
// parsing finishes; a failure ends parsing with CLI::RuntimeError(1).
void add_pki_command(CLI::App& app);

int run_pki_init(const PkiOptions& options, std::ostream& out, std::ostream& err);
int run_pki_issue(const PkiOptions& options, std::ostream& out, std::ostream& err);
int run_pki_revoke(const PkiOptions& options, std::ostream& out, std::ostream& err);
int run_pki_crl(const PkiOptions& options, std::ostream& out, std::ostream& err);
int run_pki_list(const PkiOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sippay::app
