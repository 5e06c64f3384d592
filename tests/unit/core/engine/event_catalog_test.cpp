#include "engine/event_catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "event_schema_files.hpp"

namespace ccm::core {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAreArray;

std::vector<std::string> catalogTypes() {
  std::vector<std::string> types;
  for (const auto& info : eventCatalog()) types.emplace_back(info.type);
  return types;
}

rapidjson::Document schemaDocument(std::string_view type) {
  rapidjson::Document document;
  const auto text = event_testing::readEventSchemaText(type);
  if (text) document.Parse(text->c_str(), text->size());
  return document;
}

TEST(EventCatalog, ListsEveryEmittedTypeExactlyOnce) {
  const std::vector<std::string> expected = {
      // 2026-02-18 catalog, "Events Emitted by CCM".
      "ccm.lablet.definition.created", "ccm.lablet.definition.version.created", "ccm.lablet.session.pending",
      "ccm.lablet.session.scheduled", "ccm.lablet.session.instantiating", "ccm.lablet.session.ready",
      "ccm.lablet.session.running", "ccm.lablet.session.collecting", "ccm.lablet.session.grading",
      "ccm.lablet.session.graded", "ccm.lablet.session.stopping", "ccm.lablet.session.stopped",
      "ccm.lablet.session.terminated", "ccm.lablet.user_session.created", "ccm.lablet.grading_session.created",
      "ccm.lablet.score_report.created", "ccm.worker.scaling.up", "ccm.worker.scaling.down", "ccm.worker.draining",
      // Phase 4 plan, task 4.3 (ccm.worker.draining is in both lists).
      "ccm.worker.pending", "ccm.worker.provisioning.started", "ccm.worker.running", "ccm.worker.stopping",
      "ccm.worker.stopped", "ccm.worker.terminated", "ccm.scaling.up.requested", "ccm.scaling.up.completed",
      "ccm.scaling.down.requested", "ccm.scaling.down.completed",
      // Issue #19: pause and resume of delivery.
      "ccm.gateway.sink.paused", "ccm.gateway.sink.resumed"};
  EXPECT_THAT(catalogTypes(), UnorderedElementsAreArray(expected));
}

TEST(EventCatalog, EveryEntryHasVersionDescriptionAndTimestamp) {
  for (const auto& info : eventCatalog()) {
    EXPECT_EQ(info.version, "1.0") << info.type;
    EXPECT_FALSE(info.description.empty()) << info.type;
    EXPECT_THAT(info.required_fields, ::testing::Contains("timestamp")) << info.type;
    const std::set<std::string_view> unique(info.required_fields.begin(), info.required_fields.end());
    EXPECT_EQ(unique.size(), info.required_fields.size()) << info.type << " lists a field twice";
  }
}

TEST(EventCatalog, FindsEntryByType) {
  const EventTypeInfo* info = findEventType("ccm.lablet.session.graded");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->aggregate, AggregateKind::LabletSession);
  EXPECT_EQ(info->version, "1.0");
  EXPECT_EQ(info->description, "Score finalized");
  EXPECT_EQ(info->required_fields, (std::vector<std::string_view>{"session_id", "definition_id", "definition_version",
                                                                  "previous_state", "new_state", "worker_id",
                                                                  "timestamp", "score_report_id", "score", "passed"}));
}

TEST(EventCatalog, UnknownTypeIsNotFound) {
  EXPECT_EQ(findEventType("ccm.lablet.instance.running"), nullptr);
  EXPECT_EQ(findEventType(""), nullptr);
}

TEST(EventCatalog, EachSessionStateMapsToItsSessionEvent) {
  const std::vector<std::pair<SessionState, std::string>> expected = {
      {SessionState::Pending, "ccm.lablet.session.pending"},
      {SessionState::Scheduled, "ccm.lablet.session.scheduled"},
      {SessionState::Instantiating, "ccm.lablet.session.instantiating"},
      {SessionState::Ready, "ccm.lablet.session.ready"},
      {SessionState::Running, "ccm.lablet.session.running"},
      {SessionState::Collecting, "ccm.lablet.session.collecting"},
      {SessionState::Grading, "ccm.lablet.session.grading"},
      {SessionState::Graded, "ccm.lablet.session.graded"},
      {SessionState::Stopping, "ccm.lablet.session.stopping"},
      {SessionState::Stopped, "ccm.lablet.session.stopped"},
      {SessionState::Terminated, "ccm.lablet.session.terminated"},
  };
  for (const auto& [state, type] : expected) {
    EXPECT_EQ(sessionEventType(state), type);
    ASSERT_NE(findEventType(type), nullptr) << type;
    EXPECT_EQ(findEventType(type)->aggregate, AggregateKind::LabletSession) << type;
  }
}

TEST(EventCatalog, EachWorkerStateMapsToItsWorkerEvent) {
  const std::vector<std::pair<WorkerState, std::string>> expected = {
      {WorkerState::Pending, "ccm.worker.pending"},
      {WorkerState::Provisioning, "ccm.worker.provisioning.started"},
      {WorkerState::Running, "ccm.worker.running"},
      {WorkerState::Draining, "ccm.worker.draining"},
      {WorkerState::Stopping, "ccm.worker.stopping"},
      {WorkerState::Stopped, "ccm.worker.stopped"},
      {WorkerState::Terminated, "ccm.worker.terminated"},
  };
  for (const auto& [state, type] : expected) {
    EXPECT_EQ(workerEventType(state), type);
    ASSERT_NE(findEventType(type), nullptr) << type;
    EXPECT_EQ(findEventType(type)->aggregate, AggregateKind::Worker) << type;
  }
}

TEST(EventCatalog, DataschemaIsUrnWithoutBaseUrl) {
  EXPECT_EQ(dataschemaUri("", "ccm.lablet.session.running"), "urn:ccm-gateway:schemas:ccm.lablet.session.running:1.0");
}

TEST(EventCatalog, DataschemaIsGatewaySchemaEndpointWithBaseUrl) {
  EXPECT_EQ(dataschemaUri("https://ccm.example:8443", "ccm.worker.draining"),
            "https://ccm.example:8443/api/v1/schemas/ccm.worker.draining?version=1.0");
}

TEST(EventCatalog, DataschemaIgnoresTrailingSlashOfBaseUrl) {
  EXPECT_EQ(dataschemaUri("http://gw/", "ccm.scaling.up.requested"),
            "http://gw/api/v1/schemas/ccm.scaling.up.requested?version=1.0");
}

TEST(EventCatalog, DataschemaOfUnknownTypeIsALogicError) {
  EXPECT_THROW(dataschemaUri("", "ccm.lablet.instance.pending"), std::logic_error);
  try {
    dataschemaUri("http://gw", "nope");
  } catch (const std::logic_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("\"nope\""));
  }
}

TEST(EventCatalogSchemas, SchemaFilesAreExactlyTheCatalogTypes) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(event_testing::eventSchemaDirectory())) {
    files.push_back(entry.path().filename().string());
  }
  std::vector<std::string> expected;
  for (const auto& type : catalogTypes()) expected.push_back(type + ".json");
  EXPECT_THAT(files, UnorderedElementsAreArray(expected));
}

TEST(EventCatalogSchemas, EverySchemaCompiles) {
  for (const auto& info : eventCatalog()) {
    auto schema = event_testing::compileEventSchema(info.type);
    EXPECT_TRUE(schema) << schema.error().message;
  }
}

TEST(EventCatalogSchemas, RequiredListsExactlyTheCatalogFields) {
  for (const auto& info : eventCatalog()) {
    const auto document = schemaDocument(info.type);
    ASSERT_TRUE(document.IsObject() && document.HasMember("required")) << info.type;
    std::vector<std::string_view> required;
    for (const auto& name : document["required"].GetArray()) required.emplace_back(name.GetString());
    EXPECT_EQ(required, info.required_fields) << info.type;
  }
}

TEST(EventCatalogSchemas, EveryRequiredFieldHasATypedProperty) {
  for (const auto& info : eventCatalog()) {
    const auto document = schemaDocument(info.type);
    ASSERT_TRUE(document.IsObject() && document.HasMember("properties")) << info.type;
    const auto& properties = document["properties"];
    for (const auto field : info.required_fields) {
      const std::string name(field);
      ASSERT_TRUE(properties.HasMember(name.c_str())) << info.type << " has no property " << name;
      EXPECT_TRUE(properties[name.c_str()].HasMember("type")) << info.type << "/" << name;
      EXPECT_TRUE(properties[name.c_str()].HasMember("description")) << info.type << "/" << name;
    }
  }
}

TEST(EventCatalogSchemas, HeaderNamesTypeVersionAndUrn) {
  for (const auto& info : eventCatalog()) {
    const auto document = schemaDocument(info.type);
    ASSERT_TRUE(document.IsObject()) << info.type;
    EXPECT_STREQ(document["$schema"].GetString(), "http://json-schema.org/draft-04/schema#") << info.type;
    EXPECT_EQ(std::string(document["id"].GetString()), dataschemaUri("", info.type));
    EXPECT_EQ(std::string(document["title"].GetString()), std::string(info.type) + " data, version 1.0");
    EXPECT_STREQ(document["type"].GetString(), "object") << info.type;
  }
}

// Consumers must tolerate fields added by later 1.x versions, so the schemas
// must not close the payload object, and each says so.
TEST(EventCatalogSchemas, PayloadsStayOpenForNewFields) {
  for (const auto& info : eventCatalog()) {
    const auto document = schemaDocument(info.type);
    ASSERT_TRUE(document.IsObject()) << info.type;
    EXPECT_FALSE(document.HasMember("additionalProperties")) << info.type;
    EXPECT_THAT(document["description"].GetString(), HasSubstr("consumers must ignore properties they do not know"))
        << info.type;
  }
}

}  // namespace
}  // namespace ccm::core
