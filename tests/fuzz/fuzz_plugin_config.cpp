// Each plugin's "config" object as the gateway hands it over: checked against
// the plugin's schema.json first (as plugin selection does), then read by the
// plugin's config parser. The first byte picks the plugin, the rest is the
// object. No input crashes a parser, and a parser refuses only with
// std::invalid_argument and a message (what the plugin's factory reports).
#include <rapidjson/document.h>

#include <functional>
#include <stdexcept>
#include <vector>

#include "ccm/sdk/testing/fake_host.hpp"
#include "client_config.hpp"
#include "config/json_schema.hpp"
#include "eventbridge_sink_config.hpp"
#include "eventgrid_sink_config.hpp"
#include "fuzz_target.hpp"
#include "http_sink_config.hpp"
#include "kafka_sink_config.hpp"
#include "knative_sink_config.hpp"
#include "mqtt_sink_config.hpp"
#include "nats_sink_config.hpp"
#include "pod_generator.hpp"
#include "pubsub_sink_config.hpp"
#include "schema_file.hpp"

namespace {

struct Plugin {
  const char* schema_file;  // relative to the source tree
  std::function<void(const ccm::sdk::PluginContext&)> parse;
  std::shared_ptr<const ccm::core::JsonSchema> schema;
};

std::vector<Plugin> loadPlugins() {
  namespace plugins = ccm::plugins;
  namespace sinks = ccm::sinks;
  std::vector<Plugin> loaded = {
      {"sinks/http/schema.json", [](const auto& c) { sinks::http::parseConfig(c); }, nullptr},
      {"sinks/eventgrid/schema.json", [](const auto& c) { sinks::eventgrid::parseConfig(c); }, nullptr},
      {"sinks/eventbridge/schema.json", [](const auto& c) { sinks::eventbridge::parseConfig(c); }, nullptr},
      {"sinks/knative/schema.json", [](const auto& c) { sinks::knative::parseConfig(c); }, nullptr},
      {"plugins/assessment-client/schema.json", [](const auto& c) { plugins::assessment_client::parseConfig(c); },
       nullptr},
      {"plugins/pod-generator/schema.json", [](const auto& c) { plugins::pod_generator::parseConfig(c.config_json); },
       nullptr},
      {"sinks/mqtt/schema.json", [](const auto& c) { sinks::mqtt::parseConfig(c); }, nullptr},
      {"sinks/kafka/schema.json", [](const auto& c) { sinks::kafka::parseConfig(c); }, nullptr},
      {"sinks/pubsub/schema.json", [](const auto& c) { sinks::pubsub::parseConfig(c); }, nullptr},
      {"sinks/nats/schema.json", [](const auto& c) { sinks::nats::parseConfig(c); }, nullptr},
  };
  for (auto& plugin : loaded) {
    plugin.schema = ccm::fuzz::compileSchemaFile(std::string(CCM_SOURCE_DIR "/") + plugin.schema_file);
  }
  return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto plugins = loadPlugins();
  static ccm::sdk::testing::FakeHost host;
  if (size == 0) return 0;
  const Plugin& plugin = plugins[data[0] % plugins.size()];
  const std::string config(ccm::fuzz::asText(data + 1, size - 1));
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(config.c_str(), config.size());
  if (document.HasParseError() || plugin.schema->validate(document)) return 0;
  try {
    plugin.parse(ccm::sdk::PluginContext{"fuzzed", config, "urn:ccm:fuzz", "http://127.0.0.1:9/", host});
  } catch (const std::invalid_argument& refused) {
    if (std::string_view(refused.what()).empty()) ccm::fuzz::propertyFailed("a refusal without a message");
  }
  return 0;
}
