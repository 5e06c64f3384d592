#include "kafka_mock_cluster.hpp"

#include <librdkafka/rdkafka_mock.h>

#include <stdexcept>

namespace ccm::testing {
namespace {

rd_kafka_t* newClient(rd_kafka_type_t type, const std::vector<std::pair<std::string, std::string>>& properties) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char reason[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason, sizeof reason) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error(name + ": " + reason);
    }
  }
  rd_kafka_t* handle = rd_kafka_new(type, conf, reason, sizeof reason);
  if (handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(reason);
  }
  return handle;
}

std::optional<std::string> bytes(const void* data, std::size_t size) {
  if (data == nullptr) return std::nullopt;
  return std::string(static_cast<const char*>(data), size);
}

}  // namespace

KafkaMockCluster::KafkaMockCluster(int brokers)
    // The mock needs a client for its bookkeeping; this one sends nothing.
    : handle_(newClient(RD_KAFKA_PRODUCER, {{"log_level", "0"}})),
      cluster_(rd_kafka_mock_cluster_new(handle_, brokers)) {
  if (cluster_ == nullptr) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
}

KafkaMockCluster::~KafkaMockCluster() {
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(handle_);
}

std::string KafkaMockCluster::bootstraps() const {
  return rd_kafka_mock_cluster_bootstraps(cluster_);
}

void KafkaMockCluster::createTopic(const std::string& topic, int partitions) {
  if (rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error("cannot create mock topic " + topic);
  }
}

void KafkaMockCluster::failProduceRequests(const std::vector<rd_kafka_resp_err_t>& errors) {
  constexpr std::int16_t kProduceApiKey = 0;
  rd_kafka_mock_push_request_errors_array(cluster_, kProduceApiKey, errors.size(), errors.data());
}

void KafkaMockCluster::setTopicError(const std::string& topic, rd_kafka_resp_err_t error) {
  rd_kafka_mock_topic_set_error(cluster_, topic.c_str(), error);
}

void KafkaMockCluster::setBrokerDown(int broker) {
  rd_kafka_mock_broker_set_down(cluster_, broker);
}

void KafkaMockCluster::setBrokerUp(int broker) {
  rd_kafka_mock_broker_set_up(cluster_, broker);
}

KafkaTopicReader::KafkaTopicReader(const std::string& bootstraps, const std::string& topic, int partitions)
    : handle_(newClient(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstraps},
                                            {"group.id", "ccm-test-reader"},
                                            {"enable.auto.commit", "false"},
                                            {"log_level", "0"}})) {
  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(partitions);
  for (int partition = 0; partition < partitions; ++partition) {
    rd_kafka_topic_partition_list_add(assignment, topic.c_str(), partition)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  const rd_kafka_resp_err_t error = rd_kafka_assign(handle_, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  if (error != RD_KAFKA_RESP_ERR_NO_ERROR) throw std::runtime_error(rd_kafka_err2str(error));
}

KafkaTopicReader::~KafkaTopicReader() {
  rd_kafka_consumer_close(handle_);
  rd_kafka_destroy(handle_);
}

std::vector<ConsumedMessage> KafkaTopicReader::waitFor(std::size_t count, std::chrono::milliseconds deadline,
                                                       std::chrono::milliseconds settle) {
  using Clock = std::chrono::steady_clock;
  auto until = Clock::now() + deadline;
  bool settling = false;
  for (;;) {
    if (messages_.size() >= count && !settling) {
      settling = true;
      until = Clock::now() + settle;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) break;
    rd_kafka_message_t* message = rd_kafka_consumer_poll(handle_, static_cast<int>(std::min<long>(left.count(), 100)));
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ConsumedMessage consumed;
      consumed.topic = rd_kafka_topic_name(message->rkt);
      consumed.partition = message->partition;
      consumed.offset = message->offset;
      consumed.key = bytes(message->key, message->key_len);
      consumed.value = bytes(message->payload, message->len);
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name;
        const void* value;
        std::size_t size;
        for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          consumed.headers.emplace_back(name, bytes(value, size).value_or(""));
        }
      }
      messages_.push_back(std::move(consumed));
    }
    rd_kafka_message_destroy(message);
  }
  return messages_;
}

}  // namespace ccm::testing
