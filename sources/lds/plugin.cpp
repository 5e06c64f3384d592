#include "ccm/sdk/plugin.hpp"
#include "lds_source.hpp"
#include "source_lds_schema.hpp"

namespace ccm::sources::lds {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "lds",
    .kind = sdk::PluginKind::Source,
    .version = "0.1.0",
    .description =
        "LDS session events (lds.session.started, lds.session.ended) drive sessions to running and collecting",
    .config_schema = kConfigSchema,
    .create_source = &sdk::construct<LdsSource, sdk::Source>,
};

}  // namespace
}  // namespace ccm::sources::lds

CCM_DEFINE_PLUGIN(ccm::sources::lds::kDescriptor)
