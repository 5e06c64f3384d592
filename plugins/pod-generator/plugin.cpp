#include "ccm/sdk/plugin.hpp"

#include "pod_generator.hpp"
#include "pod_generator_schema.hpp"

namespace ccm::plugins::pod_generator {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "pod-generator",
    .kind = sdk::PluginKind::PodGenerator,
    .version = "0.1.0",
    .description = "Builds the grading engine's Pod from a CML lab's smart annotations and the session's ports",
    .config_schema = kConfigSchema,
    .create_pod_generator = &sdk::construct<CmlPodGenerator, sdk::PodGenerator>,
};

}  // namespace
}  // namespace ccm::plugins::pod_generator

CCM_DEFINE_PLUGIN(ccm::plugins::pod_generator::kDescriptor)
