#include "ccm/sdk/plugin.hpp"

#include "eventgrid_sink.hpp"
#include "sink_eventgrid_schema.hpp"

namespace ccm::sinks::eventgrid {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "eventgrid",
    .kind = sdk::PluginKind::Sink,
    .version = "0.1.0",
    .description = "Publishes events to an Azure Event Grid custom topic or namespace topic as CloudEvents batches",
    .config_schema = kConfigSchema,
    .create_sink = &sdk::construct<EventGridSink, sdk::Sink>,
};

}  // namespace
}  // namespace ccm::sinks::eventgrid

CCM_DEFINE_PLUGIN(ccm::sinks::eventgrid::kDescriptor)
