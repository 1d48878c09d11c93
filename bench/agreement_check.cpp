#include "agreement_check.hpp"

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "readers.hpp"
#include "sample_message.hpp"

namespace sippay::bench {
namespace {

// The result of one library's parse, normalized, or nullopt when it failed.
template <typename Parse>
std::optional<NamedValues> parse_and_normalize(Parse&& parse) {
  std::optional<NamedValues> values;
  const bool ok = parse([&](const auto& fields) { values = normalize(fields); });
  if (!ok) return std::nullopt;
  return values;
}

// The values that sample_message() was built with, as normalize() writes them.
NamedValues expected_values() {
  const std::string_view body(reinterpret_cast<const char*>(kSmimeBody), sizeof kSmimeBody);
  return {
      {"Via branch", "z9hG4bK.edge.5c4b2a19f3"},
      {"Via host", "edge.pay.test"},
      {"Via port", "5061"},
      {"Via received", "192.0.2.4"},
      {"Via rport", "5061"},
      {"Max-Forwards", "69"},
      {"Request-URI user", "merchant"},
      {"Request-URI host", "pay.test"},
      {"Request-URI port", "0"},
      {"From user", "alice"},
      {"From host", "wallet.test"},
      {"From tag", "9fxced76sl"},
      {"To user", "merchant"},
      {"To host", "pay.test"},
      {"To tag", ""},
      {"Call-ID", "3848276298220188511@wallet.test"},
      {"CSeq number", "4711"},
      {"CSeq method", "MESSAGE"},
      {"Route host", "core.pay.test"},
      {"Route lr", "yes"},
      {"Contact user", "alice"},
      {"Contact host", "198.51.100.7"},
      {"Contact port", "40721"},
      {"Content-Type type", "application"},
      {"Content-Type subtype", "pkcs7-mime"},
      {"Content-Length", std::to_string(body.size())},
      {"Proxy-Authorization username", "\"alice\""},
      {"Proxy-Authorization realm", "\"pay.test\""},
      {"Proxy-Authorization nonce", "\"5f2a4e1b9c7d3e8f0a1b2c3d4e5f6071\""},
      {"Proxy-Authorization response", "\"6629fae49393a05397450978507c4ef1\""},
      {"body", std::string(body)},
  };
}

// Shows a value in an error message; the binary body is shown by its size.
std::string printable(const std::string& name, const std::string& value) {
  if (name == "body") return std::to_string(value.size()) + " bytes";
  return "\"" + value + "\"";
}

bool compare(std::string_view library, const NamedValues& actual, const NamedValues& expected,
             std::ostream& errors) {
  bool same = true;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& [name, expected_value] = expected[i];
    const std::string& actual_value = actual[i].second;
    if (actual_value != expected_value) {
      errors << "sippay_bench: " << library << " read " << name << " = "
             << printable(name, actual_value) << ", expected " << printable(name, expected_value)
             << "\n";
      same = false;
    }
  }
  return same;
}

}  // namespace

bool check_libraries_agree(std::ostream& errors) {
  const std::string& message = sample_message();
  // The byte after the message is not NUL, so a parser that ignores the
  // length and reads up to a NUL misreads the message.
  std::vector<char> buffer(message.begin(), message.end());
  buffer.push_back('X');
  const std::string_view bytes(buffer.data(), message.size());

  sip::Message reused;
  struct Result {
    std::string_view library;
    std::optional<NamedValues> values;
  };
  const Result results[] = {
      {"sippay (reused Message)", parse_and_normalize([&](auto&& visit) {
         return parse_sippay_reused(bytes, reused, visit);
       })},
      {"sippay (new Message)",
       parse_and_normalize([&](auto&& visit) { return parse_sippay_fresh(bytes, visit); })},
      {"libosip2", parse_and_normalize([&](auto&& visit) { return parse_osip(bytes, visit); })},
      {"sofia-sip", parse_and_normalize([&](auto&& visit) { return parse_sofia(bytes, visit); })},
  };

  bool ok = true;
  const NamedValues expected = expected_values();
  for (const Result& result : results) {
    if (!result.values) {
      errors << "sippay_bench: " << result.library
             << " failed to parse the sample message or to read a header a proxy needs\n";
      ok = false;
      continue;
    }
    ok = compare(result.library, *result.values, expected, errors) && ok;
  }
  return ok;
}

}  // namespace sippay::bench
