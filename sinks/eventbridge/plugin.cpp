#include "ccm/sdk/plugin.hpp"

#include "eventbridge_sink.hpp"
#include "sink_eventbridge_schema.hpp"

namespace ccm::sinks::eventbridge {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "eventbridge",
    .kind = sdk::PluginKind::Sink,
    .version = "0.1.0",
    .description = "Puts events on an Amazon EventBridge event bus with PutEvents, signed with SigV4",
    .config_schema = kConfigSchema,
    .create_sink = &sdk::construct<EventBridgeSink, sdk::Sink>,
};

}  // namespace
}  // namespace ccm::sinks::eventbridge

CCM_DEFINE_PLUGIN(ccm::sinks::eventbridge::kDescriptor)
