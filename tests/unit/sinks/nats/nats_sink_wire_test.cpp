#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "ccm/sdk/codec.hpp"
#include "nats_sink_test_support.hpp"

namespace ccm::sinks::nats {
namespace {

using ccm::testing::exampleEvent;
using ccm::testing::StoredMessage;
using testing::configFor;
using testing::JetStreamClient;
using testing::makeEvent;
using testing::NatsServer;
using Headers = std::map<std::string, std::string>;
using Kind = sdk::Outcome::Kind;

class NatsSinkWire : public testing::NatsSinkFixture {
protected:
  // Delivers one event to a server whose stream "CCM" takes ccm.events.>
  // and returns what the stream stored.
  StoredMessage deliverOne(const std::string& members, const sdk::CloudEvent& event) {
    NatsServer server;
    addEventsStream(server);
    const auto outcomes = makeSink(configFor(server, members))->deliver({event});
    EXPECT_EQ(outcomes.at(0).kind, Kind::Delivered) << outcomes.at(0).message;
    const auto stored = JetStreamClient(server).messages("CCM");
    if (stored.size() != 1) {
      ADD_FAILURE() << "the stream holds " << stored.size() << " messages";
      return {};
    }
    return stored[0];
  }
};

TEST_F(NatsSinkWire, BinaryModeStoresAttributesAsCeHeadersAndDataAsPayload) {
  const StoredMessage message = deliverOne("", exampleEvent());
  EXPECT_EQ(message.subject, "ccm.events.ccm%2Elablet%2Esession%2Egraded");
  EXPECT_EQ(message.payload, R"({"score":87})");
  EXPECT_EQ(message.headers, (Headers{{"ce-specversion", "1.0"},
                                      {"ce-id", "0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10"},
                                      {"ce-source", "urn:ccm-gateway"},
                                      {"ce-type", "ccm.lablet.session.graded"},
                                      {"ce-subject", "session%2042"},
                                      {"ce-time", "2025-03-14T09:26:53Z"},
                                      {"ce-datacontenttype", "application/json"},
                                      {"Nats-Msg-Id", "0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10"}}));
}

TEST_F(NatsSinkWire, StructuredModeStoresTheJsonEventWithItsContentType) {
  const StoredMessage message = deliverOne(R"("mode":"structured","expected_stream":"CCM")", exampleEvent());
  EXPECT_EQ(message.subject, "ccm.events.ccm%2Elablet%2Esession%2Egraded");
  EXPECT_EQ(message.payload,
            R"({"specversion":"1.0","id":"0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10","source":"urn:ccm-gateway",)"
            R"("type":"ccm.lablet.session.graded","datacontenttype":"application/json","subject":"session 42",)"
            R"("time":"2025-03-14T09:26:53Z","data":{"score":87}})");
  EXPECT_EQ(message.headers, (Headers{{"Content-Type", "application/cloudevents+json"},
                                      {"Nats-Msg-Id", "0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10"},
                                      {"Nats-Expected-Stream", "CCM"}}));
}

TEST_F(NatsSinkWire, TheSubjectTemplateEncodesValuesThatWouldAddTokensOrWildcards) {
  sdk::CloudEvent event = exampleEvent();
  event.subject = "lab.7 *>";
  const StoredMessage message = deliverOne(R"("subject":"ccm.events.{subject}.x")", event);
  EXPECT_EQ(message.subject, "ccm.events.lab%2E7%20%2A%3E.x");
}

TEST_F(NatsSinkWire, TheSameEventIdTwiceIsStoredOnce) {
  NatsServer server;
  addEventsStream(server);
  auto sink = makeSink(configFor(server));
  sdk::CloudEvent again = makeEvent(1);
  again.data = sdk::Data::json(R"({"n":"again"})");
  EXPECT_EQ(sink->deliver({makeEvent(1)}).at(0).kind, Kind::Delivered);
  // The server answers a duplicate within its window with a PubAck that says so.
  EXPECT_EQ(sink->deliver({again}).at(0).kind, Kind::Delivered);
  EXPECT_EQ(sink->deliver({makeEvent(2)}).at(0).kind, Kind::Delivered);
  const auto stored = JetStreamClient(server).messages("CCM");
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].payload, R"({"n":1})");
  EXPECT_EQ(stored[1].headers.at("Nats-Msg-Id"), "evt-2");
}

TEST_F(NatsSinkWire, MetricsCountOutcomesAndShowTheConnection) {
  NatsServer server;
  addEventsStream(server, 500);
  auto sink = makeSink(configFor(server));
  sdk::CloudEvent big = makeEvent(3);
  big.data = sdk::Data::json("\"" + std::string(1000, 'x') + "\"");
  sink->deliver({makeEvent(1), makeEvent(2), big});
  EXPECT_EQ(host_.metricValue("nats_sink_messages_total", {{"outcome", "delivered"}}), 2.0);
  EXPECT_EQ(host_.metricValue("nats_sink_messages_total", {{"outcome", "permanent"}}), 1.0);
  EXPECT_EQ(host_.metricValue("nats_sink_connected"), 1.0);
}

TEST_F(NatsSinkWire, EventsOfOneSubjectAreStoredInBatchOrder) {
  NatsServer server;
  addEventsStream(server);
  auto sink = makeSink(configFor(server));
  std::vector<sdk::CloudEvent> batch;
  for (int n = 1; n <= 60; ++n) {
    batch.push_back(
        makeEvent(n, n % 3 == 0 ? std::nullopt : std::optional<std::string>(n % 3 == 1 ? "session a" : "session b")));
  }
  for (const auto& outcome : sink->deliver(batch)) EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
  const auto stored = JetStreamClient(server).messages("CCM");
  ASSERT_EQ(stored.size(), batch.size());
  std::map<std::string, std::vector<std::string>> ids_by_subject;
  for (const auto& message : stored) {
    if (const auto subject = message.headers.find("ce-subject"); subject != message.headers.end()) {
      ids_by_subject[subject->second].push_back(message.headers.at("ce-id"));
    }
  }
  std::map<std::string, std::vector<std::string>> expected;
  for (const auto& event : batch) {
    if (event.subject) expected[sdk::percentEncodeHeaderValue(*event.subject)].push_back(event.id);
  }
  EXPECT_EQ(ids_by_subject, expected);
}

}  // namespace
}  // namespace ccm::sinks::nats
