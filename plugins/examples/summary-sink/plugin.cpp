// The plugin's entry point: one descriptor, exported by CCM_DEFINE_PLUGIN.
#include "ccm/sdk/plugin.hpp"
#include "sink_example_summary_schema.hpp"  // generated from schema.json: kConfigSchema
#include "summary_sink.hpp"

namespace example {
namespace {

const ccm::sdk::PluginDescriptor kDescriptor{
    .name = "example-summary",  // what a config's "plugin" names; unique among loaded plugins
    .kind = ccm::sdk::PluginKind::Sink,
    .version = "0.1.0",
    .description = "Example: appends one tab-separated summary line per event to a file",
    .config_schema = kConfigSchema,
    .create_sink = &ccm::sdk::construct<SummarySink, ccm::sdk::Sink>,
};

}  // namespace
}  // namespace example

CCM_DEFINE_PLUGIN(example::kDescriptor)
