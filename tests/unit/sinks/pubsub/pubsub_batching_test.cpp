#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "pubsub_message.hpp"
#include "pubsub_test_support.hpp"

namespace ccm::sinks::pubsub {
namespace {

using fakes::PubSubFake;
using sdk::Outcome;
using testing::makeEvent;
using testing::makeEvents;

// An event whose data is `bytes` bytes of JSON text.
sdk::CloudEvent eventWithData(int n, std::size_t bytes, std::optional<std::string> subject = std::nullopt) {
  sdk::CloudEvent event = makeEvent(n, std::move(subject));
  event.data = sdk::Data::json("\"" + std::string(bytes - 2, 'x') + "\"");
  return event;
}

class PubSubBatching : public testing::PubSubFixture {
protected:
  std::vector<std::size_t> messagesPerRequest() const {
    std::vector<std::size_t> counts;
    for (const auto& request : fake_.publishRequests()) {
      rapidjson::Document body;
      body.Parse(request.body.data(), request.body.size());
      counts.push_back(body["messages"].Size());
    }
    return counts;
  }
  std::vector<std::string> publishedIds() const {
    std::vector<std::string> ids;
    for (const auto& message : fake_.published()) ids.push_back(message.attributes.at("ce-id"));
    return ids;
  }
};

TEST_F(PubSubBatching, SplitsAtAThousandMessagesPerRequest) {
  expectAllDelivered(deliver(config(), makeEvents(1001)), 1001);
  EXPECT_EQ(messagesPerRequest(), (std::vector<std::size_t>{1000, 1}));
}

TEST_F(PubSubBatching, SplitsSoThatNoRequestIsOverTenMegabytes) {
  // 3,000,000 bytes of data are 4,000,000 in base64: two fit a request, three do not.
  std::vector<sdk::CloudEvent> events;
  for (int n = 1; n <= 5; ++n) events.push_back(eventWithData(n, 3000000));
  expectAllDelivered(deliver(config(), events), 5);
  EXPECT_EQ(messagesPerRequest(), (std::vector<std::size_t>{2, 2, 1}));
  for (const auto& request : fake_.publishRequests()) EXPECT_LE(request.body.size(), kMaxRequestBytes);
  EXPECT_EQ(publishedIds(), (std::vector<std::string>{"evt-1", "evt-2", "evt-3", "evt-4", "evt-5"}));
}

TEST_F(PubSubBatching, AnEventWhoseRequestWouldBeOverTenMegabytesIsPermanentAndTheOthersGo) {
  const auto outcomes = deliver(config(), {makeEvent(1), eventWithData(2, 7600000), makeEvent(3)});
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Delivered);
  EXPECT_EQ(outcomes[1].kind, Outcome::Kind::Permanent);
  EXPECT_TRUE(outcomes[1].message.starts_with("event evt-2: a publish request of it alone is 1013"))
      << outcomes[1].message;
  EXPECT_TRUE(outcomes[1].message.ends_with(
      " bytes of JSON; Pub/Sub takes 10000000 (10 MB) in a publish request, and data travels base64-encoded"));
  EXPECT_EQ(outcomes[2].kind, Outcome::Kind::Delivered);
  EXPECT_EQ(publishedIds(), (std::vector<std::string>{"evt-1", "evt-3"}));
}

TEST_F(PubSubBatching, DataOverTheMessageLimitIsPermanent) {
  const auto outcomes = deliver(config(), {eventWithData(1, 10000001)});
  EXPECT_EQ(outcomes.at(0).kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes.at(0).message,
            "event evt-1: data is 10000001 bytes; Pub/Sub allows 10000000 (10 MB) in a message");
  EXPECT_TRUE(fake_.publishRequests().empty());
}

TEST_F(PubSubBatching, AnAttributeValueOverTheLimitIsPermanentAndOneAtTheLimitGoes) {
  const auto outcomes = deliver(config(), {makeEvent(1, std::string(1025, 's')), makeEvent(2, std::string(1024, 's'))});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes[0].message,
            "event evt-1: attribute ce-subject is 1025 bytes; Pub/Sub allows 1024 in an attribute value (mode "
            "\"structured\" carries longer attributes in the data)");
  EXPECT_EQ(outcomes[1].kind, Outcome::Kind::Delivered) << outcomes[1].message;
}

TEST_F(PubSubBatching, StructuredModeCarriesAttributesTooLongForBinaryMode) {
  expectAllDelivered(deliver(config(R"("mode":"structured")"), {makeEvent(1, std::string(5000, 's'))}), 1);
}

TEST_F(PubSubBatching, MoreThanAHundredAttributesIsPermanent) {
  sdk::CloudEvent event = makeEvent(1);
  // specversion, id, source, type and content-type, and 96 extensions: 101.
  for (int i = 0; i < 96; ++i) event.extensions["ext" + std::to_string(100 + i)] = std::string("v");
  const auto outcomes = deliver(config(), {event});
  EXPECT_EQ(outcomes.at(0).kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes.at(0).message, "event evt-1: has 101 attributes; Pub/Sub allows 100 in a message");
  event.extensions.erase("ext100");
  expectAllDelivered(deliver(config(), {event}), 1);
}

TEST_F(PubSubBatching, AnAttributeNameOverTheLimitIsPermanent) {
  sdk::CloudEvent event = makeEvent(1);
  event.extensions[std::string(254, 'e')] = std::string("v");  // "ce-" makes it 257 bytes
  const auto outcomes = deliver(config(), {event});
  EXPECT_EQ(outcomes.at(0).kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes.at(0).message, "event evt-1: attribute name ce-" + std::string(61, 'e') +
                                        "... is 257 bytes; Pub/Sub allows 256 in an attribute key");
}

TEST_F(PubSubBatching, AnOrderingKeyOverTheLimitIsPermanent) {
  const auto outcomes =
      deliver(config(R"("mode":"structured","ordering":true)"), {makeEvent(1, std::string(1025, 'k'))});
  EXPECT_EQ(outcomes.at(0).kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes.at(0).message, "event evt-1: ordering key (its subject) is 1025 bytes; Pub/Sub allows 1024");
}

TEST_F(PubSubBatching, WithOrderingARequestCarriesOneOrderingKey) {
  const std::vector<sdk::CloudEvent> events = {makeEvent(1, "a"), makeEvent(2, "b"), makeEvent(3, "a"), makeEvent(4),
                                               makeEvent(5, "b")};
  expectAllDelivered(deliver(config(R"("ordering":true)"), events), 5);
  EXPECT_EQ(messagesPerRequest(), (std::vector<std::size_t>{2, 2, 1}));
  EXPECT_EQ(publishedIds(), (std::vector<std::string>{"evt-1", "evt-3", "evt-2", "evt-5", "evt-4"}));
}

TEST_F(PubSubBatching, WithoutOrderingOneRequestCarriesEverySubject) {
  expectAllDelivered(deliver(config(), {makeEvent(1, "a"), makeEvent(2, "b"), makeEvent(3, "a")}), 3);
  EXPECT_EQ(messagesPerRequest(), (std::vector<std::size_t>{3}));
}

TEST_F(PubSubBatching, AFailedRequestHoldsBackTheLaterEventsOfItsOrderingKey) {
  fake_.scriptPublish(PubSubFake::rpcError(503, "UNAVAILABLE", "The service is currently unavailable."));
  // Key "a" needs two requests (4 MB of base64 each): the second must not overtake the first.
  const auto outcomes =
      deliver(config(R"("ordering":true)"), {eventWithData(1, 3000000, "a"), eventWithData(2, 3000000, "a"),
                                             eventWithData(3, 3000000, "a"), makeEvent(4, "b")});
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcomes[0].message, "HTTP 503 Service Unavailable: UNAVAILABLE: The service is currently unavailable.");
  EXPECT_EQ(outcomes[1].message, outcomes[0].message);
  for (std::size_t i = 2; i < 4; ++i) {
    EXPECT_EQ(outcomes[i].kind, Outcome::Kind::Retryable);
    EXPECT_EQ(outcomes[i].message, "not attempted: an earlier request of this batch failed");
  }
  EXPECT_EQ(fake_.publishRequests().size(), 1u);
  EXPECT_TRUE(fake_.published().empty());
}

TEST_F(PubSubBatching, APermanentRequestDoesNotHoldBackItsOrderingKey) {
  fake_.scriptPublish(PubSubFake::rpcError(400, "INVALID_ARGUMENT", "Bad message."));
  const auto outcomes =
      deliver(config(R"("ordering":true)"),
              {eventWithData(1, 3000000, "a"), eventWithData(2, 3000000, "a"), eventWithData(3, 3000000, "a")});
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes[1].kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes[2].kind, Outcome::Kind::Delivered);
  EXPECT_EQ(publishedIds(), (std::vector<std::string>{"evt-3"}));
}

TEST_F(PubSubBatching, AnInvalidEventIsPermanentAndTheOthersGo) {
  sdk::CloudEvent invalid = makeEvent(1);
  invalid.source.clear();
  const auto outcomes = deliver(config(), {invalid, makeEvent(2)});
  EXPECT_EQ(outcomes.at(0).kind, Outcome::Kind::Permanent);
  EXPECT_TRUE(outcomes.at(0).message.starts_with("event evt-1 is not a valid CloudEvent: ")) << outcomes.at(0).message;
  EXPECT_EQ(outcomes.at(1).kind, Outcome::Kind::Delivered);
}

}  // namespace
}  // namespace ccm::sinks::pubsub
