#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/store_config.hpp"

namespace ccm::core {

// One plugin instance the config selects: a sink, source, pod generator or
// assessment client.
struct PluginInstanceConfig {
  std::string name;         // instance name, unique within its section
  std::string plugin;       // descriptor name of the plugin
  std::string config_json;  // the instance's "config" object ("{}" when absent)
  std::string pointer;      // where it sits in the file, e.g. "/sinks/0"
  std::string delivery_json = "{}";  // sinks only: the "delivery" object
};

// The whole validated configuration, defaults applied.
struct GatewayConfig {
  std::filesystem::path file;

  struct Server {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    int threads = 16;
    int max_queued = 256;
    int shutdown_timeout_ms = 10000;
  } server;

  struct CloudEvents {
    std::string source = "urn:ccm-gateway";
    std::string sink_url;
  } cloudevents;

  std::vector<std::filesystem::path> plugin_directories;
  std::vector<PluginInstanceConfig> sinks;
  std::vector<PluginInstanceConfig> sources;
  std::optional<PluginInstanceConfig> pod_generator;
  std::optional<PluginInstanceConfig> assessment_client;

  StoreConfig store;

  struct Engine {
    std::int64_t session_ttl_seconds = 4 * 3600;
    int reconcile_interval_ms = 1000;
    std::string schema_base_url;
  } engine;

  std::string log_level = "info";

  // Line of every value in the file, by JSON pointer, for error messages.
  std::map<std::string, int> value_lines;
};

}  // namespace ccm::core
