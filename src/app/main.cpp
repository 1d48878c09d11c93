// sippay: a mobile payment system carried over SIP. One binary with a
// subcommand per role and operator tool.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <iostream>

#include "app/accounts_command.hpp"
#include "app/bench_purchase_command.hpp"
#include "app/cms_command.hpp"
#include "app/demo_command.hpp"
#include "app/merchant_command.hpp"
#include "app/customer_command.hpp"
#include "app/pki_command.hpp"
#include "app/gateway_command.hpp"
#include "app/proxy_command.hpp"
#include "app/sip_parse_command.hpp"
#include "app/ua_command.hpp"

int main(int argc, char** argv) {
  // Standard output carries command results (JSON lines, status lines); logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_color_mt("sippay"));

  CLI::App app{"sippay: mobile payments carried over SIP"};
  app.set_version_flag("--version", std::string("sippay ") + SIPPAY_VERSION);
  app.require_subcommand(1);

  CLI::App* sip = app.add_subcommand("sip", "SIP tools");
  sip->require_subcommand(1);
  sippay::app::SipParseOptions parse_options;
  sippay::app::add_sip_parse_command(*sip, parse_options);

  CLI::App* ua = app.add_subcommand("ua", "A SIP user agent: listen for, send and register");
  ua->require_subcommand(1);
  sippay::app::UaOptions ua_options;
  sippay::app::add_ua_commands(*ua, ua_options);

  sippay::app::CmsOptions cms_options;
  sippay::app::add_cms_command(app, cms_options);
  sippay::app::add_pki_command(app);  // runs its subcommands while parsing
  sippay::app::add_accounts_command(app);
  sippay::app::add_merchant_command(app);  // runs the daemon while parsing
  sippay::app::add_gateway_command(app);  // runs the daemon while parsing
  sippay::app::ProxyOptions proxy_options;
  CLI::App* proxy = sippay::app::add_proxy_command(app, proxy_options);

  sippay::app::DemoOptions demo_options;
  CLI::App* demo = sippay::app::add_demo_command(app, demo_options);
  sippay::app::CustomerOptions customer_options;
  sippay::app::add_customer_command(app, customer_options);

  sippay::app::BenchPurchaseOptions bench_options;
  CLI::App* bench_purchase = sippay::app::add_bench_command(app, bench_options);

  CLI11_PARSE(app, argc, argv);

  if (customer_options.action != sippay::app::CustomerOptions::Action::none) {
    return sippay::app::run_customer(customer_options, std::cin, std::cout, std::cerr);
  }

  if (cms_options.action != sippay::app::CmsOptions::Action::none) {
    return sippay::app::run_cms(cms_options, std::cout, std::cerr);
  }
  if (bench_purchase->parsed()) return sippay::app::run_bench_purchase(bench_options, std::cout, std::cerr);
  if (demo->parsed()) return sippay::app::run_demo(demo_options, std::cout, std::cerr);
  if (proxy->parsed()) return sippay::app::run_proxy(proxy_options, std::cout, std::cerr);

  if (sip->got_subcommand("parse")) {
    return sippay::app::run_sip_parse(parse_options, std::cout, std::cerr);
  }
  if (ua->got_subcommand("listen")) return sippay::app::run_ua_listen(ua_options, std::cout, std::cerr);
  if (ua->got_subcommand("send")) return sippay::app::run_ua_send(ua_options, std::cout, std::cerr);
  if (ua->got_subcommand("register")) {
    return sippay::app::run_ua_register(ua_options, std::cout, std::cerr);
  }
  return 0;
}
