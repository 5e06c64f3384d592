#include "mqtt_sink_config.hpp"

#include <unistd.h>

#include <cstdio>
#include <random>
#include <stdexcept>

#include "common/config_object.hpp"

namespace ccm::sinks::mqtt {
namespace {

using common::ConfigObject;

constexpr std::uint16_t kDefaultTlsPort = 8883;

ConnectionSettings connectionOf(const ConfigObject& config, const sdk::PluginContext& context) {
  ConnectionSettings out;
  auto host = config.string("host");
  if (!host) throw config.error("host", "is required");
  out.host = std::move(*host);
  if (const auto tls = config.object("tls")) out.tls = tls->tlsOptions();
  out.port =
      static_cast<std::uint16_t>(config.integer("port", 1, 65535).value_or(out.tls ? kDefaultTlsPort : out.port));
  out.version = config.choice("protocol_version", {"5", "3.1.1"}).value_or("5") == "5" ? ProtocolVersion::V5
                                                                                       : ProtocolVersion::V311;
  out.client_id = config.string("client_id").value_or(defaultClientId(context.instance_name));
  // MQTT 5 section 3.1.3.1: the Client Identifier is a UTF-8 string.
  if (out.client_id.size() > 65535) throw config.error("client_id", "must be at most 65535 bytes");
  // 0 would turn keep-alive off, and a dead connection would go unnoticed.
  out.keepalive_seconds = static_cast<int>(config.integer("keepalive_seconds", 5, 65535).value_or(out.keepalive_seconds));
  out.clean_start = config.boolean("clean_start").value_or(out.clean_start);
  out.username = config.string("username").value_or("");
  if (config.has("password") && out.username.empty()) throw config.error("password", "needs \"username\"");
  out.password = config.secret("password", context.host);
  if (auto ms = config.integer("connect_timeout_ms", 1, 600000)) out.connect_timeout = std::chrono::milliseconds(*ms);
  if (auto count = config.integer("max_unacknowledged", 1, 60000)) out.max_unacknowledged = *count;
  return out;
}

}  // namespace

MqttSinkConfig parseConfig(const sdk::PluginContext& context) {
  const ConfigObject config("mqtt", context.config_json);
  config.allowOnly({"host", "port", "protocol_version", "mode", "topic", "client_id", "keepalive_seconds",
                    "clean_start", "username", "password", "tls", "connect_timeout_ms", "max_unacknowledged",
                    "timeout_ms", "max_batch_size"});
  MqttSinkConfig out;
  out.connection = connectionOf(config, context);
  const bool v5 = out.connection.version == ProtocolVersion::V5;
  const auto mode = config.choice("mode", {"binary", "structured"}).value_or(v5 ? "binary" : "structured");
  // CloudEvents MQTT binding 1.3: binary mode needs MQTT 5's User Properties.
  if (mode == "binary" && !v5) {
    throw config.error("mode",
                       "\"binary\" needs protocol_version \"5\" (MQTT 3.1.1 has no User Properties); use "
                       "\"structured\"");
  }
  out.mode = mode == "binary" ? ContentMode::Binary : ContentMode::Structured;
  if (const auto topic = config.string("topic")) {
    try {
      out.topic = TopicTemplate(*topic);
    } catch (const std::invalid_argument& e) {
      throw config.error("topic", e.what());
    }
  }
  if (auto ms = config.integer("timeout_ms", 1, 3600000)) out.timeout = std::chrono::milliseconds(*ms);
  if (auto size = config.integer("max_batch_size", 1, 100000)) out.max_batch_size = *size;
  return out;
}

std::string defaultClientId(const std::string& instance_name) {
  std::random_device random;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "-%08x", static_cast<unsigned>(random()));
  return "ccm-gateway-" + instance_name + "-" + std::to_string(::getpid()) + suffix;
}

}  // namespace ccm::sinks::mqtt
