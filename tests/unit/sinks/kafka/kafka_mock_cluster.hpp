#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct rd_kafka_mock_cluster_s;

namespace ccm::testing {

// librdkafka's built-in mock cluster (rdkafka_mock.h): brokers listening on
// 127.0.0.1 that speak the Kafka protocol a producer and a consumer use, with
// error injection. A client reaches it through bootstraps() like a real
// cluster. Topics are auto-created with 4 partitions unless made first.
class KafkaMockCluster {
public:
  explicit KafkaMockCluster(int brokers = 1);
  ~KafkaMockCluster();
  KafkaMockCluster(const KafkaMockCluster&) = delete;
  KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;

  // "127.0.0.1:<port>[,...]".
  std::string bootstraps() const;
  void createTopic(const std::string& topic, int partitions);
  // The next ProduceRequests, one each, fail with these errors in order.
  void failProduceRequests(const std::vector<rd_kafka_resp_err_t>& errors);
  // Metadata requests for `topic` report `error`.
  void setTopicError(const std::string& topic, rd_kafka_resp_err_t error);
  // A broker that is down closes its connections and refuses new ones.
  void setBrokerDown(int broker);
  void setBrokerUp(int broker);

private:
  rd_kafka_t* handle_;
  rd_kafka_mock_cluster_s* cluster_;
};

// One message as a consumer read it.
struct ConsumedMessage {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::string>> headers;  // in wire order
};

// A librdkafka consumer reading every partition of `topic` from the start,
// without a consumer group's rebalancing (partitions assigned directly).
class KafkaTopicReader {
public:
  KafkaTopicReader(const std::string& bootstraps, const std::string& topic, int partitions);
  ~KafkaTopicReader();
  KafkaTopicReader(const KafkaTopicReader&) = delete;
  KafkaTopicReader& operator=(const KafkaTopicReader&) = delete;

  // Every message read since the reader was made, once `count` arrived and
  // `settle` more passed (so a test expecting exactly `count` sees any
  // extra), or when `deadline` passes first.
  std::vector<ConsumedMessage> waitFor(std::size_t count, std::chrono::milliseconds deadline = std::chrono::seconds(10),
                                       std::chrono::milliseconds settle = std::chrono::milliseconds(0));

private:
  rd_kafka_t* handle_;
  std::vector<ConsumedMessage> messages_;
};

}  // namespace ccm::testing
