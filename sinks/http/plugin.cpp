#include "ccm/sdk/plugin.hpp"

#include "http_sink.hpp"
#include "sink_http_schema.hpp"

namespace ccm::sinks::http {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "http",
    .kind = sdk::PluginKind::Sink,
    .version = "0.1.0",
    .description = "POSTs events to a CloudEvents HTTP endpoint in binary, structured or batch content mode",
    .config_schema = kConfigSchema,
    .create_sink = &sdk::construct<HttpSink, sdk::Sink>,
};

}  // namespace
}  // namespace ccm::sinks::http

CCM_DEFINE_PLUGIN(ccm::sinks::http::kDescriptor)
