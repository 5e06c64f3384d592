#include "ccm/sdk/plugin.hpp"

#include "knative_sink.hpp"
#include "sink_knative_schema.hpp"

namespace ccm::sinks::knative {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "knative",
    .kind = sdk::PluginKind::Sink,
    .version = "0.1.0",
    .description = "Posts events to a Knative Eventing Broker or Channel ingress (K_SINK aware, binary mode)",
    .config_schema = kConfigSchema,
    .create_sink = &sdk::construct<KnativeSink, sdk::Sink>,
};

}  // namespace
}  // namespace ccm::sinks::knative

CCM_DEFINE_PLUGIN(ccm::sinks::knative::kDescriptor)
