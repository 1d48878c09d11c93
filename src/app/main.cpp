// sippay: a mobile payment system carried over SIP. One binary with a
// subcommand per role and operator tool.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/sip_parse_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"sippay: mobile payments carried over SIP"};
  app.set_version_flag("--version", std::string("sippay ") + SIPPAY_VERSION);
  app.require_subcommand(1);

  CLI::App* sip = app.add_subcommand("sip", "SIP tools");
  sip->require_subcommand(1);
  sippay::app::SipParseOptions parse_options;
  sippay::app::add_sip_parse_command(*sip, parse_options);

  CLI11_PARSE(app, argc, argv);

  if (sip->got_subcommand("parse")) {
    return sippay::app::run_sip_parse(parse_options, std::cout, std::cerr);
  }
  return 0;
}
