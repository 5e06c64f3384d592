#include "delivery/retry_policy.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace ccm::core {
namespace {

using std::chrono::milliseconds;

DeliverySettings settings() {
  DeliverySettings s;
  s.initial_backoff = milliseconds(100);
  s.max_backoff = milliseconds(1000);
  s.backoff_multiplier = 2;
  return s;
}

TEST(RetryDelay, FullJitterStaysWithinTheExponentialCeiling) {
  std::mt19937_64 random(42);
  for (int attempts = 1; attempts <= 8; ++attempts) {
    const auto ceiling = std::min<std::int64_t>(1000, 100 * (1 << (attempts - 1)));
    std::int64_t largest = 0;
    for (int i = 0; i < 500; ++i) {
      const auto delay = retryDelay(settings(), attempts, std::nullopt, random).count();
      EXPECT_GE(delay, 0);
      EXPECT_LE(delay, ceiling);
      largest = std::max(largest, delay);
    }
    // Full jitter spreads over the whole range, not just its bottom.
    EXPECT_GT(largest, ceiling / 2) << attempts;
  }
}

TEST(RetryDelay, RetryAfterIsAFloor) {
  std::mt19937_64 random(1);
  for (int i = 0; i < 100; ++i) {
    EXPECT_GE(retryDelay(settings(), 1, milliseconds(5000), random), milliseconds(5000));
  }
}

TEST(SinkFilter, GlobsMatchTypesAndSources) {
  EXPECT_TRUE(globMatches("ccm.lablet.session.*", "ccm.lablet.session.running"));
  EXPECT_FALSE(globMatches("ccm.lablet.session.*", "ccm.worker.running"));
  EXPECT_TRUE(globMatches("*.running", "ccm.worker.running"));
  EXPECT_TRUE(globMatches("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(globMatches("a*b*c", "aXXbYY"));
  EXPECT_TRUE(globMatches("*", ""));
  EXPECT_FALSE(globMatches("", "x"));
}

TEST(SinkFilter, EmptyFilterMatchesEverythingAndSubjectsAreExact) {
  sdk::CloudEvent event;
  event.type = "ccm.worker.running";
  event.source = "urn:ccm";
  event.subject = "w1";
  EXPECT_TRUE(SinkFilter{}.matches(event));
  EXPECT_TRUE((SinkFilter{{"ccm.worker.*"}, {"w1"}, {"urn:*"}}.matches(event)));
  EXPECT_FALSE((SinkFilter{{"ccm.worker.*"}, {"w2"}, {}}.matches(event)));
  EXPECT_FALSE((SinkFilter{{"ccm.lablet.*"}, {}, {}}.matches(event)));
  event.subject.reset();
  EXPECT_FALSE((SinkFilter{{}, {"w1"}, {}}.matches(event)));
}

TEST(SinkFilter, CesqlExpressionMustHoldBesidesTheGlobs) {
  auto settings = deliverySettingsFromJson(
      R"json({"filter": {"sources": ["urn:*"], "cesql": "type LIKE 'ccm.lablet.session.%' AND subject IN ('a','b')"}})json");
  sdk::CloudEvent event;
  event.type = "ccm.lablet.session.running";
  event.source = "urn:ccm";
  event.subject = "b";
  EXPECT_TRUE(settings.filter.matches(event));
  event.subject = "c";
  EXPECT_FALSE(settings.filter.matches(event));
  event.subject = "a";
  event.type = "ccm.worker.running";
  EXPECT_FALSE(settings.filter.matches(event));
  event.type = "ccm.lablet.session.running";
  event.source = "https://elsewhere";  // the expression holds, the source glob does not
  EXPECT_FALSE(settings.filter.matches(event));
}

// CESQL v1 1.2: an expression that errors does not let the event through;
// here NOT would have turned the comparison's false into true.
TEST(SinkFilter, CesqlErrorMeansNoMatch) {
  auto settings = deliverySettingsFromJson(R"json({"filter": {"cesql": "NOT (priority > 3)"}})json");
  sdk::CloudEvent event;
  event.type = "t";
  event.extensions["priority"] = std::int32_t{2};
  EXPECT_TRUE(settings.filter.matches(event));
  event.extensions["priority"] = std::string("high");  // not an Integer: a CastError
  EXPECT_FALSE(settings.filter.matches(event));
  event.extensions.erase("priority");  // a MissingAttributeError
  EXPECT_FALSE(settings.filter.matches(event));
}

TEST(DeliverySettings, CesqlThatDoesNotCompileBreaksTheValidatedPromise) {
  EXPECT_THROW(deliverySettingsFromJson(R"({"filter": {"cesql": "type LIKE"}})"), std::invalid_argument);
}

TEST(DeliverySettings, ReadsEveryKeyAndKeepsDefaultsForTheRest) {
  auto s = deliverySettingsFromJson(R"({"batch_size": 7, "concurrency": 3, "linger_ms": 5,
    "filter": {"types": ["a.*"]}, "retry": {"initial_backoff_ms": 10, "max_attempts": 4, "multiplier": 3.5},
    "circuit_breaker": {"failure_threshold": 9}, "start_from": "end"})");
  EXPECT_EQ(s.batch_size, 7u);
  EXPECT_EQ(s.concurrency, 3u);
  EXPECT_EQ(s.linger, milliseconds(5));
  EXPECT_EQ(s.filter.types, std::vector<std::string>{"a.*"});
  EXPECT_EQ(s.initial_backoff, milliseconds(10));
  EXPECT_EQ(s.max_attempts, 4);
  EXPECT_DOUBLE_EQ(s.backoff_multiplier, 3.5);
  EXPECT_EQ(s.breaker_failure_threshold, 9);
  EXPECT_FALSE(s.start_from_beginning);
  EXPECT_EQ(s.max_backoff, DeliverySettings{}.max_backoff);
  EXPECT_TRUE(deliverySettingsFromJson("{}").start_from_beginning);
}

}  // namespace
}  // namespace ccm::core
