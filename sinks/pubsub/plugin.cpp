#include "ccm/sdk/plugin.hpp"

#include "pubsub_sink.hpp"
#include "sink_pubsub_schema.hpp"

namespace ccm::sinks::pubsub {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "pubsub",
    .kind = sdk::PluginKind::Sink,
    .version = "0.1.0",
    .description = "Publishes events to a Google Cloud Pub/Sub topic in the CloudEvents Pub/Sub binding",
    .config_schema = kConfigSchema,
    .create_sink = &sdk::construct<PubSubSink, sdk::Sink>,
};

}  // namespace
}  // namespace ccm::sinks::pubsub

CCM_DEFINE_PLUGIN(ccm::sinks::pubsub::kDescriptor)
