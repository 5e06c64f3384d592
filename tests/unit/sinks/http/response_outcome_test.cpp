#include "response_outcome.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace ccm::sinks::http {
namespace {

using namespace std::chrono_literals;
using sdk::Outcome;

// Sun, 06 Nov 1994 08:49:37 GMT, the date RFC 9110 section 5.6.7 uses.
const auto kNow = std::chrono::system_clock::from_time_t(784111777);

sdk::HttpResponse response(int status, sdk::HttpHeaders headers = {}, std::string body = {}) {
  return {status, "", std::move(headers), std::move(body)};
}

TEST(HttpSinkRetryAfter, ReadsDeltaSeconds) {
  EXPECT_EQ(parseRetryAfter("120", kNow), std::chrono::milliseconds(120s));
  EXPECT_EQ(parseRetryAfter(" 0 ", kNow), std::chrono::milliseconds(0));
}

TEST(HttpSinkRetryAfter, CapsHugeDeltaSecondsAtTwoToTheThirtyFirst) {
  EXPECT_EQ(parseRetryAfter("99999999999999999999999", kNow), std::chrono::milliseconds(2147483648000));
}

TEST(HttpSinkRetryAfter, ReadsAllThreeHttpDateForms) {
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:50:37 GMT", kNow), std::chrono::milliseconds(60s));
  EXPECT_EQ(parseRetryAfter("Sunday, 06-Nov-94 08:50:37 GMT", kNow), std::chrono::milliseconds(60s));
  EXPECT_EQ(parseRetryAfter("Sun Nov  6 08:50:37 1994", kNow), std::chrono::milliseconds(60s));
}

TEST(HttpSinkRetryAfter, DateInThePastMeansNow) {
  EXPECT_EQ(parseRetryAfter("Sun, 06 Nov 1994 08:00:00 GMT", kNow), std::chrono::milliseconds(0));
}

TEST(HttpSinkRetryAfter, IgnoresAnythingElse) {
  for (const char* value : {"", "soon", "-5", "1.5", "120s", "Sun, 06 Nov 1994 08:50:37 PST"}) {
    EXPECT_EQ(parseRetryAfter(value, kNow), std::nullopt) << value;
  }
}

TEST(HttpSinkResponseMapping, RedirectIsPermanentAndNamesTheLocation) {
  sdk::HttpResponse moved = response(308, {{"Location", "https://new.example/"}});
  moved.reason = "Permanent Redirect";
  const Outcome outcome = outcomeOf(moved, kNow);
  EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcome.message,
            "HTTP 308 Permanent Redirect (redirects are not followed; Location: https://new.example/)");
}

TEST(HttpSinkResponseMapping, BodyIsCutAtACharacterBoundary) {
  // 511 ASCII bytes then a 2-byte character straddling byte 512.
  const Outcome outcome = outcomeOf(response(400, {}, std::string(511, 'a') + "\xC3\xA9" + "tail"), kNow);
  EXPECT_EQ(outcome.message, "HTTP 400: " + std::string(511, 'a'));
}

TEST(HttpSinkResponseMapping, RetryAfterIsIgnoredOnAPermanentFailure) {
  const Outcome outcome = outcomeOf(response(400, {{"Retry-After", "5"}}), kNow);
  EXPECT_EQ(outcome.kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcome.retry_after, std::nullopt);
}

TEST(HttpSinkResponseMapping, TransportFailuresAreRetryableButAnUnusableUrlIsPermanent) {
  for (const char* where : {"connect", "timeout", "tls", "protocol"}) {
    const Outcome outcome = outcomeOf(sdk::Error{where, std::string(where) + " went wrong"}, kNow);
    EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable) << where;
    EXPECT_EQ(outcome.message, std::string(where) + " went wrong");
  }
  EXPECT_EQ(outcomeOf(sdk::Error{"url", "invalid URL"}, kNow).kind, Outcome::Kind::Permanent);
}

}  // namespace
}  // namespace ccm::sinks::http
