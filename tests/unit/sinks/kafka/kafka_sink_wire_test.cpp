#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "kafka_sink_test_support.hpp"

namespace ccm::sinks::kafka {
namespace {

using testing::configFor;
using testing::exampleEvent;
using testing::Headers;
using testing::KafkaMockCluster;
using testing::KafkaTopicReader;
using testing::makeEvent;
using Kind = sdk::Outcome::Kind;

class KafkaSinkWire : public testing::KafkaSinkFixture {
protected:
  KafkaSinkWire() { cluster_.createTopic("ccm-events", 1); }

  void deliverAll(KafkaSink& sink, const std::vector<sdk::CloudEvent>& events) {
    for (const auto& outcome : sink.deliver(events)) EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
  }

  KafkaMockCluster cluster_;
};

TEST_F(KafkaSinkWire, BinaryModeSendsCeHeadersTheSubjectAsKeyAndTheDataAsValue) {
  auto sink = makeSink(configFor(cluster_));
  deliverAll(*sink, {exampleEvent()});
  KafkaTopicReader reader(cluster_.bootstraps(), "ccm-events", 1);
  const auto messages = reader.waitFor(1, std::chrono::seconds(10), std::chrono::milliseconds(200));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].key, "session 42");
  EXPECT_EQ(messages[0].value, R"({"score":87})");
  EXPECT_EQ(messages[0].headers, testing::exampleBinaryHeaders());
}

TEST_F(KafkaSinkWire, StructuredModeSendsTheJsonFormatWithItsContentTypeHeader) {
  auto sink = makeSink(configFor(cluster_, R"("mode":"structured")"));
  deliverAll(*sink, {exampleEvent()});
  KafkaTopicReader reader(cluster_.bootstraps(), "ccm-events", 1);
  const auto messages = reader.waitFor(1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].key, "session 42");
  EXPECT_EQ(messages[0].value, testing::exampleStructuredValue());
  EXPECT_EQ(messages[0].headers, (Headers{{"content-type", "application/cloudevents+json; charset=UTF-8"}}));
}

TEST_F(KafkaSinkWire, ABinaryEventWithoutDataOrSubjectHasNeitherValueNorKey) {
  auto sink = makeSink(configFor(cluster_));
  sdk::CloudEvent event = makeEvent(1);
  event.data = {};
  event.datacontenttype.reset();
  deliverAll(*sink, {event});
  KafkaTopicReader reader(cluster_.bootstraps(), "ccm-events", 1);
  const auto messages = reader.waitFor(1);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].key, std::nullopt);
  EXPECT_EQ(messages[0].value, std::nullopt);
}

TEST_F(KafkaSinkWire, EachSubjectKeepsItsOrderInItsOwnPartition) {
  KafkaMockCluster cluster(3);
  cluster.createTopic("ccm-events", 3);
  auto sink = makeSink(configFor(cluster));
  std::vector<sdk::CloudEvent> batch;
  for (int n = 1; n <= 30; ++n) batch.push_back(makeEvent(n, "session-" + std::to_string(n % 5)));
  deliverAll(*sink, batch);
  KafkaTopicReader reader(cluster.bootstraps(), "ccm-events", 3);
  const auto messages = reader.waitFor(30, std::chrono::seconds(10), std::chrono::milliseconds(200));
  ASSERT_EQ(messages.size(), 30u);
  std::map<std::string, std::int32_t> partition_of;
  std::map<std::string, std::vector<std::string>> ids_of;
  for (const auto& message : messages) {
    ASSERT_TRUE(message.key.has_value());
    const auto [it, first] = partition_of.emplace(*message.key, message.partition);
    EXPECT_EQ(it->second, message.partition) << *message.key << " is in two partitions";
    const auto id = std::ranges::find(message.headers, std::string("ce_id"), &Headers::value_type::first);
    ASSERT_NE(id, message.headers.end());
    ids_of[*message.key].push_back(id->second);
  }
  std::set<std::int32_t> partitions;
  for (const auto& [key, partition] : partition_of) partitions.insert(partition);
  EXPECT_GT(partitions.size(), 1u) << "five keys all hashed to one partition";
  for (int subject = 0; subject < 5; ++subject) {
    std::vector<std::string> expected;
    for (int n = 1; n <= 30; ++n) {
      if (n % 5 == subject) expected.push_back("evt-" + std::to_string(n));
    }
    EXPECT_EQ(ids_of["session-" + std::to_string(subject)], expected);
  }
}

TEST_F(KafkaSinkWire, TheTopicTemplateRoutesByType) {
  cluster_.createTopic("ccm.com.example.kafka-sink.test", 1);
  auto sink = makeSink(configFor(cluster_, R"("topic":"ccm.{type}")"));
  deliverAll(*sink, {makeEvent(1), makeEvent(2)});
  KafkaTopicReader reader(cluster_.bootstraps(), "ccm.com.example.kafka-sink.test", 1);
  const auto messages = reader.waitFor(2);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].topic, "ccm.com.example.kafka-sink.test");
  EXPECT_EQ(messages[0].value, R"({"n":1})");
  EXPECT_EQ(messages[1].value, R"({"n":2})");
}

TEST_F(KafkaSinkWire, ConcurrentCallsShareTheProducerAndEachGetsItsOwnOutcomes) {
  auto sink = makeSink(configFor(cluster_));
  std::vector<std::vector<sdk::Outcome>> outcomes(2);
  std::vector<std::thread> callers;
  for (int caller = 0; caller < 2; ++caller) {
    callers.emplace_back([&, caller] {
      std::vector<sdk::CloudEvent> batch;
      for (int n = 1; n <= 20; ++n) batch.push_back(makeEvent(caller * 100 + n, "caller-" + std::to_string(caller)));
      outcomes[caller] = sink->deliver(batch);
    });
  }
  for (auto& caller : callers) caller.join();
  for (const auto& each : outcomes) {
    ASSERT_EQ(each.size(), 20u);
    for (const auto& outcome : each) EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
  }
  KafkaTopicReader reader(cluster_.bootstraps(), "ccm-events", 1);
  EXPECT_EQ(reader.waitFor(40, std::chrono::seconds(10), std::chrono::milliseconds(300)).size(), 40u);
}

}  // namespace
}  // namespace ccm::sinks::kafka
