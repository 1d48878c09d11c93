#include "app/ua_command.hpp"

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "sip/ua/registration.hpp"
#include "sip/ua/target.hpp"
#include "sip/ua/user_agent.hpp"

namespace sippay::app {
namespace {

using json = nlohmann::ordered_json;

constexpr std::chrono::seconds kShutdownLimit{5};

std::optional<sip::UserAgentSettings> make_settings(const UaOptions& options,
                                                    const std::vector<std::string>& default_bind,
                                                    std::ostream& err) {
  sip::UserAgentSettings settings;
  settings.user_agent = std::string("sippay/") + SIPPAY_VERSION;
  settings.timers.t1 = std::chrono::milliseconds(static_cast<long>(options.t1_ms));
  settings.accepted_content_types = options.accept;
  for (const std::string& text : options.bind.empty() ? default_bind : options.bind) {
    const auto address = sip::parse_transport_address(text);
    if (!address) {
      err << "invalid --bind " << text << ": expected udp:ADDRESS:PORT, tcp:... or tls:..., "
          << "with IPv6 addresses in brackets\n";
      return std::nullopt;
    }
    settings.transport.listen.push_back(*address);
  }
  if (!options.certificate_file.empty() || !options.ca_file.empty()) {
    sip::TlsSettings tls;
    tls.certificate_file = options.certificate_file;
    tls.private_key_file = options.private_key_file;
    tls.ca_file = options.ca_file;
    tls.require_client_certificate = options.require_client_certificate;
    settings.transport.tls = tls;
  }
  return settings;
}

// Runs `io` until SIGINT or SIGTERM, then lets the UA finish its open
// transactions (bounded by kShutdownLimit) and returns.
void run_until_signal(asio::io_context& io, sip::UserAgent& agent) {
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](std::error_code error, int) {
    if (error) return;
    agent.shutdown(kShutdownLimit, [&io] { io.stop(); });
  });
  io.run();
}

std::optional<std::string> read_file(const std::string& path, std::ostream& err) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    err << "cannot open --body-file " << path << "\n";
    return std::nullopt;
  }
  return std::string(std::istreambuf_iterator<char>(file), {});
}

std::optional<sip::DigestCredentials> credentials(const UaOptions& options) {
  if (options.user.empty()) return std::nullopt;
  return sip::DigestCredentials{options.user, options.password};
}

}  // namespace

void add_ua_commands(CLI::App& ua, UaOptions& options) {
  auto add_common = [&options](CLI::App* command) {
    command->add_option("--bind", options.bind,
                        "Local address to listen on, as udp:ADDRESS:PORT, tcp:... or tls:...; repeatable");
    command->add_option("--cert", options.certificate_file, "PEM certificate chain for TLS");
    command->add_option("--key", options.private_key_file, "PEM private key for TLS");
    command->add_option("--ca", options.ca_file, "PEM CA certificates that TLS peers must chain to");
    command->add_option("--t1-ms", options.t1_ms, "RFC 3261 timer T1 in milliseconds")
        ->check(CLI::Range(1.0, 60000.0));
  };
  CLI::App* listen = ua.add_subcommand("listen", "Answer MESSAGE and OPTIONS; print each MESSAGE as a JSON line");
  add_common(listen);
  listen->add_flag("--require-client-cert", options.require_client_certificate,
                   "Refuse TLS clients without a certificate from --ca");
  listen->add_option("--accept", options.accept, "Content types accepted in MESSAGE; others get 415");
  listen->add_option("--reply", options.reply_status, "Status code to answer MESSAGE with")
      ->check(CLI::Range(200, 699));

  CLI::App* send = ua.add_subcommand("send", "Send one MESSAGE and print the final status");
  add_common(send);
  send->add_option("--to", options.to, "Request-URI and To, for example sip:merchant@127.0.0.1:5090")->required();
  send->add_option("--via", options.via, "Send through this proxy (a loose route), for example sip:127.0.0.1:5070");
  send->add_option("--from", options.from, "From URI");
  send->add_option("--content-type", options.content_type, "Content-Type of the body");
  send->add_option("--body-file", options.body_file, "File holding the body, sent byte for byte")->required();
  send->add_option("--user", options.user, "Digest user name for 401/407 challenges");
  send->add_option("--password", options.password, "Digest password");

  CLI::App* reg = ua.add_subcommand("register", "Register a contact with Digest credentials and keep it refreshed");
  add_common(reg);
  reg->add_option("--registrar", options.registrar, "Registrar URI, for example sip:127.0.0.1:5070")->required();
  reg->add_option("--aor", options.aor, "Address of record, for example sip:alice@pay.test")->required();
  reg->add_option("--contact", options.contact, "Contact URI to bind; default: the AOR user at the bound address");
  reg->add_option("--expires", options.expires, "Requested binding lifetime in seconds");
  reg->add_option("--user", options.user, "Digest user name");
  reg->add_option("--password", options.password, "Digest password");
  reg->add_flag("--once", options.once, "Exit after the first registration result");
}

int run_ua_listen(const UaOptions& options, std::ostream& out, std::ostream& err) {
  auto settings = make_settings(options, {"udp:127.0.0.1:5060"}, err);
  if (!settings) return 2;
  asio::io_context io;
  sip::UserAgent agent(io, *settings);
  agent.on_message([&out, &options](const sip::ReceivedMessage& request) {
    const sip::Message& message = request.message;
    const sip::MediaType* type = message.content_type();
    json line = {{"event", "message"},
                 {"from", std::string(message.from()->text)},
                 {"content_type", type ? std::string(type->type) + "/" + std::string(type->subtype) : ""},
                 {"body_length", message.body().size()},
                 {"source", request.source.to_string()}};
    out << line.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
    return sip::UserAgent::MessageReply{options.reply_status, {}, {}};
  });
  if (auto error = agent.start()) {
    err << "cannot listen: " << error.message() << "\n";
    return 2;
  }
  for (const auto& address : agent.transport().local_addresses()) {
    out << json({{"event", "listening"}, {"address", address.to_string()}}).dump() << std::endl;
  }
  run_until_signal(io, agent);
  return 0;
}

int run_ua_send(const UaOptions& options, std::ostream& out, std::ostream& err) {
  std::string error;
  const auto target = sip::resolve_target(options.via.empty() ? options.to : options.via, error);
  if (!target) {
    err << "sippay ua send: " << error << "\n";
    return 2;
  }
  const bool v6 = target->address.address.is_v6();
  const std::string any = v6 ? "[::]" : "0.0.0.0";
  std::vector<std::string> default_bind = {"udp:" + any + ":0"};
  if (target->address.protocol == sip::TransportProtocol::kTcp) default_bind.push_back("tcp:" + any + ":0");
  // A TLS listener needs a certificate; without one the client connects
  // with --ca alone and the responses come back on its connection.
  if (target->address.protocol == sip::TransportProtocol::kTls && !options.certificate_file.empty()) {
    default_bind.push_back("tls:" + any + ":0");
  }
  auto settings = make_settings(options, default_bind, err);
  const auto body = read_file(options.body_file, err);
  if (!settings || !body) return 2;

  asio::io_context io;
  sip::UserAgent agent(io, *settings);
  if (auto start_error = agent.start()) {
    err << "sippay ua send: cannot open a socket: " << start_error.message() << "\n";
    return 2;
  }
  sip::OutgoingMessage message;
  message.to_uri = options.to;
  message.from_uri = options.from;
  if (!options.via.empty()) message.proxy_uri = options.via;
  message.content_type = options.content_type;
  message.body = *body;
  message.credentials = credentials(options);

  int status = 1;
  agent.send_message(std::move(message), [&](const sip::RequestOutcome& outcome) {
    if (outcome.succeeded()) {
      out << outcome.summary() << "\n";
      status = 0;
    } else {
      err << "sippay ua send: " << outcome.summary() << "\n";
    }
    agent.shutdown(kShutdownLimit, [&io] { io.stop(); });
  });
  io.run();
  return status;
}

int run_ua_register(const UaOptions& options, std::ostream& out, std::ostream& err) {
  std::string error;
  const auto target = sip::resolve_target(options.registrar, error);
  if (!target) {
    err << "sippay ua register: " << error << "\n";
    return 2;
  }
  const std::string any = target->address.address.is_v6() ? "[::]" : "0.0.0.0";
  auto settings = make_settings(options, {"udp:" + any + ":0"}, err);
  if (!settings) return 2;
  asio::io_context io;
  sip::UserAgent agent(io, *settings);
  if (auto start_error = agent.start()) {
    err << "sippay ua register: cannot open a socket: " << start_error.message() << "\n";
    return 2;
  }
  sip::RegistrationSettings registration;
  registration.registrar_uri = options.registrar;
  registration.aor = options.aor;
  registration.expires_seconds = options.expires;
  registration.credentials = credentials(options);
  registration.contact_uri = options.contact;
  if (registration.contact_uri.empty()) {
    const auto local = agent.transport().local_address_for(target->address.protocol, target->address.address);
    auto aor = sip::parse_uri(options.aor);
    const std::string user = aor && aor->has_user ? std::string(aor->user) : "user";
    const std::string host = local->address.is_v6() ? "[" + local->address.to_string() + "]" : local->address.to_string();
    registration.contact_uri = "sip:" + user + "@" + host + ":" + std::to_string(local->port);
  }

  int status = 1;
  auto binding = sip::Registration::create(agent, registration, [&](const sip::RequestOutcome& outcome) {
    json line = {{"event", "register"}, {"result", outcome.summary()}, {"contact", registration.contact_uri}};
    if (outcome.granted_expires) line["expires"] = *outcome.granted_expires;
    out << line.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
    status = outcome.succeeded() ? 0 : 1;
    if (options.once) agent.shutdown(kShutdownLimit, [&io] { io.stop(); });
  });
  binding->start();
  run_until_signal(io, agent);
  return status;
}

}  // namespace sippay::app
