#include "ccm/sdk/plugin.hpp"
#include "grading_source.hpp"
#include "source_grading_schema.hpp"

namespace ccm::sources::grading {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "grading",
    .kind = sdk::PluginKind::Source,
    .version = "0.1.0",
    .description = "Grading engine results (grading.session.completed/failed, and the assessment.* aliases) record "
                   "scores and faults",
    .config_schema = kConfigSchema,
    .create_source = &sdk::construct<GradingSource, sdk::Source>,
};

}  // namespace
}  // namespace ccm::sources::grading

CCM_DEFINE_PLUGIN(ccm::sources::grading::kDescriptor)
