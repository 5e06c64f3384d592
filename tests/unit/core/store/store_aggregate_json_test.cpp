#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store/aggregate_json.hpp"
#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

using ::testing::HasSubstr;

TEST(StoreAggregateJson, SessionIsAFlatObjectOfItsFields) {
  auto session = sampleSession("session-1");
  session.allocated_ports = {{"r1/serial0", 6001}};
  EXPECT_EQ(toJson(session), R"({"id":"session-1","definition_id":"def-1","definition_version":2,"owner_id":"owner-1",)"
                             R"("state":"running","final_state":"EXPIRED","worker_id":"worker-1",)"
                             R"("allocated_ports":{"r1/serial0":6001},"cml_lab_id":"lab-session-1",)"
                             R"("login_url":"https://cml.example/lab/session-1","user_session_id":"user-session-1",)"
                             R"("grading_session_id":"grading-session-1","score_report_id":"score-session-1",)"
                             R"("error":"last fault of session-1","expires_at":"2026-02-18T12:00:00Z",)"
                             R"("created_at":"2026-02-18T10:00:00Z","updated_at":"2026-02-18T10:01:00Z"})");
}

TEST(StoreAggregateJson, PodSettingsAreEmbeddedAsAnObject) {
  EXPECT_THAT(toJson(sampleDefinition("def-1")), HasSubstr(R"("pod_settings":{"ssh":{"user":"cisco","port":22}})"));
  auto definition = sampleDefinition("def-1");
  definition.pod_settings = "not json";
  const auto json = toJson(definition);
  EXPECT_THAT(json, HasSubstr(R"("pod_settings":"not json")"));
  EXPECT_EQ(definitionFromJson(json).value().pod_settings, "not json");
}

TEST(StoreAggregateJson, EveryAggregateRoundTrips) {
  EXPECT_EQ(fields(definitionFromJson(toJson(sampleDefinition("d"))).value()), fields(sampleDefinition("d")));
  EXPECT_EQ(fields(definitionVersionFromJson(toJson(sampleDefinitionVersion("d", 2))).value()),
            fields(sampleDefinitionVersion("d", 2)));
  EXPECT_EQ(fields(workerFromJson(toJson(sampleWorker("w"))).value()), fields(sampleWorker("w")));
  EXPECT_EQ(fields(sessionFromJson(toJson(sampleSession("s"))).value()), fields(sampleSession("s")));
  EXPECT_EQ(fields(userSessionFromJson(toJson(sampleUserSession("u"))).value()), fields(sampleUserSession("u")));
  EXPECT_EQ(fields(gradingSessionFromJson(toJson(sampleGradingSession("g"))).value()),
            fields(sampleGradingSession("g")));
  EXPECT_EQ(fields(scoreReportFromJson(toJson(sampleScoreReport("r"))).value()), fields(sampleScoreReport("r")));
}

TEST(StoreAggregateJson, MissingMembersTakeTheDefaults) {
  const auto worker = workerFromJson(R"({"id":"w"})");
  ASSERT_TRUE(worker) << worker.error().message;
  Worker defaults;
  defaults.id = "w";
  EXPECT_EQ(fields(worker.value()), fields(defaults));
}

TEST(StoreAggregateJson, MissingIdIsAnError) {
  const auto session = sessionFromJson(R"({"state":"running"})");
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().where, "/id");
  EXPECT_EQ(session.error().message, "lablet session: /id: is required");
}

TEST(StoreAggregateJson, UnknownStateNamesItsPointer) {
  const auto session = sessionFromJson(R"({"id":"s","state":"flying"})");
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().message, "lablet session: /state: is not a known state");
}

TEST(StoreAggregateJson, OutOfRangePortNamesItsAnnotation) {
  const auto worker = workerFromJson(R"({"id":"w","port_range_end":70000})");
  ASSERT_FALSE(worker);
  EXPECT_EQ(worker.error().where, "/port_range_end");
  const auto session = sessionFromJson(R"({"id":"s","allocated_ports":{"r1/vnc":-1}})");
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error().where, "/allocated_ports/r1/vnc");
}

TEST(StoreAggregateJson, NotAnObjectIsAnError) {
  EXPECT_FALSE(scoreReportFromJson("[1,2]"));
  EXPECT_FALSE(scoreReportFromJson("{"));
}

}  // namespace
}  // namespace ccm::core::store_test
