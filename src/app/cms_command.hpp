// `sippay cms sign|verify|encrypt|decrypt|seal|open`: CMS and S/MIME bodies
// over files, for operators and auditors. Input is DER (PEM with a CMS or
// PKCS7 label is accepted too); output is DER. Exit status 0 on success, 1
// when the input is rejected (the failure and the SIP response a UAS would
// send go to stderr), 2 when a file or option is unusable.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sippay::app {

struct CmsOptions {
  enum class Action { none, sign, verify, encrypt, decrypt, seal, open };
  Action action = Action::none;
  std::string in;
  std::string out;
  std::string cert;
  std::string key;
  std::string ca;
  std::string crl;
  std::vector<std::string> recipients;
  std::string sender;
  std::string content_type = "application/octet-stream";
};

// Adds the `cms` command and its subcommands to `app`.
void add_cms_command(CLI::App& app, CmsOptions& options);

int run_cms(const CmsOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sippay::app
