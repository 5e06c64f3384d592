#include "ccm/sdk/plugin.hpp"
#include "file_sink.hpp"
#include "sink_file_schema.hpp"

namespace ccm::sinks::file {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "file",
    .kind = sdk::PluginKind::Sink,
    .version = "0.1.0",
    .description = "Appends events to a local file as CloudEvents JSON Lines, with size-based rotation",
    .config_schema = kConfigSchema,
    .create_sink = &sdk::construct<FileSink, sdk::Sink>,
};

}  // namespace
}  // namespace ccm::sinks::file

CCM_DEFINE_PLUGIN(ccm::sinks::file::kDescriptor)
