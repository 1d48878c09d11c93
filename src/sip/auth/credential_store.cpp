#include "sip/auth/credential_store.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "sip/charset.hpp"

namespace sippay::sip {
namespace {

constexpr std::string_view kFieldNames = "username realm algorithm HA1";

bool has_control_character(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return true;
  }
  return false;
}

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && charset::is_ws(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !charset::is_ws(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

std::size_t ha1_hex_digits(DigestAlgorithm algorithm) {
  return algorithm == DigestAlgorithm::kMd5 ? 32 : 64;
}

struct ParsedLine {
  std::string_view username;
  std::string_view realm;
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
  std::string ha1;
};

// Parses one line that is neither blank nor a comment. Returns the problem,
// or an empty string.
std::string parse_line(std::string_view line, ParsedLine& out) {
  const std::vector<std::string_view> fields = split_fields(line);
  if (fields.size() != 4) {
    return fmt::format("expected 4 fields ({}), found {}", kFieldNames, fields.size());
  }
  out.username = fields[0];
  out.realm = fields[1];
  if (has_control_character(out.username)) return "the username contains a control character";
  if (has_control_character(out.realm)) return "the realm contains a control character";

  const std::string_view algorithm_name = fields[2];
  const auto algorithm = parse_digest_algorithm(algorithm_name);
  if (!algorithm || has_control_character(algorithm_name)) {
    return fmt::format("unknown algorithm \"{}\"; expected MD5, SHA-256 or SHA-512-256",
                       algorithm_name);
  }
  if (algorithm->session) {
    return fmt::format("algorithm \"{}\" is not stored separately; write the line for {} instead",
                       algorithm_name, digest_algorithm_name({algorithm->algorithm, false}));
  }
  out.algorithm = algorithm->algorithm;

  // The HA1 is a password equivalent, so no message quotes it.
  const std::string_view ha1 = fields[3];
  const std::size_t expected_digits = ha1_hex_digits(out.algorithm);
  if (ha1.size() != expected_digits) {
    return fmt::format("the HA1 for {} must be {} hex digits, found {} characters",
                       digest_algorithm_name(*algorithm), expected_digits, ha1.size());
  }
  out.ha1.clear();
  for (std::size_t i = 0; i < ha1.size(); ++i) {
    if (!is_hex_digit(ha1[i])) {
      return fmt::format("the HA1 has a character that is not a hex digit at position {}", i + 1);
    }
    out.ha1.push_back(charset::to_lower(ha1[i]));
  }
  return {};
}

}  // namespace

CredentialStore CredentialStore::load(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw CredentialFileError(
        fmt::format("cannot open the credential file {}: {}", path.string(), std::strerror(errno)),
        0);
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) {
    throw CredentialFileError(fmt::format("cannot read the credential file {}", path.string()), 0);
  }
  return parse(text.str(), path.string());
}

CredentialStore CredentialStore::parse(std::string_view text, std::string_view source_name) {
  CredentialStore store;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    std::size_t first = 0;
    while (first < line.size() && charset::is_ws(line[first])) ++first;
    if (first == line.size() || line[first] == '#') continue;

    ParsedLine parsed;
    const std::string problem = parse_line(line, parsed);
    if (!problem.empty()) {
      throw CredentialFileError(fmt::format("{}:{}: {}", source_name, line_number, problem),
                                line_number);
    }
    const std::string key = make_key(parsed.username, parsed.realm, parsed.algorithm);
    const auto [entry, inserted] =
        store.ha1_by_key_.try_emplace(key, Entry{std::move(parsed.ha1), line_number});
    if (!inserted) {
      throw CredentialFileError(
          fmt::format("{}:{}: user \"{}\" in realm \"{}\" already has a {} HA1 on line {}",
                      source_name, line_number, parsed.username, parsed.realm,
                      digest_algorithm_name({parsed.algorithm, false}), entry->second.line),
          line_number);
    }
  }
  return store;
}

std::string CredentialStore::make_key(std::string_view username, std::string_view realm,
                                      DigestAlgorithm algorithm) {
  // Neither field contains a control character, so NUL separates them.
  std::string key;
  key.reserve(username.size() + realm.size() + 3);
  key.append(username);
  key.push_back('\0');
  key.append(realm);
  key.push_back('\0');
  key.push_back(static_cast<char>('0' + static_cast<int>(algorithm)));
  return key;
}

const std::string* CredentialStore::find_ha1(std::string_view username, std::string_view realm,
                                             DigestAlgorithm algorithm) const {
  if (has_control_character(username) || has_control_character(realm)) return nullptr;
  const auto found = ha1_by_key_.find(make_key(username, realm, algorithm));
  return found == ha1_by_key_.end() ? nullptr : &found->second.ha1;
}

std::string make_credential_line(std::string_view username, std::string_view realm,
                                 DigestAlgorithm algorithm, std::string_view password) {
  auto check_field = [](std::string_view value, std::string_view what) {
    bool valid = !value.empty() && !has_control_character(value);
    for (char c : value) valid = valid && !charset::is_ws(c);
    if (!valid) {
      throw std::invalid_argument(fmt::format(
          "the {} \"{}\" cannot be stored: it is empty or contains whitespace or a control "
          "character",
          what, value));
    }
  };
  check_field(username, "username");
  check_field(realm, "realm");
  const std::string ha1 =
      digest_hash(algorithm, fmt::format("{}:{}:{}", username, realm, password));
  return fmt::format("{} {} {} {}", username, realm, digest_algorithm_name({algorithm, false}),
                     ha1);
}

}  // namespace sippay::sip
