#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "assessment_client_test_support.hpp"

namespace ccm::plugins::assessment_client {
namespace {

using ::testing::HasSubstr;

constexpr const char* kPod =
    R"({"id":"sess-1","devices":[{"label":"r1","hostname":"r1","collector":"ccm","interfaces":[{"name":"serial:5042",)"
    R"("protocol":"console","host":"198.51.100.7","port":5001,"authentication":{"username":"cisco"},)"
    R"("configuration":{}}]}]})";

class AssessmentClientCalls : public testing::AssessmentClientFixture {};

TEST_F(AssessmentClientCalls, TriggerCollectionPostsTheExactBodyWithABearerToken) {
  auto client = makeClient();
  auto result = client->triggerCollection(collectionRequest());
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result.value(), R"({"collection_id":"col-1","session_id":"sess-1","status":"accepted"})");

  const auto calls = platform_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].status, 202);
  EXPECT_EQ(calls[0].client_id, "ccm-gateway");
  EXPECT_EQ(calls[0].request.method, "POST");
  EXPECT_EQ(calls[0].request.target, "/api/v1/collections");
  EXPECT_EQ(calls[0].request.body,
            R"({"session_id":"sess-1","cml_lab_id":"lab-9f2c","worker_hostname":"worker-1.cml.example.com"})");
  EXPECT_EQ(calls[0].request.header("Content-Type"), "application/json");
  EXPECT_EQ(calls[0].request.header("Accept"), "application/json");
  EXPECT_EQ(calls[0].request.header("Authorization"), "Bearer " + keycloak_.issuedTokens().at(0));
  EXPECT_EQ(calls[0].request.header("Idempotency-Key"), "ccm-collection-sess-1");
}

// The same call made again (a retry, or after a gateway restart) carries the
// same Idempotency-Key, and the platform does not act on it twice.
TEST_F(AssessmentClientCalls, ARepeatedCallIsAReplayToThePlatform) {
  auto client = makeClient();
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  auto again = client->triggerCollection(collectionRequest());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again.value(), R"({"collection_id":"col-1","session_id":"sess-1","status":"accepted"})");
  EXPECT_EQ(platform_.collectionsTriggered(), 1);
  ASSERT_TRUE(client->assignPod("as-77", "part-2", kPod));
  ASSERT_TRUE(client->assignPod("as-77", "part-2", kPod));
  const auto calls = platform_.calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_TRUE(calls[1].replayed);
  EXPECT_EQ(calls[2].request.header("Idempotency-Key"), "ccm-pod-as-77-part-2");
  EXPECT_FALSE(calls[2].replayed);
  EXPECT_TRUE(calls[3].replayed);
}

TEST_F(AssessmentClientCalls, AssignPodWrapsThePodAndPassesTheSchemaCheck) {
  auto client = makeClient();
  auto result = client->assignPod("as-77", "part-2", kPod);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result.value(), R"({"session_id":"as-77","part_id":"part-2","pod_id":"sess-1","status":"assigned"})");

  const auto calls = platform_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].status, 200);
  EXPECT_EQ(calls[0].request.target, "/api/v1/sessions/as-77/parts/part-2/pod");
  EXPECT_EQ(calls[0].request.body, std::string("{\"pod\":") + kPod + "}");
}

// "/" is encoded too (%2F), but the gateway's HTTP client decodes it again
// on the way out, so it is left out here.
TEST_F(AssessmentClientCalls, IdsAreEncodedAsSinglePathSegments) {
  auto client = makeClient();
  auto result = client->assignPod("as 77", "p?1#2", kPod);
  ASSERT_TRUE(result) << result.error().message;
  const auto calls = platform_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].request.target, "/api/v1/sessions/as%2077/parts/p%3F1%232/pod");
  EXPECT_EQ(result.value(), R"({"session_id":"as 77","part_id":"p?1#2","pod_id":"sess-1","status":"assigned"})");
}

TEST_F(AssessmentClientCalls, BaseUrlPathPrefixAndTrailingSlashAreKept) {
  auto client = std::make_unique<AssessmentPlatformClient>(sdk::PluginContext{
      "assessment",
      "{\"base_url\":\"" + platform_.baseUrl() + "/\",\"token_url\":\"" + keycloak_.tokenUrl() +
          "\",\"client_id\":\"ccm-gateway\",\"client_secret\":\"env:" + testing::kSecretVariable + "\"}",
      "", "", host_});
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  EXPECT_EQ(platform_.calls().at(0).request.target, "/api/v1/collections");
}

TEST_F(AssessmentClientCalls, PodThatIsNotAJsonObjectIsRefusedWithoutACall) {
  auto client = makeClient();
  auto result = client->assignPod("as-77", "part-2", "[1,2]");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().where, "pod_json");
  EXPECT_EQ(result.error().message, "assessment platform assign_pod: pod_json is not a JSON object");
  EXPECT_TRUE(platform_.calls().empty());
}

TEST_F(AssessmentClientCalls, EmptySessionIdIsRefusedWithoutACall) {
  auto client = makeClient();
  auto result = client->triggerCollection(collectionRequest(""));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().where, "session_id");
  EXPECT_TRUE(platform_.calls().empty());
}

TEST_F(AssessmentClientCalls, TransientFailuresAreRetriedUntilSuccess) {
  platform_.scriptTimes(2, fakes::Reply{.status = 503, .body = "maintenance"});
  auto client = makeClient();
  auto result = client->triggerCollection(collectionRequest());
  ASSERT_TRUE(result) << result.error().message;
  const auto calls = platform_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].status, 503);
  EXPECT_EQ(calls[1].status, 503);
  EXPECT_EQ(calls[2].status, 202);
  EXPECT_EQ(calls[2].request.body, calls[0].request.body);
  EXPECT_EQ(calls[2].request.header("Idempotency-Key"), calls[0].request.header("Idempotency-Key"));
  EXPECT_EQ(tokenRequests(), 1u);
}

TEST_F(AssessmentClientCalls, TooManyRequestsIsRetried) {
  platform_.script(fakes::Reply{.status = 429});
  auto client = makeClient();
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  EXPECT_EQ(platform_.calls().size(), 2u);
}

TEST_F(AssessmentClientCalls, RetriesExhaustedGiveAnErrorNamingStatusAndAttempts) {
  platform_.scriptTimes(3, fakes::Reply{.status = 503, .body = "maintenance"});
  auto client = makeClient();
  auto result = client->triggerCollection(collectionRequest());
  ASSERT_FALSE(result);
  const std::string url = platform_.baseUrl() + "/api/v1/collections";
  EXPECT_EQ(result.error().where, url);
  EXPECT_EQ(result.error().message,
            "assessment platform POST " + url + ": 503 Service Unavailable: maintenance (gave up after 3 attempts)");
  EXPECT_EQ(platform_.calls().size(), 3u);
}

TEST_F(AssessmentClientCalls, ClientErrorsAreNotRetried) {
  auto client = makeClient();
  auto result = client->assignPod("as-77", "part-2", R"({"id":"sess-1","devices":[{"label":"r1"}]})");
  ASSERT_FALSE(result);
  EXPECT_THAT(result.error().message, HasSubstr(": 422 Unprocessable Entity: {\"detail\":\"body.pod/devices/0: "));
  EXPECT_EQ(platform_.calls().size(), 1u);
}

TEST_F(AssessmentClientCalls, SlowAnswerTimesOutAndIsRetried) {
  platform_.script(fakes::Reply{.delay = std::chrono::milliseconds(3000)});
  auto client = makeClient("\"timeout_ms\":200");
  auto result = client->triggerCollection(collectionRequest());
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(platform_.calls().size(), 2u);
}

TEST_F(AssessmentClientCalls, DroppedConnectionIsRetried) {
  platform_.script(fakes::Reply{.drop_connection = true});
  auto client = makeClient();
  ASSERT_TRUE(client->triggerCollection(collectionRequest()));
  EXPECT_EQ(platform_.calls().size(), 2u);
}

TEST_F(AssessmentClientCalls, UnreachablePlatformIsAConnectErrorAfterEveryAttempt) {
  auto client = std::make_unique<AssessmentPlatformClient>(
      sdk::PluginContext{"assessment",
                         "{\"base_url\":\"http://127.0.0.1:1\",\"token_url\":\"" + keycloak_.tokenUrl() +
                             "\",\"client_id\":\"ccm-gateway\",\"client_secret\":\"env:" + testing::kSecretVariable +
                             "\",\"retry\":{\"max_attempts\":2,\"initial_backoff_ms\":1}}",
                         "", "", host_});
  auto result = client->triggerCollection(collectionRequest());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().where, "http://127.0.0.1:1/api/v1/collections");
  EXPECT_THAT(result.error().message, HasSubstr("(gave up after 2 attempts)"));
}

TEST_F(AssessmentClientCalls, ConcurrentCallsShareOneToken) {
  auto client = makeClient();
  std::vector<std::thread> threads;
  std::vector<char> ok(8, 0);  // not vector<bool>: its elements share bytes
  for (std::size_t i = 0; i < ok.size(); ++i) {
    threads.emplace_back(
        [&, i] { ok[i] = client->triggerCollection(collectionRequest("s-" + std::to_string(i))).ok(); });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(std::count(ok.begin(), ok.end(), 1), 8);
  EXPECT_EQ(platform_.calls().size(), 8u);
  EXPECT_EQ(keycloak_.issuedTokens().size(), 1u);
}

}  // namespace
}  // namespace ccm::plugins::assessment_client
