#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_loader.hpp"

namespace ccm::core {
namespace {

using ::testing::HasSubstr;

sdk::Result<GatewayConfig> load(const std::string& text) {
  return loadConfigText(text, "gateway.json", [](const std::string&) -> std::optional<std::string> { return {}; });
}

TEST(StoreRetentionConfig, OffByDefaultAndEveryLimitReadWhenSet) {
  auto defaults = load(R"({"sinks": []})");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_FALSE(defaults.value().store.retention.enabled());
  EXPECT_EQ(defaults.value().server.sink_lease_ms, 4000);

  auto set = load(R"({"sinks": [], "server": {"sink_lease_ms": 2500},
    "store": {"retention": {"max_age_seconds": 86400, "max_events": 5000000, "max_bytes": 4000000000,
                            "force_after_seconds": 604800, "interval_ms": 250, "batch_size": 500}}})");
  ASSERT_TRUE(set) << set.error().message;
  const auto& r = set.value().store.retention;
  EXPECT_TRUE(r.enabled());
  EXPECT_EQ(r.max_age_seconds, 86400);
  EXPECT_EQ(r.max_events, 5000000);
  EXPECT_EQ(r.max_bytes, 4000000000);
  EXPECT_EQ(r.force_after_seconds, 604800);
  EXPECT_EQ(r.interval_ms, 250);
  EXPECT_EQ(r.batch_size, 500);
  EXPECT_EQ(set.value().server.sink_lease_ms, 2500);
}

TEST(StoreRetentionConfig, RefusesLimitsThatCannotWorkNamingTheField) {
  auto nothing_to_force = load(R"({"sinks": [], "store": {"retention": {"force_after_seconds": 60}}})");
  ASSERT_FALSE(nothing_to_force);
  EXPECT_EQ(nothing_to_force.error().where, "/store/retention/force_after_seconds");
  EXPECT_THAT(nothing_to_force.error().message, HasSubstr("needs a limit to force"));

  auto sooner = load(R"({"sinks": [], "store": {"retention": {"max_age_seconds": 600, "force_after_seconds": 60}}})");
  ASSERT_FALSE(sooner);
  EXPECT_THAT(sooner.error().message, HasSubstr("must not be less than max_age_seconds (600)"));

  auto huge = load(R"({"sinks": [], "store": {"retention": {"max_events": 18446744073709551615}}})");
  ASSERT_FALSE(huge);
  EXPECT_THAT(huge.error().message, HasSubstr("/store/retention/max_events"));

  auto short_lease = load(R"({"sinks": [], "server": {"sink_lease_ms": 10}})");
  ASSERT_FALSE(short_lease);
  EXPECT_THAT(short_lease.error().message, HasSubstr("/server/sink_lease_ms"));
}

TEST(StoreRetentionConfig, AttemptLogIsBoundedByDefaultAndItsLimitsAreRead) {
  auto defaults = load(R"({"sinks": []})");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults.value().store.retention.attempt_log.max_attempts_per_event, 10);
  EXPECT_EQ(defaults.value().store.retention.attempt_log.max_age_seconds, 604800);

  auto set = load(R"({"sinks": [], "store": {"retention": {"attempt_log":
    {"max_attempts_per_event": 3, "max_age_seconds": 3600}}}})");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set.value().store.retention.attempt_log.max_attempts_per_event, 3);
  EXPECT_EQ(set.value().store.retention.attempt_log.max_age_seconds, 3600);
  EXPECT_FALSE(set.value().store.retention.enabled()) << "the event log's own limits stay off";

  auto none = load(R"({"sinks": [], "store": {"retention": {"attempt_log": {"max_attempts_per_event": 0}}}})");
  ASSERT_FALSE(none);
  EXPECT_THAT(none.error().message, HasSubstr("/store/retention/attempt_log/max_attempts_per_event"));
  auto unknown = load(R"({"sinks": [], "store": {"retention": {"attempt_log": {"max_attempts": 5}}}})");
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error().message, HasSubstr("max_attempts"));
}

}  // namespace
}  // namespace ccm::core
