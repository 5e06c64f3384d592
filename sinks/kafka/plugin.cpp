#include "ccm/sdk/plugin.hpp"

#include "kafka_sink.hpp"
#include "sink_kafka_schema.hpp"

namespace ccm::sinks::kafka {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "kafka",
    .kind = sdk::PluginKind::Sink,
    .version = "0.1.0",
    .description = "Produces events to Kafka with an idempotent producer (CloudEvents Kafka binding)",
    .config_schema = kConfigSchema,
    .create_sink = &sdk::construct<KafkaSink, sdk::Sink>,
};

}  // namespace
}  // namespace ccm::sinks::kafka

CCM_DEFINE_PLUGIN(ccm::sinks::kafka::kDescriptor)
