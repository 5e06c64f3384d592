#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// Times as the gateway and its plugins write and read them. Pure functions,
// thread-safe; UTC only, no time zone database.
namespace ccm::sdk {

using SystemTime = std::chrono::system_clock::time_point;

// RFC 3339 UTC with milliseconds, the gateway's one form:
// "2026-11-23T10:35:42.123Z".
std::string formatRfc3339(SystemTime time);

// An RFC 3339 date-time (section 5.6): "2026-11-23T10:35:42.123Z",
// "2026-11-23t11:35:42+01:00". 'T' and 'Z' in either case, any number of
// fraction digits (kept to the clock's precision), leap second :60 (the next
// minute's :00); days are checked against the month. std::nullopt for
// anything else, and for a time outside the clock's range (years 1678..2261).
std::optional<SystemTime> parseRfc3339(std::string_view text);
// Whether `text` is such a date-time, for any year 0000..9999.
bool isRfc3339(std::string_view text);

// An HTTP-date as senders write it, IMF-fixdate (RFC 9110 5.6.7):
// "Sun, 06 Nov 1994 08:49:37 GMT".
std::string formatHttpDate(SystemTime time);

// An HTTP-date in any of the three forms a recipient must accept (RFC 9110
// 5.6.7): IMF-fixdate, the obsolete RFC 850 form "Sunday, 06-Nov-94 08:49:37
// GMT" and asctime's "Sun Nov  6 08:49:37 1994" (read with strptime, so
// day and month names are those of the C locale unless the program calls
// setlocale). std::nullopt for anything else, e.g. another zone than GMT.
std::optional<SystemTime> parseHttpDate(std::string_view text);

// A time's calendar fields in UTC, for the formats a single protocol wants
// (AWS Signature V4's "20150830T123600Z", an Event Grid SAS token's
// "3/14/2025 9:26:53 AM").
struct UtcTime {
  int year = 1970;
  unsigned month = 1;    // 1..12
  unsigned day = 1;      // 1..31
  unsigned weekday = 4;  // 0 = Sunday .. 6 = Saturday
  int hour = 0;          // 0..23
  int minute = 0;
  int second = 0;
  int millisecond = 0;  // 0..999, rounded down
};
UtcTime toUtcTime(SystemTime time);

}  // namespace ccm::sdk
