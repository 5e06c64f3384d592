#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/plugin.hpp"
#include "mqtt_message.hpp"

namespace ccm::sinks::mqtt {

// How the sink reaches its broker.
struct ConnectionSettings {
  std::string host;
  std::uint16_t port = 1883;
  ProtocolVersion version = ProtocolVersion::V5;
  std::string client_id;
  int keepalive_seconds = 60;
  bool clean_start = true;
  std::string username;                 // empty: none
  std::optional<std::string> password;  // resolved secret; only with a username
  std::optional<sdk::TlsOptions> tls;   // set: connect with TLS
  std::chrono::milliseconds connect_timeout{5000};
  // Most PUBLISHes libmosquitto may hold unacknowledged (it keeps each until
  // its PUBACK and resends it after a reconnect); beyond it events are
  // retryable, so a broker that stops acknowledging cannot grow memory without
  // bound. Well below 65535, the packet identifiers a connection can tell apart.
  std::size_t max_unacknowledged = 1000;
};

// The instance's "config" object, checked; defaults match schema.json.
struct MqttSinkConfig {
  ConnectionSettings connection;
  ContentMode mode = ContentMode::Binary;
  TopicTemplate topic{"ccm/events/{type}"};
  std::chrono::milliseconds timeout{10000};  // from PUBLISH to its PUBACK
  std::size_t max_batch_size = 100;
};

// Reads context.config_json; the password is resolved through context.host.
// Throws std::invalid_argument naming the config key it cannot use.
MqttSinkConfig parseConfig(const sdk::PluginContext& context);

// "ccm-gateway-<instance>-<pid>-<8 random hex digits>": unique per process
// and per sink object, so the old and new sink of a reload do not take over
// each other's session.
std::string defaultClientId(const std::string& instance_name);

}  // namespace ccm::sinks::mqtt
