#include "mqtt_message.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ccm/sdk/codec.hpp"
#include "mqtt_sink_test_support.hpp"

namespace ccm::sinks::mqtt {
namespace {

using Properties = std::vector<std::pair<std::string, std::string>>;
using testing::exampleEvent;

std::string topicOf(const std::string& pattern, const sdk::CloudEvent& event) {
  auto topic = TopicTemplate(pattern).topicFor(event);
  if (auto* failed = std::get_if<sdk::Outcome>(&topic)) return "outcome: " + failed->message;
  return std::get<std::string>(topic);
}

MqttMessage messageOf(const sdk::CloudEvent& event, ContentMode mode, ProtocolVersion version) {
  auto message = toMessage(event, TopicTemplate("t"), mode, version);
  if (auto* failed = std::get_if<sdk::Outcome>(&message)) ADD_FAILURE() << failed->message;
  return std::get<MqttMessage>(message);
}

TEST(MqttTopicTemplate, ReplacesEachPlaceholder) {
  sdk::CloudEvent event = exampleEvent();
  EXPECT_EQ(topicOf("ccm/{type}/{source}/{subject}/{id}", event),
            "ccm/ccm.lablet.session.graded/urn:ccm-gateway/session 42/0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10");
}

TEST(MqttTopicTemplate, PercentEncodesWhatWouldAddLevelsOrWildcards) {
  sdk::CloudEvent event = exampleEvent();
  event.source = "/labs/a+b#c%d";
  EXPECT_EQ(topicOf("ccm/{source}", event), "ccm/%2Flabs%2Fa%2Bb%23c%25d");
}

TEST(MqttTopicTemplate, DoubledBracesAreLiteral) {
  EXPECT_EQ(topicOf("a/{{type}}/{type}", exampleEvent()), "a/{type}/ccm.lablet.session.graded");
}

TEST(MqttTopicTemplate, AnEventWithoutTheSubjectItNeedsIsPermanent) {
  sdk::CloudEvent event = exampleEvent();
  event.subject.reset();
  auto topic = TopicTemplate("ccm/{subject}").topicFor(event);
  ASSERT_TRUE(std::holds_alternative<sdk::Outcome>(topic));
  EXPECT_EQ(std::get<sdk::Outcome>(topic).kind, sdk::Outcome::Kind::Permanent);
  EXPECT_EQ(std::get<sdk::Outcome>(topic).message,
            "the topic template uses {subject} and event 0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10 has no subject");
}

class MqttTopicTemplateErrors : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(MqttTopicTemplateErrors, SayWhatIsWrong) {
  try {
    TopicTemplate{GetParam().first};
    ADD_FAILURE() << GetParam().first << " was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), GetParam().second);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Templates, MqttTopicTemplateErrors,
    ::testing::Values(
        std::pair<std::string, std::string>{"a/+/b", "must not contain the wildcard '+' (a topic name has none)"},
        std::pair<std::string, std::string>{"a/#", "must not contain the wildcard '#' (a topic name has none)"},
        std::pair<std::string, std::string>{"a/{time}",
                                            "has the unknown placeholder {time}; known are {type}, {source}, "
                                            "{subject} and {id}"},
        std::pair<std::string, std::string>{"a/{type", "has a '{' without '}'"},
        std::pair<std::string, std::string>{"a/type}", "has a '}' without '{' (write \"}}\" for a literal brace)"},
        std::pair<std::string, std::string>{"$SYS/{type}", "must not start with '$' (topics the broker reserves)"},
        std::pair<std::string, std::string>{"", "must not be empty"}));

TEST(MqttMessageMapping, BinaryModePutsEachAttributeInAUserPropertyNamedAsIt) {
  sdk::CloudEvent event = exampleEvent();
  event.extensions["traceparent"] = std::string("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  event.extensions["attempt"] = std::int32_t{3};
  const MqttMessage message = messageOf(event, ContentMode::Binary, ProtocolVersion::V5);
  EXPECT_EQ(message.topic, "t");
  EXPECT_EQ(message.payload, R"({"score":87})");
  EXPECT_EQ(message.content_type, "application/json");
  EXPECT_EQ(message.user_properties,
            (Properties{{"specversion", "1.0"},
                        {"id", "0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10"},
                        {"source", "urn:ccm-gateway"},
                        {"type", "ccm.lablet.session.graded"},
                        {"subject", "session 42"},
                        {"time", "2025-03-14T09:26:53Z"},
                        {"attempt", "3"},
                        {"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}}));
}

TEST(MqttMessageMapping, BinaryModeKeepsValuesAsTheyAreWithoutPercentEncoding) {
  sdk::CloudEvent event = exampleEvent();
  event.subject = "Sitzung für 42 % \"a\"";
  const MqttMessage message = messageOf(event, ContentMode::Binary, ProtocolVersion::V5);
  EXPECT_EQ(message.user_properties.at(4), (std::pair<std::string, std::string>{"subject", event.subject.value()}));
}

TEST(MqttMessageMapping, BinaryModeLabelsUnlabelledBytes) {
  sdk::CloudEvent event = exampleEvent();
  event.datacontenttype.reset();
  event.data = sdk::Data::bytes(std::string("\x00\xff", 2));
  const MqttMessage message = messageOf(event, ContentMode::Binary, ProtocolVersion::V5);
  EXPECT_EQ(message.content_type, "application/octet-stream");
  EXPECT_EQ(message.payload, std::string("\x00\xff", 2));
}

TEST(MqttMessageMapping, StructuredModeOnMqtt5NamesTheEventFormat) {
  const MqttMessage message = messageOf(exampleEvent(), ContentMode::Structured, ProtocolVersion::V5);
  EXPECT_EQ(message.payload, sdk::toStructured(exampleEvent()));
  EXPECT_EQ(message.content_type, "application/cloudevents+json");
  EXPECT_TRUE(message.user_properties.empty());
}

TEST(MqttMessageMapping, StructuredModeOnMqtt311HasNoProperties) {
  const MqttMessage message = messageOf(exampleEvent(), ContentMode::Structured, ProtocolVersion::V311);
  EXPECT_EQ(message.payload, sdk::toStructured(exampleEvent()));
  EXPECT_TRUE(message.content_type.empty());
  EXPECT_TRUE(message.user_properties.empty());
}

TEST(MqttMessageMapping, AnInvalidEventIsPermanent) {
  sdk::CloudEvent event = exampleEvent();
  event.source.clear();
  auto message = toMessage(event, TopicTemplate("t"), ContentMode::Binary, ProtocolVersion::V5);
  ASSERT_TRUE(std::holds_alternative<sdk::Outcome>(message));
  EXPECT_EQ(std::get<sdk::Outcome>(message).kind, sdk::Outcome::Kind::Permanent);
}

TEST(MqttPubackOutcome, SuccessAndNoMatchingSubscribersAreDelivered) {
  EXPECT_EQ(pubackOutcome(0x00).kind, sdk::Outcome::Kind::Delivered);
  EXPECT_EQ(pubackOutcome(0x10).kind, sdk::Outcome::Kind::Delivered);
}

TEST(MqttPubackOutcome, TransientRefusalsAreRetryable) {
  for (const int code : {0x80, 0x83, 0x91, 0x97}) {
    EXPECT_EQ(pubackOutcome(code).kind, sdk::Outcome::Kind::Retryable) << code;
  }
  EXPECT_EQ(pubackOutcome(0x97).message, "broker refused the message: PUBACK reason code 0x97 (Quota exceeded)");
}

TEST(MqttPubackOutcome, RefusalsOfTheMessageItselfArePermanent) {
  for (const int code : {0x87, 0x90, 0x99, 0x9A}) {
    EXPECT_EQ(pubackOutcome(code).kind, sdk::Outcome::Kind::Permanent) << code;
  }
  EXPECT_EQ(pubackOutcome(0x87).message, "broker refused the message: PUBACK reason code 0x87 (Not authorized)");
}

}  // namespace
}  // namespace ccm::sinks::mqtt
