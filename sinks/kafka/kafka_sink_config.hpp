#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "kafka_message.hpp"

namespace ccm::sinks::kafka {

// librdkafka configuration properties, in the order they are set.
using Properties = std::vector<std::pair<std::string, std::string>>;

// How the sink's producer is made.
struct ProducerSettings {
  // Every property the producer is created with: bootstrap servers, the
  // delivery guarantees, TLS and SASL (secrets resolved), then the operator's
  // extra "properties". Holds secrets: never log it.
  Properties properties;
  std::chrono::milliseconds timeout{30000};  // message.timeout.ms
  std::string where;                         // the bootstrap servers, for messages
};

// The instance's "config" object, checked; defaults match schema.json.
struct KafkaSinkConfig {
  ProducerSettings producer;
  ContentMode mode = ContentMode::Binary;
  TopicTemplate topic{"ccm-events"};
  std::size_t max_batch_size = 100;
};

// Reads context.config_json; secrets are resolved through context.host, and
// every librdkafka property is checked by librdkafka itself. Throws
// std::invalid_argument naming the config key it cannot use.
KafkaSinkConfig parseConfig(const sdk::PluginContext& context);

}  // namespace ccm::sinks::kafka
