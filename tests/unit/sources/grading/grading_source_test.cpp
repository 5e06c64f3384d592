#include "grading_source.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../source_test_support.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "ccm/sdk/testing/plugin_module.hpp"

namespace ccm::sources::grading {
namespace {

using ::testing::HasSubstr;

using testing::publishedSchema;
using testing::schemaAccepts;

sdk::CloudEvent event(const std::string& type, const std::string& data) {
  return testing::inboundEvent("urn:grading-engine", type, data);
}

std::string schemaOf(const std::string& type) {
  for (const auto& claim : gradingClaims()) {
    if (claim.type == type) return claim.data_schema;
  }
  return "";
}

sdk::Command only(const sdk::Result<std::vector<sdk::Command>>& commands) {
  EXPECT_TRUE(commands) << (commands ? "" : commands.error().message);
  EXPECT_EQ(commands ? commands.value().size() : 0u, 1u);
  return commands && !commands.value().empty() ? commands.value()[0] : sdk::Command{};
}

TEST(GradingSource, ClaimsTheGradingEventsAndTheEarlierAliasesWithTheirPublishedSchemas) {
  const auto claims = gradingClaims();
  ASSERT_EQ(claims.size(), 4u);
  EXPECT_EQ(claims[0].type, "grading.session.completed");
  EXPECT_EQ(claims[1].type, "grading.session.failed");
  EXPECT_EQ(claims[2].type, "assessment.collection.completed");
  EXPECT_EQ(claims[3].type, "assessment.grading.completed");
  for (const auto& claim : claims) EXPECT_EQ(claim.data_schema, publishedSchema(claim.type)) << claim.type;
}

TEST(GradingSource, PublishedSchemasAcceptTheDocumentedPayloadsAndRefuseBadOnes) {
  const auto completed = schemaOf("grading.session.completed");
  EXPECT_TRUE(schemaAccepts(completed, R"({"lablet_session_id": "s-1", "grading_session_id": "g-1",
    "score": 87.5, "passed": true, "report_id": "r-1", "timestamp": "2026-11-23T10:00:00.5+01:00"})"));
  EXPECT_FALSE(schemaAccepts(completed, R"({"lablet_session_id": "s-1", "score": "87", "passed": true,
    "report_id": "r-1"})"));
  EXPECT_FALSE(schemaAccepts(completed, R"({"lablet_session_id": "s-1", "score": 87, "passed": true})"));
  const auto failed = schemaOf("grading.session.failed");
  EXPECT_TRUE(schemaAccepts(failed, R"({"lablet_session_id": "s-1", "reason": "timeout"})"));
  EXPECT_FALSE(schemaAccepts(failed, R"({"reason": "timeout"})"));
  EXPECT_TRUE(schemaAccepts(schemaOf("assessment.collection.completed"), R"({"instance_id": "s-1"})"));
  const auto alias = schemaOf("assessment.grading.completed");
  EXPECT_TRUE(schemaAccepts(alias, R"({"instance_id": "s-1", "score": {"value": 3, "passed": false}})"));
  EXPECT_FALSE(schemaAccepts(alias, R"({"instance_id": "s-1", "score": 3})"));
}

TEST(GradingSource, CompletedRecordsTheScore) {
  auto command = only(translateGradingEvent(event("grading.session.completed", R"({"lablet_session_id": "s-1",
    "score": 87.5, "passed": true, "report_id": "r-1"})")));
  EXPECT_EQ(command.name, "session.record_score");
  EXPECT_EQ(command.arguments, R"({"session_id":"s-1","score":87.5,"passed":true,"report_id":"r-1"})");
}

TEST(GradingSource, FailedFaultsTheSessionWithTheReason) {
  auto command = only(translateGradingEvent(event("grading.session.failed", R"({"lablet_session_id": "s-1",
    "reason": "grader timed out"})")));
  EXPECT_EQ(command.name, "session.fault");
  EXPECT_EQ(command.arguments, R"({"session_id":"s-1","reason":"grader timed out"})");
}

TEST(GradingSource, FailedWithoutAReasonSaysGradingFailed) {
  auto command = only(translateGradingEvent(event("grading.session.failed", R"({"lablet_session_id": "s-1"})")));
  EXPECT_EQ(command.arguments, R"({"session_id":"s-1","reason":"grading failed"})");
}

TEST(GradingSource, CollectionCompletedAliasMovesTheSessionToGrading) {
  auto command = only(translateGradingEvent(event("assessment.collection.completed", R"({"instance_id": "s-1"})")));
  EXPECT_EQ(command.name, "session.grade");
  EXPECT_EQ(command.arguments, R"({"session_id":"s-1"})");
}

TEST(GradingSource, GradingCompletedAliasRecordsTheNestedScore) {
  auto command = only(translateGradingEvent(event("assessment.grading.completed", R"({"instance_id": "s-1",
    "score": {"value": 40, "passed": false}})")));
  EXPECT_EQ(command.name, "session.record_score");
  EXPECT_EQ(command.arguments, R"({"session_id":"s-1","score":40.0,"passed":false})");
}

TEST(GradingSource, AWrongFieldIsAnErrorNamingItsPointer) {
  auto missing = translateGradingEvent(event("grading.session.completed", R"({"lablet_session_id": "s-1",
    "passed": true})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().where, "/data/score");
  auto nested = translateGradingEvent(event("assessment.grading.completed", R"({"instance_id": "s-1",
    "score": {"value": 1, "passed": "yes"}})"));
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().where, "/data/score/passed");
  auto alias_session = translateGradingEvent(event("assessment.collection.completed", R"({"lablet_session_id": "s"})"));
  ASSERT_FALSE(alias_session);
  EXPECT_EQ(alias_session.error().where, "/data/instance_id");
}

TEST(GradingSource, AnotherTypeIsRefused) {
  auto commands = translateGradingEvent(event("grading.session.started", R"({"lablet_session_id": "s-1"})"));
  ASSERT_FALSE(commands);
  EXPECT_THAT(commands.error().message, HasSubstr("not a grading event type"));
}

TEST(GradingSourceModule, ExportsASourceDescriptorWhoseFactoryWorks) {
  sdk::testing::PluginModule module(std::string(CCM_BINARY_DIR) + "/plugins/libccm-source-grading.so");
  ASSERT_TRUE(module.loaded()) << module.error();
  EXPECT_EQ(module.abiVersion(), sdk::kAbiVersion);
  ASSERT_NE(module.descriptor(), nullptr);
  const sdk::PluginDescriptor& descriptor = *module.descriptor();
  EXPECT_STREQ(descriptor.name, "grading");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::Source);
  ASSERT_NE(descriptor.create_source, nullptr);
  EXPECT_TRUE(schemaAccepts(descriptor.config_schema, "{}"));
  EXPECT_FALSE(schemaAccepts(descriptor.config_schema, R"({"secret": "x"})"));
  {
    sdk::testing::FakeHost host;
    auto created = descriptor.create_source(sdk::PluginContext{"grading", "{}", "", "", host});
    ASSERT_NE(created.object, nullptr) << created.error;
    EXPECT_EQ(created.object->claims().size(), 4u);
  }
}

}  // namespace
}  // namespace ccm::sources::grading
