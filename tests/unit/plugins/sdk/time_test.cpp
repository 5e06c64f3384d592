#include "ccm/sdk/time.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

namespace ccm::sdk {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

// 1994-11-06T08:49:37Z, the example of RFC 9110 5.6.7.
const SystemTime kRfcExample = system_clock::from_time_t(784111777);

std::optional<SystemTime> at(std::time_t seconds, std::chrono::nanoseconds fraction = {}) {
  return system_clock::from_time_t(seconds) + std::chrono::duration_cast<system_clock::duration>(fraction);
}

TEST(FormatRfc3339, WritesUtcWithMilliseconds) {
  EXPECT_EQ(formatRfc3339(kRfcExample), "1994-11-06T08:49:37.000Z");
  EXPECT_EQ(formatRfc3339(system_clock::from_time_t(1741944413) + 7ms), "2025-03-14T09:26:53.007Z");
  EXPECT_EQ(formatRfc3339(SystemTime{}), "1970-01-01T00:00:00.000Z");
}

TEST(FormatRfc3339, RoundsDownToTheMillisecond) {
  EXPECT_EQ(formatRfc3339(system_clock::from_time_t(1741944413) + 999999us), "2025-03-14T09:26:53.999Z");
}

TEST(FormatRfc3339, BeforeTheEpochCountsBackFromTheWholeSecond) {
  EXPECT_EQ(formatRfc3339(SystemTime{} - 250ms), "1969-12-31T23:59:59.750Z");
}

TEST(FormatRfc3339, LeapDay) {
  EXPECT_EQ(formatRfc3339(system_clock::from_time_t(1709251199)), "2024-02-29T23:59:59.000Z");
}

TEST(ParseRfc3339, ReadsWhatFormatWrites) {
  for (const SystemTime time : {kRfcExample, system_clock::from_time_t(1741944413) + 7ms, SystemTime{}}) {
    EXPECT_EQ(parseRfc3339(formatRfc3339(time)), time) << formatRfc3339(time);
  }
}

TEST(ParseRfc3339, AppliesTheOffset) {
  EXPECT_EQ(parseRfc3339("2025-03-14T10:26:53+01:00"), at(1741944413));
  EXPECT_EQ(parseRfc3339("2025-03-14T04:26:53-05:00"), at(1741944413));
  EXPECT_EQ(parseRfc3339("2025-03-14T14:56:53+05:30"), at(1741944413));
  EXPECT_EQ(parseRfc3339("2025-03-14T09:26:53-00:00"), at(1741944413));
}

TEST(ParseRfc3339, KeepsTheFractionToTheClocksPrecision) {
  EXPECT_EQ(parseRfc3339("2025-03-14T09:26:53.1259Z"), at(1741944413, 125900000ns));
  EXPECT_EQ(parseRfc3339("2025-03-14T09:26:53.5Z"), at(1741944413, 500ms));
  EXPECT_EQ(parseRfc3339("2025-03-14T09:26:53.123456789123Z"), at(1741944413, 123456789ns));
}

TEST(ParseRfc3339, LowerCaseTAndZAndLeapSecond) {
  EXPECT_EQ(parseRfc3339("2025-03-14t09:26:53z"), at(1741944413));
  EXPECT_EQ(parseRfc3339("2016-12-31T23:59:60Z"), parseRfc3339("2017-01-01T00:00:00Z"));
}

TEST(ParseRfc3339, RefusesWhatIsNotRfc3339) {
  for (const char* text : {"2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-32T00:00:00Z",
                           "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-01T24:00:00Z",
                           "2026-01-01T00:60:00Z", "2026-01-01T00:00:61Z", "2026-01-01T00:00Z", "2026-01-01 00:00:00Z",
                           "2026-01-01T00:00:00", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+24:00",
                           "2026-01-01T00:00:00+01:60", "2026-01-01T00:00:00+0100", "26-01-01T00:00:00Z",
                           "2026-01-01T00:00:00Zjunk", "2026/01/01T00:00:00Z", "", "2026-01-01T00:00:00+01"}) {
    EXPECT_EQ(parseRfc3339(text), std::nullopt) << text;
  }
}

// Found by fuzzing (issue #17): year 1013 overflowed the nanosecond clock.
TEST(ParseRfc3339, IsRfc3339ForAnyYearButOnTheClockOnlyWithinItsRange) {
  for (const char* text : {"0000-01-01T00:00:00Z", "1013-11-23T10:00:00Z", "1677-09-21T00:12:43Z",
                           "2262-04-11T23:47:17Z", "9999-12-31T23:59:60.999999999-23:59"}) {
    EXPECT_TRUE(isRfc3339(text)) << text;
    EXPECT_EQ(parseRfc3339(text), std::nullopt) << text;
  }
  EXPECT_EQ(parseRfc3339("1678-01-01T00:00:00Z"), at(-9214560000));
  EXPECT_EQ(parseRfc3339("2262-01-01T00:00:00Z"), at(9214646400));
  EXPECT_FALSE(isRfc3339("2026-02-29T00:00:00Z"));
}

TEST(ParseHttpDate, RefusesYearsOffTheClock) {
  EXPECT_EQ(parseHttpDate("Sat, 01 Jan 9999 00:00:00 GMT"), std::nullopt);
  EXPECT_EQ(parseHttpDate("Mon, 01 Jan 1001 00:00:00 GMT"), std::nullopt);
}

TEST(FormatHttpDate, WritesImfFixdate) {
  EXPECT_EQ(formatHttpDate(kRfcExample), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(formatHttpDate(system_clock::from_time_t(1741944413) + 999ms), "Fri, 14 Mar 2025 09:26:53 GMT");
  EXPECT_EQ(formatHttpDate(SystemTime{}), "Thu, 01 Jan 1970 00:00:00 GMT");
}

TEST(ParseHttpDate, ReadsTheThreeFormsOfRfc9110) {
  EXPECT_EQ(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), kRfcExample);
  EXPECT_EQ(parseHttpDate("Sun Nov  6 08:49:37 1994"), kRfcExample);
}

TEST(ParseHttpDate, ReadsWhatFormatWrites) {
  const SystemTime time = system_clock::from_time_t(1741944413);
  EXPECT_EQ(parseHttpDate(formatHttpDate(time)), time);
}

TEST(ParseHttpDate, TwoDigitYearsAre1969To2068) {
  EXPECT_EQ(parseHttpDate("Friday, 14-Mar-25 09:26:53 GMT"), system_clock::from_time_t(1741944413));
  EXPECT_EQ(parseHttpDate("Wednesday, 01-Jan-69 00:00:00 GMT"), parseHttpDate("Wed, 01 Jan 1969 00:00:00 GMT"));
}

TEST(ParseHttpDate, LeapDayAndEndOfYear) {
  EXPECT_EQ(parseHttpDate("Thu, 29 Feb 2024 23:59:59 GMT"), system_clock::from_time_t(1709251199));
  EXPECT_EQ(parseHttpDate("Thu, 31 Dec 2099 23:59:59 GMT"), system_clock::from_time_t(4102444799));
}

TEST(ParseHttpDate, RefusesOtherZonesAndTrailingText) {
  for (const char* text : {"", "soon", "-5", "1.5", "120s", "Sun, 06 Nov 1994 08:49:37 PST",
                           "Sun, 06 Nov 1994 08:49:37 GMT junk", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994",
                           "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "1994-11-06T08:49:37Z"}) {
    EXPECT_EQ(parseHttpDate(text), std::nullopt) << text;
  }
}

TEST(ToUtcTime, GivesTheCalendarFields) {
  const UtcTime utc = toUtcTime(system_clock::from_time_t(1741944413) + 125ms);
  EXPECT_EQ(utc.year, 2025);
  EXPECT_EQ(utc.month, 3u);
  EXPECT_EQ(utc.day, 14u);
  EXPECT_EQ(utc.weekday, 5u);  // Friday
  EXPECT_EQ(utc.hour, 9);
  EXPECT_EQ(utc.minute, 26);
  EXPECT_EQ(utc.second, 53);
  EXPECT_EQ(utc.millisecond, 125);
}

TEST(ToUtcTime, TheEpochIsTheDefault) {
  const UtcTime epoch = toUtcTime(SystemTime{});
  const UtcTime defaults;
  EXPECT_EQ(epoch.year, defaults.year);
  EXPECT_EQ(epoch.month, defaults.month);
  EXPECT_EQ(epoch.day, defaults.day);
  EXPECT_EQ(epoch.weekday, defaults.weekday);
  EXPECT_EQ(epoch.hour, defaults.hour);
  EXPECT_EQ(epoch.millisecond, defaults.millisecond);
}

}  // namespace
}  // namespace ccm::sdk
