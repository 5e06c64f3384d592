#include "kafka_message.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <stdexcept>
#include <string>

#include "ccm/sdk/codec.hpp"
#include "kafka_sink_test_support.hpp"

namespace ccm::sinks::kafka {
namespace {

using testing::exampleEvent;
using Kind = sdk::Outcome::Kind;
using testing::Headers;

KafkaMessage messageOf(const sdk::CloudEvent& event, ContentMode mode, const std::string& topic = "ccm-events") {
  auto message = toMessage(event, TopicTemplate(topic), mode);
  if (auto* failed = std::get_if<sdk::Outcome>(&message)) ADD_FAILURE() << failed->message;
  return std::get<KafkaMessage>(message);
}

TEST(KafkaMessage, BinaryModeCarriesAttributesInCeHeadersAndTheDataAsValue) {
  const KafkaMessage message = messageOf(exampleEvent(), ContentMode::Binary);
  EXPECT_EQ(message.topic, "ccm-events");
  EXPECT_EQ(message.key, "session 42");
  EXPECT_EQ(message.value, R"({"score":87})");
  // Values as they are: a Kafka header carries UTF-8, nothing is percent-encoded.
  EXPECT_EQ(message.headers, testing::exampleBinaryHeaders());
}

TEST(KafkaMessage, StructuredModeCarriesTheJsonFormatWithItsContentType) {
  const KafkaMessage message = messageOf(exampleEvent(), ContentMode::Structured);
  EXPECT_EQ(message.key, "session 42");
  EXPECT_EQ(message.value, testing::exampleStructuredValue());
  EXPECT_EQ(message.headers, (Headers{{"content-type", "application/cloudevents+json; charset=UTF-8"}}));
}

TEST(KafkaMessage, ThePartitionKeyExtensionIsTheKeyAndStaysAnAttribute) {
  sdk::CloudEvent event = exampleEvent();
  event.extensions["partitionkey"] = std::string("lab-7");
  event.extensions["attempt"] = std::int32_t{3};
  const KafkaMessage message = messageOf(event, ContentMode::Binary);
  EXPECT_EQ(message.key, "lab-7");
  EXPECT_THAT(message.headers, ::testing::Contains(std::pair<std::string, std::string>("ce_partitionkey", "lab-7")));
  EXPECT_THAT(message.headers, ::testing::Contains(std::pair<std::string, std::string>("ce_attempt", "3")));
  EXPECT_EQ(messageOf(event, ContentMode::Structured).key, "lab-7");
}

TEST(KafkaMessage, AnEventWithoutSubjectOrPartitionKeyHasNoKey) {
  sdk::CloudEvent event = exampleEvent();
  event.subject.reset();
  EXPECT_EQ(messageOf(event, ContentMode::Binary).key, std::nullopt);
}

TEST(KafkaMessage, InBinaryModeAnEventWithoutDataHasNoValue) {
  sdk::CloudEvent event = exampleEvent();
  event.data = {};
  event.datacontenttype.reset();
  EXPECT_EQ(messageOf(event, ContentMode::Binary).value, std::nullopt);
  EXPECT_NE(messageOf(event, ContentMode::Structured).value, std::nullopt);
}

TEST(KafkaMessage, UnlabelledBytesGetAContentTypeAndEventFormatDataGoesStructured) {
  sdk::CloudEvent bytes = exampleEvent();
  bytes.datacontenttype.reset();
  bytes.data = sdk::Data::bytes(std::string("\x00\x01", 2));
  const KafkaMessage labelled = messageOf(bytes, ContentMode::Binary);
  EXPECT_EQ(labelled.headers.back(), (std::pair<std::string, std::string>("content-type", "application/octet-stream")));
  EXPECT_EQ(labelled.value, std::string("\x00\x01", 2));

  sdk::CloudEvent nested = exampleEvent();
  nested.datacontenttype = "application/cloudevents+json";
  const KafkaMessage message = messageOf(nested, ContentMode::Binary);
  EXPECT_EQ(message.headers, (Headers{{"content-type", "application/cloudevents+json; charset=UTF-8"}}));
  EXPECT_EQ(message.value, sdk::toStructured(nested));
}

TEST(KafkaMessage, AnInvalidEventIsPermanent) {
  sdk::CloudEvent event = exampleEvent();
  event.source.clear();
  const auto message = toMessage(event, TopicTemplate("ccm-events"), ContentMode::Binary);
  ASSERT_TRUE(std::holds_alternative<sdk::Outcome>(message));
  EXPECT_EQ(std::get<sdk::Outcome>(message).kind, Kind::Permanent);
  EXPECT_THAT(std::get<sdk::Outcome>(message).message,
              ::testing::StartsWith("event 0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10 is not a valid CloudEvent: "));
}

TEST(KafkaTopicTemplate, ValuesGetUnderscoresForCharactersATopicCannotHold) {
  sdk::CloudEvent event = exampleEvent();
  event.source = "/labs/eu";
  EXPECT_EQ(std::get<std::string>(TopicTemplate("ccm.{type}").topicFor(event)), "ccm.ccm.lablet.session.graded");
  EXPECT_EQ(std::get<std::string>(TopicTemplate("ccm-{source}-{subject}").topicFor(event)), "ccm-_labs_eu-session_42");
  EXPECT_EQ(std::get<std::string>(TopicTemplate("{id}").topicFor(event)), "0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10");
}

TEST(KafkaTopicTemplate, RefusesWhatCannotMakeATopicName) {
  const auto errorOf = [](const std::string& text) {
    try {
      TopicTemplate{text};
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(errorOf("ccm/{type}"),
            "has the character '/', which a Kafka topic name cannot hold (only ASCII letters, digits, '.', '_' and "
            "'-')");
  EXPECT_EQ(errorOf("ccm.{time}"),
            "has the unknown placeholder {time}; known are {type}, {source}, {subject} and {id}");
  EXPECT_EQ(errorOf("ccm.{type"), "has a '{' without '}'");
  EXPECT_EQ(errorOf("ccm}"), "has a '}' without '{' (write \"}}\" for a literal brace)");
  EXPECT_EQ(
      errorOf("ccm{{"),
      "has the character '{', which a Kafka topic name cannot hold (only ASCII letters, digits, '.', '_' and '-')");
  EXPECT_EQ(errorOf(".."), "is not a Kafka topic name (\".\", \"..\" and names over 249 characters are not)");
  EXPECT_EQ(errorOf(std::string(250, 'a')),
            "is not a Kafka topic name (\".\", \"..\" and names over 249 characters are not)");
}

TEST(KafkaTopicTemplate, AMissingSubjectOrATooLongTopicIsPermanent) {
  sdk::CloudEvent event = exampleEvent();
  event.subject.reset();
  const auto missing = TopicTemplate("ccm.{subject}").topicFor(event);
  ASSERT_TRUE(std::holds_alternative<sdk::Outcome>(missing));
  EXPECT_EQ(std::get<sdk::Outcome>(missing).message,
            "the topic template uses {subject} and event 0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10 has no subject");
  event.type = std::string(300, 't');
  const auto long_topic = TopicTemplate("{type}").topicFor(event);
  ASSERT_TRUE(std::holds_alternative<sdk::Outcome>(long_topic));
  EXPECT_EQ(std::get<sdk::Outcome>(long_topic).kind, Kind::Permanent);
  EXPECT_EQ(std::get<sdk::Outcome>(long_topic).message,
            "topic for event 0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10 is 300 characters; Kafka allows 249");
}

TEST(KafkaDeliveryOutcome, ErrorsTheBrokerWouldRepeatArePermanent) {
  for (const auto error :
       {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_MSG, RD_KAFKA_RESP_ERR_INVALID_RECORD,
        RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION,
        RD_KAFKA_RESP_ERR_POLICY_VIOLATION, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION}) {
    EXPECT_EQ(deliveryOutcome(error, "ignored").kind, Kind::Permanent) << rd_kafka_err2name(error);
  }
  EXPECT_EQ(deliveryOutcome(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE).message,
            "Kafka refused the message: MSG_SIZE_TOO_LARGE (Broker: Message size too large)");
}

TEST(KafkaDeliveryOutcome, TimeoutsAndErrorsThatMayClearAreRetryable) {
  for (const auto error :
       {RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__QUEUE_FULL,
        RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, RD_KAFKA_RESP_ERR__PURGE_QUEUE}) {
    EXPECT_EQ(deliveryOutcome(error).kind, Kind::Retryable) << rd_kafka_err2name(error);
  }
  EXPECT_EQ(deliveryOutcome(RD_KAFKA_RESP_ERR_NO_ERROR).kind, Kind::Delivered);
  EXPECT_EQ(deliveryOutcome(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT).message,
            "not delivered: _MSG_TIMED_OUT (Local: Message timed out)");
  EXPECT_EQ(deliveryOutcome(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, "1/1 brokers are down").message,
            "not delivered: _MSG_TIMED_OUT (Local: Message timed out); last client error: 1/1 brokers are down");
}

}  // namespace
}  // namespace ccm::sinks::kafka
