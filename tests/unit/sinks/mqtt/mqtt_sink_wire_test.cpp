#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ccm/sdk/codec.hpp"
#include "mqtt_sink_test_support.hpp"
#include "mqtt_subscriber.hpp"

namespace ccm::sinks::mqtt {
namespace {

using ccm::testing::MosquittoBroker;
using ccm::testing::MqttSubscriber;
using ccm::testing::ReceivedMessage;
using testing::configFor;
using testing::exampleEvent;
using testing::makeEvent;
using Properties = std::vector<std::pair<std::string, std::string>>;

class MqttSinkWire : public testing::MqttSinkFixture {
protected:
  // Delivers one event and returns what a subscriber of the same protocol version got.
  ReceivedMessage deliverOne(const std::string& members, bool mqtt5, const sdk::CloudEvent& event) {
    MosquittoBroker broker;
    MqttSubscriber subscriber(broker.port(), mqtt5);
    const auto outcomes = makeSink(configFor(broker.port(), members))->deliver({event});
    EXPECT_EQ(outcomes.at(0).kind, sdk::Outcome::Kind::Delivered) << outcomes.at(0).message;
    const auto received = subscriber.waitFor(1);
    if (received.size() != 1) {
      ADD_FAILURE() << "the subscriber got no message";
      return {};
    }
    return received[0];
  }
};

TEST_F(MqttSinkWire, BinaryModeOnMqtt5SendsAttributesAsUserPropertiesAndDataAsPayload) {
  const ReceivedMessage message = deliverOne("", true, exampleEvent());
  EXPECT_EQ(message.topic, "ccm/events/ccm.lablet.session.graded");
  EXPECT_EQ(message.qos, 1);
  EXPECT_EQ(message.payload, R"({"score":87})");
  EXPECT_EQ(message.content_type, "application/json");
  EXPECT_EQ(message.user_properties, (Properties{{"specversion", "1.0"},
                                                 {"id", "0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10"},
                                                 {"source", "urn:ccm-gateway"},
                                                 {"type", "ccm.lablet.session.graded"},
                                                 {"subject", "session 42"},
                                                 {"time", "2025-03-14T09:26:53Z"}}));
}

TEST_F(MqttSinkWire, StructuredModeOnMqtt5SendsTheJsonEventWithItsContentType) {
  const ReceivedMessage message = deliverOne(R"("mode":"structured")", true, exampleEvent());
  EXPECT_EQ(message.qos, 1);
  EXPECT_EQ(message.payload,
            R"({"specversion":"1.0","id":"0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10","source":"urn:ccm-gateway",)"
            R"("type":"ccm.lablet.session.graded","datacontenttype":"application/json","subject":"session 42",)"
            R"("time":"2025-03-14T09:26:53Z","data":{"score":87}})");
  EXPECT_EQ(message.content_type, "application/cloudevents+json");
  EXPECT_TRUE(message.user_properties.empty());
}

TEST_F(MqttSinkWire, Mqtt311SendsTheStructuredEventWithoutProperties) {
  const ReceivedMessage message = deliverOne(R"("protocol_version":"3.1.1")", false, exampleEvent());
  EXPECT_EQ(message.topic, "ccm/events/ccm.lablet.session.graded");
  EXPECT_EQ(message.qos, 1);
  EXPECT_EQ(message.payload, sdk::toStructured(exampleEvent()));
  EXPECT_TRUE(message.content_type.empty());
  EXPECT_TRUE(message.user_properties.empty());
}

TEST_F(MqttSinkWire, TheTopicTemplateEncodesValuesThatWouldAddLevels) {
  sdk::CloudEvent event = exampleEvent();
  event.subject = "lab/7 #2";
  const ReceivedMessage message = deliverOne(R"("topic":"labs/{subject}/{type}")", true, event);
  EXPECT_EQ(message.topic, "labs/lab%2F7 %232/ccm.lablet.session.graded");
}

TEST_F(MqttSinkWire, MetricsCountOutcomesAndShowTheConnection) {
  MosquittoBroker broker(MosquittoBroker::Options{.global = "max_packet_size 1000"});
  auto sink = makeSink(configFor(broker.port()));
  sdk::CloudEvent big = makeEvent(3);
  big.data = sdk::Data::json("\"" + std::string(2000, 'x') + "\"");
  sink->deliver({makeEvent(1), makeEvent(2), big});
  EXPECT_EQ(host_.metricValue("mqtt_sink_messages_total", {{"outcome", "delivered"}}), 2.0);
  EXPECT_EQ(host_.metricValue("mqtt_sink_messages_total", {{"outcome", "permanent"}}), 1.0);
  EXPECT_EQ(host_.metricValue("mqtt_sink_connected"), 1.0);
}

TEST_F(MqttSinkWire, EventsOfOneSubjectArriveInBatchOrder) {
  MosquittoBroker broker;
  MqttSubscriber subscriber(broker.port(), true);
  auto sink = makeSink(configFor(broker.port()));
  std::vector<sdk::CloudEvent> batch;
  for (int n = 1; n <= 60; ++n)
    batch.push_back(
        makeEvent(n, n % 3 == 0 ? std::nullopt : std::optional<std::string>(n % 3 == 1 ? "session a" : "session b")));
  for (const auto& outcome : sink->deliver(batch)) {
    EXPECT_EQ(outcome.kind, sdk::Outcome::Kind::Delivered) << outcome.message;
  }
  const auto received = subscriber.waitFor(batch.size());
  ASSERT_EQ(received.size(), batch.size());
  std::map<std::string, std::vector<std::string>> ids_by_subject;
  for (const auto& message : received) {
    std::string subject;
    std::string id;
    for (const auto& [name, value] : message.user_properties) {
      if (name == "subject") subject = value;
      if (name == "id") id = value;
    }
    if (!subject.empty()) ids_by_subject[subject].push_back(id);
  }
  std::map<std::string, std::vector<std::string>> expected;
  for (const auto& event : batch) {
    if (event.subject) expected[*event.subject].push_back(event.id);
  }
  EXPECT_EQ(ids_by_subject, expected);
}

}  // namespace
}  // namespace ccm::sinks::mqtt
