#pragma once

#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/sink.hpp"
#include "mqtt_connection.hpp"
#include "mqtt_sink_config.hpp"

namespace ccm::sinks::mqtt {

// Publishes events to an MQTT broker with QoS 1, one PUBLISH per event in
// the CloudEvents MQTT binding's binary or structured mode; an event is
// delivered when its PUBACK says so. See docs/sinks/mqtt.md.
class MqttSink final : public sdk::Sink {
public:
  // Throws std::invalid_argument naming the config key it cannot use. Does
  // not wait for the broker: the connection is made in the background.
  explicit MqttSink(const sdk::PluginContext& context);

  // Events of one subject are published one after another, each after the
  // previous one's PUBACK; other events go out without waiting. After a
  // retryable outcome nothing more of the batch is published. Safe to call
  // concurrently.
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override;
  std::size_t maxBatchSize() const override { return config_.max_batch_size; }

private:
  sdk::Metrics& metrics_;
  MqttSinkConfig config_;
  MqttConnection connection_;
};

}  // namespace ccm::sinks::mqtt
