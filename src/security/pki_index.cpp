#include "security/pki_index.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <ctime>

#include "security/file_io.hpp"

namespace sippay::security {
namespace {

constexpr std::string_view kHeader = "# serial\tstatus\tnot_after\trevoked_at\trole\turi\n";

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> fields;
  for (;;) {
    const std::size_t end = text.find(separator);
    fields.push_back(text.substr(0, end));
    if (end == std::string_view::npos) return fields;
    text.remove_prefix(end + 1);
  }
}

bool is_upper_hex(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

Result<PkiIndexEntry> parse_line(std::string_view line) {
  const std::vector<std::string_view> fields = split(line, '\t');
  if (fields.size() != 6) return Error{ErrorCode::malformed, fmt::format("{} fields instead of 6", fields.size())};

  PkiIndexEntry entry;
  if (!is_upper_hex(fields[0])) return Error{ErrorCode::malformed, "serial is not upper-case hex"};
  entry.serial_hex = fields[0];

  if (fields[1] != "valid" && fields[1] != "revoked") {
    return Error{ErrorCode::malformed, fmt::format("status '{}' is neither valid nor revoked", fields[1])};
  }
  entry.revoked = fields[1] == "revoked";

  const auto not_after = parse_utc(fields[2]);
  if (!not_after) return Error{ErrorCode::malformed, fmt::format("not_after '{}' is not a UTC time", fields[2])};
  entry.not_after = *not_after;

  if (entry.revoked) {
    entry.revoked_at = parse_utc(fields[3]);
    if (!entry.revoked_at) {
      return Error{ErrorCode::malformed, fmt::format("revoked_at '{}' is not a UTC time", fields[3])};
    }
  } else if (fields[3] != "-") {
    return Error{ErrorCode::malformed, "revoked_at of a valid certificate must be -"};
  }

  entry.role = fields[4];
  entry.uri = fields[5];
  if (entry.role.empty() || entry.uri.empty()) return Error{ErrorCode::malformed, "empty role or uri"};
  return entry;
}

}  // namespace

std::string format_utc(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", parts.tm_year + 1900, parts.tm_mon + 1,
                     parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
}

std::optional<std::chrono::system_clock::time_point> parse_utc(std::string_view text) {
  if (text.size() != 20) return std::nullopt;
  const std::string copy(text);
  std::tm parts{};
  char zone = '\0';
  int consumed = 0;
  if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%n", &parts.tm_year, &parts.tm_mon, &parts.tm_mday,
                  &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &zone, &consumed) != 7 ||
      consumed != 20 || zone != 'Z' || copy[4] != '-' || copy[7] != '-') {
    return std::nullopt;
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  const std::tm wanted = parts;
  const std::time_t seconds = ::timegm(&parts);
  // timegm normalizes out-of-range fields (month 13, hour 25), so compare to reject them.
  if (parts.tm_year != wanted.tm_year || parts.tm_mon != wanted.tm_mon || parts.tm_mday != wanted.tm_mday ||
      parts.tm_hour != wanted.tm_hour || parts.tm_min != wanted.tm_min || parts.tm_sec != wanted.tm_sec) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(seconds);
}

std::string format_pki_index(const std::vector<PkiIndexEntry>& entries) {
  std::string out(kHeader);
  for (const PkiIndexEntry& entry : entries) {
    out += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", entry.serial_hex, entry.revoked ? "revoked" : "valid",
                       format_utc(entry.not_after), entry.revoked_at ? format_utc(*entry.revoked_at) : "-",
                       entry.role, entry.uri);
  }
  return out;
}

Result<std::vector<PkiIndexEntry>> parse_pki_index(std::string_view text) {
  std::vector<PkiIndexEntry> entries;
  std::size_t line_number = 0;
  for (std::string_view line : split(text, '\n')) {
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    auto entry = parse_line(line);
    if (!entry) {
      return Error{ErrorCode::malformed, fmt::format("index line {}: {}", line_number, entry.error().detail)};
    }
    entries.push_back(std::move(entry.value()));
  }
  return entries;
}

Result<std::vector<PkiIndexEntry>> read_pki_index(const std::filesystem::path& path) {
  auto text = read_file(path, kMaxPkiIndexBytes);
  if (!text) return text.error();
  auto entries = parse_pki_index(text.value());
  if (!entries) return Error{entries.error().code, path.string() + ": " + entries.error().detail};
  return entries;
}

Status write_pki_index(const std::filesystem::path& path, const std::vector<PkiIndexEntry>& entries) {
  return write_file_atomic(path, format_pki_index(entries), 0644);
}

}  // namespace sippay::security
