// Timestamps of the payment protocol: UTC, whole seconds, written as
// RFC 3339 "YYYY-MM-DDTHH:MM:SSZ" (always 20 characters, always "Z").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sippay::payment {

using UtcTime = std::chrono::sys_seconds;

// Earliest and latest timestamps the codec accepts: 2000-01-01T00:00:00Z and
// 9999-12-31T23:59:59Z.
inline constexpr std::chrono::year kMinTimestampYear{2000};
inline constexpr std::chrono::year kMaxTimestampYear{9999};

// Formats `time`, which must lie in the accepted range, as
// "YYYY-MM-DDTHH:MM:SSZ". Throws std::out_of_range otherwise.
std::string format_utc_time(UtcTime time);

// Parses exactly the format above: no fractional seconds, no offset other
// than "Z", no leap second, a real calendar date in the accepted range.
std::optional<UtcTime> parse_utc_time(std::string_view text);

// The current time, truncated to whole seconds.
UtcTime utc_now();

}  // namespace sippay::payment
