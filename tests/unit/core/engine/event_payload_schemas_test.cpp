// Every payload the builders make is a valid CloudEvent once converted and
// matches its type's schema; the schemas in turn reject broken payloads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <functional>
#include <string>
#include <vector>

#include "ccm/sdk/codec.hpp"
#include "config/json_schema.hpp"
#include "engine/cloud_event_converter.hpp"
#include "engine/event_catalog.hpp"
#include "event_payload_samples.hpp"
#include "event_schema_files.hpp"

namespace ccm::core {
namespace {

using ::testing::HasSubstr;

DomainEvent sampleOf(const std::string& type) {
  for (auto& event : event_testing::sampleEvents()) {
    if (event.type == type) return event;
  }
  ADD_FAILURE() << "no sample event of type " << type;
  return {};
}

// Validates `event`'s data after `mutate` changed it.
std::optional<sdk::Error> validateMutated(const DomainEvent& event,
                                          const std::function<void(rapidjson::Document&)>& mutate) {
  rapidjson::Document data;
  data.Parse(event.data.c_str(), event.data.size());
  mutate(data);
  return event_testing::validateEventData(event.type, toJsonText(data));
}

std::string setString(rapidjson::Document& data, const char* name, const char* value) {
  data[name].SetString(value, data.GetAllocator());
  return name;
}

class EventPayloadsConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(EventPayloadsConformance, ConvertedEventPassesCloudEventsValidation) {
  const CloudEventConverter converter("urn:ccm-gateway", "https://ccm.example");
  const auto cloud_event = converter.convert(sampleOf(GetParam()));
  const auto error = sdk::validate(cloud_event);
  EXPECT_FALSE(error) << error->message;
}

TEST_P(EventPayloadsConformance, ConvertedDataMatchesItsSchema) {
  const CloudEventConverter converter("urn:ccm-gateway", "");
  const auto cloud_event = converter.convert(sampleOf(GetParam()));
  ASSERT_EQ(cloud_event.data.kind(), sdk::Data::Kind::Json);
  const auto error = event_testing::validateEventData(GetParam(), cloud_event.data.value());
  EXPECT_FALSE(error) << error->message;
}

TEST_P(EventPayloadsConformance, MissingAnyRequiredFieldFailsTheSchema) {
  const DomainEvent event = sampleOf(GetParam());
  for (const auto field : findEventType(GetParam())->required_fields) {
    const std::string name(field);
    const auto error = validateMutated(event, [&](rapidjson::Document& data) { data.RemoveMember(name.c_str()); });
    ASSERT_TRUE(error) << GetParam() << " accepts a payload without " << name;
    EXPECT_THAT(error->message, HasSubstr("missing required property \"" + name + "\""));
  }
}

TEST_P(EventPayloadsConformance, TimestampThatIsNotRfc3339FailsTheSchema) {
  const auto error = validateMutated(
      sampleOf(GetParam()), [](rapidjson::Document& data) { setString(data, "timestamp", "2026-02-18 10:00:00"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->where, "/timestamp");
}

TEST_P(EventPayloadsConformance, UnknownFieldIsToleratedForForwardCompatibility) {
  const auto error = validateMutated(sampleOf(GetParam()), [](rapidjson::Document& data) {
    data.AddMember("added_in_1_1", rapidjson::Value(true), data.GetAllocator());
  });
  EXPECT_FALSE(error) << error->message;
}

std::vector<std::string> allTypes() {
  std::vector<std::string> types;
  for (const auto& info : eventCatalog()) types.emplace_back(info.type);
  return types;
}

INSTANTIATE_TEST_SUITE_P(EventPayloads, EventPayloadsConformance, ::testing::ValuesIn(allTypes()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '.') c = '_';
                           }
                           return name;
                         });

TEST(EventPayloadsSchemas, ScoreThatIsAStringFails) {
  const auto error = validateMutated(event_testing::sessionSample(SessionState::Graded),
                                     [](rapidjson::Document& data) { data["score"].SetString("87.5"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "/score: expected number, got string");
}

TEST(EventPayloadsSchemas, PassedThatIsNotABooleanFails) {
  const auto error = validateMutated(scoreReportCreated(event_testing::kReport, event_testing::kNow),
                                     [](rapidjson::Document& data) { data["passed"].SetInt(1); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "/passed: expected boolean, got integer");
}

TEST(EventPayloadsSchemas, LowerCaseFinalStateFails) {
  const auto error = validateMutated(event_testing::sessionSample(SessionState::Terminated),
                                     [](rapidjson::Document& data) { setString(data, "final_state", "completed"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->where, "/final_state");
  EXPECT_THAT(error->message, HasSubstr("expected one of \"COMPLETED\", \"CANCELLED\", \"EXPIRED\", \"FAULTED\""));
}

TEST(EventPayloadsSchemas, PortThatIsNotAnIntegerFails) {
  const auto error =
      validateMutated(event_testing::sessionSample(SessionState::Scheduled),
                      [](rapidjson::Document& data) { data["allocated_ports"]["r1/vnc:0"].SetString("5002"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "/allocated_ports/r1~1vnc:0: expected integer, got string");
}

TEST(EventPayloadsSchemas, PortOutOfRangeFails) {
  const auto error =
      validateMutated(event_testing::sessionSample(SessionState::Scheduled),
                      [](rapidjson::Document& data) { data["allocated_ports"]["r1/vnc:0"].SetInt(70000); });
  ASSERT_TRUE(error);
  EXPECT_THAT(error->message, HasSubstr("maximum"));
}

TEST(EventPayloadsSchemas, NewStateOfAnotherEventFails) {
  const auto error = validateMutated(event_testing::sessionSample(SessionState::Running),
                                     [](rapidjson::Document& data) { setString(data, "new_state", "ready"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "/new_state: expected one of \"running\", got \"ready\"");
}

TEST(EventPayloadsSchemas, PendingWithAPreviousStateFails) {
  const auto error = validateMutated(event_testing::sessionSample(SessionState::Pending),
                                     [](rapidjson::Document& data) { data["previous_state"].SetString("ready"); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "/previous_state: expected null, got string");
}

TEST(EventPayloadsSchemas, ScheduledWithoutAWorkerFails) {
  const auto error = validateMutated(event_testing::sessionSample(SessionState::Scheduled),
                                     [](rapidjson::Document& data) { setString(data, "worker_id", ""); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->where, "/worker_id");
}

TEST(EventPayloadsSchemas, DefinitionVersionThatIsNotAnIntegerFails) {
  const auto error = validateMutated(event_testing::sessionSample(SessionState::Ready),
                                     [](rapidjson::Document& data) { data["definition_version"].SetDouble(3.5); });
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "/definition_version: expected integer, got number");
}

}  // namespace
}  // namespace ccm::core
