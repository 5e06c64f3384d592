#include "ccm/sdk/plugin.hpp"

#include "nats_sink.hpp"
#include "sink_nats_schema.hpp"

namespace ccm::sinks::nats {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "nats",
    .kind = sdk::PluginKind::Sink,
    .version = "0.1.0",
    .description = "Publishes events to NATS JetStream with a PubAck per event (CloudEvents NATS binding)",
    .config_schema = kConfigSchema,
    .create_sink = &sdk::construct<NatsSink, sdk::Sink>,
};

}  // namespace
}  // namespace ccm::sinks::nats

CCM_DEFINE_PLUGIN(ccm::sinks::nats::kDescriptor)
