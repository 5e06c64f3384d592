#pragma once

#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/sink.hpp"
#include "kafka_producer.hpp"
#include "kafka_sink_config.hpp"

namespace ccm::sinks::kafka {

// Produces events to Kafka through an idempotent librdkafka producer, one
// message per event in the CloudEvents Kafka binding's binary or structured
// mode; an event is delivered when its delivery report says so. See
// docs/sinks/kafka.md.
class KafkaSink final : public sdk::Sink {
public:
  // Throws std::invalid_argument naming the config key it cannot use. Does
  // not wait for the cluster: librdkafka connects in the background.
  explicit KafkaSink(const sdk::PluginContext& context);

  // Events of one subject are produced one after another, each after the
  // previous one's delivery report (librdkafka may write later messages of
  // a partition when earlier ones time out); other events go out without
  // waiting. After a retryable outcome nothing more of the batch is
  // produced. Safe to call concurrently.
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override;
  std::size_t maxBatchSize() const override { return config_.max_batch_size; }

private:
  sdk::Metrics& metrics_;
  KafkaSinkConfig config_;
  KafkaProducer producer_;
};

}  // namespace ccm::sinks::kafka
