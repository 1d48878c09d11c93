// The index of certificates an operator CA issued: one tab-separated line
// per certificate, so `sippay pki list`, revocation and CRL generation read
// one file. Format (a '#' line starts comments):
//
//   serial<TAB>status<TAB>not_after<TAB>revoked_at<TAB>role<TAB>uri
//
// serial is upper-case hex, status `valid` or `revoked`, times are UTC in
// ISO 8601 ("2027-01-31T12:00:00Z") and revoked_at is "-" while valid.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "security/error.hpp"

namespace sippay::security {

// Largest index file read, in bytes (about 40,000 certificates).
inline constexpr std::size_t kMaxPkiIndexBytes = 8 * 1024 * 1024;

struct PkiIndexEntry {
  std::string serial_hex;
  bool revoked = false;
  std::chrono::system_clock::time_point not_after;
  std::optional<std::chrono::system_clock::time_point> revoked_at;
  std::string role;
  std::string uri;
};

// "2027-01-31T12:00:00Z", whole seconds.
std::string format_utc(std::chrono::system_clock::time_point time);
std::optional<std::chrono::system_clock::time_point> parse_utc(std::string_view text);

std::string format_pki_index(const std::vector<PkiIndexEntry>& entries);
// Fails with malformed, naming the line, on a line that does not fit the format.
Result<std::vector<PkiIndexEntry>> parse_pki_index(std::string_view text);

Result<std::vector<PkiIndexEntry>> read_pki_index(const std::filesystem::path& path);
Status write_pki_index(const std::filesystem::path& path, const std::vector<PkiIndexEntry>& entries);

}  // namespace sippay::security
