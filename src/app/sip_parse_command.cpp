#include "app/sip_parse_command.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>

#include "app/message_json.hpp"
#include "sip/message.hpp"

namespace sippay::app {
namespace {

// Reads at most `max_bytes` + 1 bytes, enough for the parser to see that a
// message is over the limit without holding an unbounded file in memory.
std::optional<std::string> read_input(const std::string& path, std::size_t max_bytes,
                                      std::string& error) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      error = "cannot open file";
      return std::nullopt;
    }
    in = &file;
  }
  std::string bytes(max_bytes + 1, '\0');
  in->read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in->bad()) {
    error = "read failed";
    return std::nullopt;
  }
  bytes.resize(static_cast<std::size_t>(in->gcount()));
  return bytes;
}

}  // namespace

void add_sip_parse_command(CLI::App& sip, SipParseOptions& options) {
  CLI::App* parse = sip.add_subcommand(
      "parse", "Parse raw SIP messages (one per file) and print each as JSON");
  parse->add_option("files", options.files, "Files holding one raw SIP message each; - for stdin")
      ->required();
  parse->add_flag("--pretty", options.pretty, "Indent the JSON instead of one object per line");
}

int run_sip_parse(const SipParseOptions& options, std::ostream& out, std::ostream& err) {
  const sip::ParseLimits limits;
  int status = 0;
  for (const std::string& path : options.files) {
    std::string read_error;
    const auto bytes = read_input(path, limits.max_message_bytes, read_error);
    if (!bytes) {
      err << path << ": error: " << read_error << "\n";
      status = 2;
      continue;
    }
    const auto message = sip::parse_message(*bytes, limits);
    if (!message) {
      err << path << ": invalid: " << message.error().to_string() << "\n";
      if (status == 0) status = 1;
      continue;
    }
    nlohmann::ordered_json json = {{"file", path}};
    json.update(message_to_json(*message));
    if (const sip::ParseError* problem = message->semantic_error()) {
      // Valid syntax that a UAS or proxy still rejects with 400.
      json["semantic_error"] = problem->to_string();
    }
    out << json.dump(options.pretty ? 2 : -1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
        << "\n";
  }
  return status;
}

}  // namespace sippay::app
