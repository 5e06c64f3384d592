#include "ccm/sdk/time.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace ccm::sdk {
namespace {

using namespace std::chrono;

constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool readDigits(std::string_view text, std::size_t& i, std::size_t count, int& value) {
  if (text.size() - i < count) return false;
  value = 0;
  for (std::size_t end = i + count; i < end; ++i) {
    if (!isDigit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

bool readChar(std::string_view text, std::size_t& i, std::string_view choices) {
  if (i == text.size() || choices.find(text[i]) == std::string_view::npos) return false;
  ++i;
  return true;
}

// A time read from text as whole seconds (64 bits hold any year a text can
// name) on the clock, whose nanosecond ticks reach only the years 1678..2261.
std::optional<SystemTime> onTheClock(sys_seconds whole, nanoseconds fraction = {}) {
  constexpr auto kEarliest = ceil<seconds>(SystemTime::min().time_since_epoch()) + seconds{1};
  constexpr auto kLatest = floor<seconds>(SystemTime::max().time_since_epoch()) - seconds{1};
  if (whole.time_since_epoch() < kEarliest || whole.time_since_epoch() > kLatest) return std::nullopt;
  return SystemTime{duration_cast<system_clock::duration>(whole.time_since_epoch())} +
         duration_cast<system_clock::duration>(fraction);
}

}  // namespace

UtcTime toUtcTime(SystemTime time) {
  const auto millis = floor<milliseconds>(time);
  const auto day = floor<days>(millis);
  const year_month_day date{day};
  const hh_mm_ss clock{millis - day};
  return {static_cast<int>(date.year()),
          static_cast<unsigned>(date.month()),
          static_cast<unsigned>(date.day()),
          weekday{day}.c_encoding(),
          static_cast<int>(clock.hours().count()),
          static_cast<int>(clock.minutes().count()),
          static_cast<int>(clock.seconds().count()),
          static_cast<int>(clock.subseconds().count())};
}

std::string formatRfc3339(SystemTime time) {
  const UtcTime utc = toUtcTime(time);
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", utc.year, utc.month, utc.day, utc.hour,
                utc.minute, utc.second, utc.millisecond);
  return text;
}

namespace {

// An RFC 3339 date-time: whole seconds since the epoch and the fraction.
struct Rfc3339 {
  sys_seconds whole;
  nanoseconds fraction;
};

std::optional<Rfc3339> readRfc3339(std::string_view text) {
  std::size_t i = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!readDigits(text, i, 4, year) || !readChar(text, i, "-") || !readDigits(text, i, 2, month) ||
      !readChar(text, i, "-") || !readDigits(text, i, 2, day) || !readChar(text, i, "Tt") ||
      !readDigits(text, i, 2, hour) || !readChar(text, i, ":") || !readDigits(text, i, 2, minute) ||
      !readChar(text, i, ":") || !readDigits(text, i, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return std::nullopt;

  nanoseconds fraction{0};
  if (readChar(text, i, ".")) {
    const std::size_t start = i;
    for (nanoseconds::rep scale = 100'000'000; i < text.size() && isDigit(text[i]); ++i, scale /= 10) {
      fraction += nanoseconds{(text[i] - '0') * scale};
    }
    if (i == start) return std::nullopt;
  }
  minutes offset{0};
  if (!readChar(text, i, "Zz")) {
    const char sign = i < text.size() ? text[i] : '\0';
    int offset_hour = 0, offset_minute = 0;
    if (!readChar(text, i, "+-") || !readDigits(text, i, 2, offset_hour) || !readChar(text, i, ":") ||
        !readDigits(text, i, 2, offset_minute) || offset_hour > 23 || offset_minute > 59) {
      return std::nullopt;
    }
    offset = hours{offset_hour} + minutes{offset_minute};
    if (sign == '-') offset = -offset;
  }
  if (i != text.size()) return std::nullopt;
  return Rfc3339{sys_days{date} + hours{hour} + minutes{minute} + seconds{second} - offset, fraction};
}

}  // namespace

bool isRfc3339(std::string_view text) { return readRfc3339(text).has_value(); }

std::optional<SystemTime> parseRfc3339(std::string_view text) {
  const auto parsed = readRfc3339(text);
  return parsed ? onTheClock(parsed->whole, parsed->fraction) : std::nullopt;
}

std::string formatHttpDate(SystemTime time) {
  const UtcTime utc = toUtcTime(time);
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02u %s %04d %02d:%02d:%02d GMT", kDays[utc.weekday], utc.day,
                kMonths[utc.month - 1], utc.year, utc.hour, utc.minute, utc.second);
  return text;
}

std::optional<SystemTime> parseHttpDate(std::string_view text) {
  // IMF-fixdate, then the obsolete RFC 850 and asctime forms.
  constexpr std::array<const char*, 3> kFormats = {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT",
                                                   "%a %b %e %H:%M:%S %Y"};
  const std::string value(text);  // strptime reads up to a NUL
  for (const char* format : kFormats) {
    std::tm parts{};
    const char* end = ::strptime(value.c_str(), format, &parts);
    if (end == nullptr || *end != '\0') continue;
    // Fields past their range carry over (strptime allows second 60).
    const year_month_day month_start{std::chrono::year{parts.tm_year + 1900},
                                     std::chrono::month{static_cast<unsigned>(parts.tm_mon + 1)}, std::chrono::day{1}};
    if (!month_start.ok()) return std::nullopt;
    return onTheClock(sys_days{month_start} + days{parts.tm_mday - 1} + hours{parts.tm_hour} +
                      minutes{parts.tm_min} + seconds{parts.tm_sec});
  }
  return std::nullopt;
}

}  // namespace ccm::sdk
