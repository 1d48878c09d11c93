// The Digest credentials a server checks against: HA1 values read from a
// file the operator manages, never passwords.
//
// The file has one credential a line, four fields separated by spaces or tabs:
//
//   username realm algorithm HA1
//   alice pay.test SHA-256 5a1f...(64 hex digits)
//   alice pay.test MD5 0c2c...(32 hex digits)
//
// HA1 is the hex digest of "username:realm:password" with that algorithm
// (RFC 7616): 32 hex digits for MD5, 64 for SHA-256 and SHA-512-256.
// Hex digits may be of either case. A user may have one line per algorithm.
// Blank lines and lines whose first non-blank character is `#` are ignored.
// Usernames and realms cannot contain whitespace or control characters.
#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sip/auth/digest.hpp"

namespace sippay::sip {

// A credential file that cannot be read or used. The message names the file,
// the line (when there is one) and the problem, and never contains an HA1.
class CredentialFileError : public std::runtime_error {
 public:
  CredentialFileError(const std::string& message, std::size_t line)
      : std::runtime_error(message), line_(line) {}
  // 1-based line of the problem, or 0 when the file as a whole is the problem.
  std::size_t line() const { return line_; }

 private:
  std::size_t line_;
};

class CredentialStore {
 public:
  CredentialStore() = default;

  // Reads the credential file at `path`. Throws CredentialFileError.
  static CredentialStore load(const std::filesystem::path& path);
  // Parses the text of a credential file. `source_name`, usually the file's
  // path, starts each error message.
  static CredentialStore parse(std::string_view text, std::string_view source_name);

  // The HA1 of `username` in `realm` for `algorithm`, in lower-case hex, or
  // null. Usernames and realms are compared byte for byte.
  const std::string* find_ha1(std::string_view username, std::string_view realm,
                              DigestAlgorithm algorithm) const;

  // Number of credential lines.
  std::size_t size() const { return ha1_by_key_.size(); }

 private:
  static std::string make_key(std::string_view username, std::string_view realm,
                              DigestAlgorithm algorithm);

  struct Entry {
    std::string ha1;
    std::size_t line = 0;
  };
  std::unordered_map<std::string, Entry> ha1_by_key_;
};

// Formats a credential line (without a line break) for `username`, who
// authenticates with `password` in `realm` using `algorithm`. Throws
// std::invalid_argument when the username or realm is empty or contains
// whitespace or control characters.
std::string make_credential_line(std::string_view username, std::string_view realm,
                                 DigestAlgorithm algorithm, std::string_view password);

}  // namespace sippay::sip
