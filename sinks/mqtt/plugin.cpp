#include "ccm/sdk/plugin.hpp"

#include "mqtt_sink.hpp"
#include "sink_mqtt_schema.hpp"

namespace ccm::sinks::mqtt {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "mqtt",
    .kind = sdk::PluginKind::Sink,
    .version = "0.1.0",
    .description = "Publishes events to an MQTT 5 or 3.1.1 broker with QoS 1 (CloudEvents MQTT binding)",
    .config_schema = kConfigSchema,
    .create_sink = &sdk::construct<MqttSink, sdk::Sink>,
};

}  // namespace
}  // namespace ccm::sinks::mqtt

CCM_DEFINE_PLUGIN(ccm::sinks::mqtt::kDescriptor)
