#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "assessment_client_test_support.hpp"

namespace ccm::plugins::assessment_client {
namespace {

using namespace std::chrono_literals;

class AssessmentClientBreaker : public testing::AssessmentClientFixture {};

TEST_F(AssessmentClientBreaker, OpensFailsFastThenRecoversThroughAHalfOpenTrial) {
  freezeClock();
  // Two calls of two attempts each fail; the platform is then back.
  platform_.scriptTimes(4, fakes::Reply{.status = 503});
  auto client = makeClient(
      "\"retry\":{\"max_attempts\":2,\"initial_backoff_ms\":1},"
      "\"circuit_breaker\":{\"failure_threshold\":2,\"open_ms\":30000}");
  EXPECT_FALSE(client->triggerCollection(collectionRequest()));
  EXPECT_FALSE(client->triggerCollection(collectionRequest()));
  ASSERT_EQ(platform_.calls().size(), 4u);
  EXPECT_EQ(host_.metricValue("assessment_client_circuit_open"), 1.0);

  advanceClock(10s);
  auto rejected = client->triggerCollection(collectionRequest());
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().where, "circuit_breaker");
  EXPECT_EQ(rejected.error().message,
            "assessment platform trigger_collection (POST " + platform_.baseUrl() +
                "/api/v1/collections): circuit open after 2 consecutive failed calls; calls fail fast for another "
                "20000 ms");
  EXPECT_EQ(platform_.calls().size(), 4u);  // failed fast: no request
  EXPECT_EQ(host_.metricValue("assessment_client_calls_total",
                              {{"operation", "trigger_collection"}, {"outcome", "rejected"}}),
            1.0);

  advanceClock(20s);
  auto trial = client->triggerCollection(collectionRequest());
  ASSERT_TRUE(trial) << trial.error().message;
  EXPECT_EQ(platform_.calls().size(), 5u);
  EXPECT_EQ(host_.metricValue("assessment_client_circuit_open"), 0.0);
  EXPECT_TRUE(client->triggerCollection(collectionRequest()));
}

TEST_F(AssessmentClientBreaker, ClientErrorsDoNotOpenTheCircuit) {
  auto client = makeClient("\"circuit_breaker\":{\"failure_threshold\":1}");
  EXPECT_FALSE(client->assignPod("as-1", "p-1", R"({"id":""})"));  // 422 from the platform
  EXPECT_FALSE(client->assignPod("as-1", "p-1", R"({"id":""})"));
  EXPECT_EQ(platform_.calls().size(), 2u);
}

}  // namespace
}  // namespace ccm::plugins::assessment_client
