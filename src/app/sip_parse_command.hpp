// `sippay sip parse FILE...`: parses raw SIP messages, one per file, and
// prints each as JSON. Exit status 0 when every file holds a valid message,
// 1 when any is invalid, 2 when a file cannot be read.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sippay::app {

struct SipParseOptions {
  std::vector<std::string> files;  // "-" reads standard input
  bool pretty = false;
};

// Adds the `parse` subcommand to `sip`; sets `run` when it is chosen.
void add_sip_parse_command(CLI::App& sip, SipParseOptions& options);

int run_sip_parse(const SipParseOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sippay::app
