#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "kafka_sink_test_support.hpp"
#include "wait_until.hpp"

namespace ccm::sinks::kafka {
namespace {

using testing::configFor;
using testing::KafkaMockCluster;
using testing::KafkaTopicReader;
using testing::makeEvent;
using testing::makeEvents;
using Kind = sdk::Outcome::Kind;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class KafkaSinkOutcomes : public testing::KafkaSinkFixture {
protected:
  KafkaSinkOutcomes() { cluster_.createTopic("ccm-events", 1); }

  // Delivers event 1 until it is delivered: the producer then has its
  // connection, producer id and the topic's metadata, whose first fetch a
  // short timeout_ms on a loaded machine may not cover.
  void warmUp(KafkaSink& sink) {
    sdk::Outcome outcome;
    ASSERT_TRUE(ccm::testing::waitUntil(std::chrono::seconds(20), [&] {
      outcome = sink.deliver({makeEvent(1)}).at(0);
      return outcome.kind == Kind::Delivered;
    })) << outcome.message;
  }

  KafkaMockCluster cluster_;
};

TEST_F(KafkaSinkOutcomes, AMessageTheBrokerFindsTooLargeIsPermanentAndTheNextIsDelivered) {
  auto sink = makeSink(configFor(cluster_));
  cluster_.failProduceRequests({RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE});
  const auto refused = sink->deliver({makeEvent(1)});
  EXPECT_EQ(refused.at(0).kind, Kind::Permanent);
  EXPECT_EQ(refused.at(0).message, "Kafka refused the message: MSG_SIZE_TOO_LARGE (Broker: Message size too large)");
  EXPECT_EQ(sink->deliver({makeEvent(2)}).at(0).kind, Kind::Delivered);
  KafkaTopicReader reader(cluster_.bootstraps(), "ccm-events", 1);
  const auto messages = reader.waitFor(1, std::chrono::seconds(10), std::chrono::milliseconds(200));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].value, R"({"n":2})");
}

TEST_F(KafkaSinkOutcomes, AnInvalidMessageOrADeniedTopicIsPermanent) {
  auto sink = makeSink(configFor(cluster_));
  cluster_.failProduceRequests({RD_KAFKA_RESP_ERR_INVALID_MSG});
  EXPECT_EQ(sink->deliver({makeEvent(1)}).at(0).message,
            "Kafka refused the message: INVALID_MSG (Broker: Invalid message)");
  cluster_.failProduceRequests({RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED});
  const auto denied = sink->deliver({makeEvent(2)});
  EXPECT_EQ(denied.at(0).kind, Kind::Permanent);
  EXPECT_EQ(denied.at(0).message,
            "Kafka refused the message: TOPIC_AUTHORIZATION_FAILED (Broker: Topic authorization failed)");
}

TEST_F(KafkaSinkOutcomes, ErrorsThatMayClearAreRetriedByTheProducerWithinTheTimeout) {
  auto sink = makeSink(configFor(cluster_));
  cluster_.failProduceRequests({RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION});
  const auto outcome = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
  KafkaTopicReader reader(cluster_.bootstraps(), "ccm-events", 1);
  // The idempotent producer wrote it once, despite its retries.
  EXPECT_EQ(reader.waitFor(1, std::chrono::seconds(10), std::chrono::milliseconds(300)).size(), 1u);
}

TEST_F(KafkaSinkOutcomes, AnUnknownTopicOrPartitionIsRetriedUntilTheTimeoutThenRetryable) {
  auto sink = makeSink(configFor(cluster_, R"("timeout_ms":500)"));
  warmUp(*sink);
  // The leader keeps answering that it has no such partition (a topic being
  // created, or deleted): librdkafka refreshes metadata and retries.
  cluster_.failProduceRequests(std::vector<rd_kafka_resp_err_t>(200, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
  const auto outcome = sink->deliver({makeEvent(2)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Retryable);
  EXPECT_THAT(outcome.message, StartsWith("not delivered: _MSG_TIMED_OUT (Local: Message timed out)"));
}

TEST_F(KafkaSinkOutcomes, AMessageOverMessageMaxBytesIsPermanentAtOnce) {
  auto sink = makeSink(configFor(cluster_, R"("properties":{"message.max.bytes":"1000"})"));
  sdk::CloudEvent big = makeEvent(1);
  big.data = sdk::Data::json("\"" + std::string(2000, 'x') + "\"");
  const auto outcomes = sink->deliver({big, makeEvent(2)});
  EXPECT_EQ(outcomes.at(0).kind, Kind::Permanent);
  EXPECT_EQ(outcomes.at(0).message, "Kafka refused the message: MSG_SIZE_TOO_LARGE (Broker: Message size too large)");
  EXPECT_EQ(outcomes.at(1).kind, Kind::Delivered) << outcomes.at(1).message;
}

TEST_F(KafkaSinkOutcomes, ABrokerDownIsRetryableAfterTheTimeoutAndDeliveryResumesWhenItIsBack) {
  auto sink = makeSink(configFor(cluster_, R"("timeout_ms":1000,"properties":{"reconnect.backoff.max.ms":"500"})"));
  warmUp(*sink);
  cluster_.setBrokerDown(1);
  const auto down = sink->deliver({makeEvent(2, "s"), makeEvent(3, "s"), makeEvent(4)});
  ASSERT_EQ(down.size(), 3u);
  EXPECT_EQ(down[0].kind, Kind::Retryable);
  EXPECT_THAT(down[0].message, StartsWith("not delivered: _MSG_TIMED_OUT (Local: Message timed out)"));
  // The later event of the subject was held back, not sent behind the failed one.
  EXPECT_EQ(down[1].kind, Kind::Retryable);
  EXPECT_EQ(down[1].message, "not attempted: an earlier event of this batch failed");
  EXPECT_EQ(down[2].kind, Kind::Retryable);
  cluster_.setBrokerUp(1);
  // librdkafka reconnects with backoff; each call waits up to timeout_ms.
  std::vector<sdk::Outcome> up;
  EXPECT_TRUE(ccm::testing::waitUntil(std::chrono::seconds(30),
                                      [&] {
                                        up = sink->deliver({makeEvent(2, "s"), makeEvent(3, "s")});
                                        return up[0].kind == Kind::Delivered && up[1].kind == Kind::Delivered;
                                      }))
      << up[0].message << " / " << up[1].message;
  KafkaTopicReader reader(cluster_.bootstraps(), "ccm-events", 1);
  const auto messages = reader.waitFor(3, std::chrono::seconds(10), std::chrono::milliseconds(300));
  // At least once: a retried call may have written an event twice, but never
  // 3 before 2.
  std::vector<std::string> first_seen;
  for (const auto& message : messages) {
    if (std::ranges::find(first_seen, *message.value) == first_seen.end()) first_seen.push_back(*message.value);
  }
  EXPECT_EQ(first_seen, (std::vector<std::string>{R"({"n":1})", R"({"n":2})", R"({"n":3})"}));
}

TEST_F(KafkaSinkOutcomes, AFatalIdempotenceErrorIsRetryableAndANewProducerDelivers) {
  auto sink = makeSink(configFor(cluster_));
  warmUp(*sink);
  // The head-of-line request out of sequence: librdkafka cannot tell what the
  // broker holds and raises a fatal error.
  cluster_.failProduceRequests({RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER});
  const auto failed = sink->deliver({makeEvent(2)}).at(0);
  EXPECT_EQ(failed.kind, Kind::Retryable);
  EXPECT_THAT(failed.message, HasSubstr("OUT_OF_ORDER_SEQUENCE_NUMBER"));
  // Until the report thread has replaced the producer, calls fail retryable.
  sdk::Outcome outcome;
  EXPECT_TRUE(ccm::testing::waitUntil(std::chrono::seconds(10), [&] {
    outcome = sink->deliver({makeEvent(2)}).at(0);
    return outcome.kind == Kind::Delivered;
  })) << outcome.message;
  KafkaTopicReader reader(cluster_.bootstraps(), "ccm-events", 1);
  const auto messages = reader.waitFor(2, std::chrono::seconds(10), std::chrono::milliseconds(300));
  ASSERT_GE(messages.size(), 2u);
  EXPECT_EQ(messages.back().value, R"({"n":2})");
  const auto logs = host_.logs();
  EXPECT_TRUE(std::ranges::any_of(logs, [](const auto& record) {
    return record.level == sdk::LogLevel::Error &&
           record.message.starts_with("the idempotent producer had a fatal error: ");
  }));
}

TEST_F(KafkaSinkOutcomes, OutcomesAreCountedInTheMetric) {
  auto sink = makeSink(configFor(cluster_));
  cluster_.failProduceRequests({RD_KAFKA_RESP_ERR_INVALID_MSG});
  sink->deliver({makeEvent(1)});
  sink->deliver(makeEvents(2));
  EXPECT_EQ(host_.metricValue("kafka_sink_messages_total", {{"outcome", "permanent"}}), 1.0);
  EXPECT_EQ(host_.metricValue("kafka_sink_messages_total", {{"outcome", "delivered"}}), 2.0);
}

}  // namespace
}  // namespace ccm::sinks::kafka
