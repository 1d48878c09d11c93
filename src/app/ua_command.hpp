// `sippay ua`: a SIP user agent for testing and for operators.
//
//   sippay ua listen --bind udp:127.0.0.1:5090 [--bind tcp:... --bind tls:... --cert --key]
//   sippay ua send --to SIP-URI [--via PROXY-URI] [--from URI] [--content-type T] --body-file F
//                  [--user U --password P]
//   sippay ua register --registrar URI --aor URI [--contact URI] [--expires S] --user U --password P
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sippay::app {

struct UaOptions {
  std::vector<std::string> bind;
  std::string certificate_file;
  std::string private_key_file;
  std::string ca_file;
  bool require_client_certificate = false;
  double t1_ms = 500;

  // listen
  std::vector<std::string> accept = {"text/plain", "application/pkcs7-mime"};
  int reply_status = 200;

  // send
  std::string to;
  std::string via;
  std::string from;
  std::string content_type = "text/plain";
  std::string body_file;
  std::string user;
  std::string password;

  // register
  std::string registrar;
  std::string aor;
  std::string contact;
  unsigned expires = 3600;
  bool once = false;
};

// Adds `listen`, `send` and `register` under `ua`.
void add_ua_commands(CLI::App& ua, UaOptions& options);

int run_ua_listen(const UaOptions& options, std::ostream& out, std::ostream& err);
int run_ua_send(const UaOptions& options, std::ostream& out, std::ostream& err);
int run_ua_register(const UaOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sippay::app
