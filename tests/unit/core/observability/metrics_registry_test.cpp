#include "observability/metrics_registry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ccm::core {
namespace {

using ::testing::HasSubstr;

TEST(MetricsRegistry, RendersCounterWithHelpTypeAndSortedLabels) {
  MetricsRegistry registry;
  registry.describe("ccm_events_total", sdk::MetricType::Counter, "Events seen.");
  registry.add("ccm_events_total", 2, {{"sink", "a"}, {"kind", "x"}});
  registry.add("ccm_events_total", 1, {{"kind", "x"}, {"sink", "a"}});
  const auto text = registry.renderPrometheus();
  EXPECT_THAT(text, HasSubstr("# HELP ccm_events_total Events seen.\n# TYPE ccm_events_total counter\n"
                              "ccm_events_total{kind=\"x\",sink=\"a\"} 3\n"));
}

TEST(MetricsRegistry, EscapesLabelValues) {
  MetricsRegistry registry;
  registry.describe("g", sdk::MetricType::Gauge, "g");
  registry.set("g", 1.5, {{"path", "a\"b\\c\nd"}});
  EXPECT_THAT(registry.renderPrometheus(), HasSubstr("g{path=\"a\\\"b\\\\c\\nd\"} 1.5\n"));
}

TEST(MetricsRegistry, HistogramHasCumulativeBucketsSumAndCount) {
  MetricsRegistry registry;
  registry.describe("lat", sdk::MetricType::Histogram, "latency", {0.1, 1});
  registry.observe("lat", 0.05);
  registry.observe("lat", 0.5);
  registry.observe("lat", 5);
  EXPECT_THAT(registry.renderPrometheus(), HasSubstr("lat_bucket{le=\"0.1\"} 1\n"
                                                     "lat_bucket{le=\"1\"} 2\n"
                                                     "lat_bucket{le=\"+Inf\"} 3\n"
                                                     "lat_sum 5.55\n"
                                                     "lat_count 3\n"));
}

TEST(MetricsRegistry, UndescribedOrMistypedUseIsCountedNotApplied) {
  MetricsRegistry registry;
  registry.describe("c_total", sdk::MetricType::Counter, "c");
  registry.set("c_total", 5);     // wrong type
  registry.add("missing", 1);     // never described
  registry.add("c_total", -1);    // counters only go up
  EXPECT_EQ(registry.value("c_total"), 0);
  EXPECT_EQ(registry.value("ccm_metrics_misuse_total"), 3);
}

TEST(MetricsRegistry, RejectsInvalidMetricNames) {
  EXPECT_TRUE(MetricsRegistry::isValidName("ccm_ok:total"));
  EXPECT_FALSE(MetricsRegistry::isValidName("9lives"));
  EXPECT_FALSE(MetricsRegistry::isValidName("has-dash"));
  EXPECT_FALSE(MetricsRegistry::isValidName(""));
}

}  // namespace
}  // namespace ccm::core
