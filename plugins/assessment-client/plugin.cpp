#include "ccm/sdk/plugin.hpp"

#include "assessment_client_schema.hpp"
#include "assessment_platform_client.hpp"

namespace ccm::plugins::assessment_client {
namespace {

const sdk::PluginDescriptor kDescriptor{
    .name = "assessment-client",
    .kind = sdk::PluginKind::AssessmentClient,
    .version = "0.1.0",
    .description =
        "Calls the Assessment Platform (trigger collection, assign Pod) with a Keycloak token, retries "
        "and a circuit breaker",
    .config_schema = kConfigSchema,
    .create_assessment_client = &sdk::construct<AssessmentPlatformClient, sdk::AssessmentClient>,
};

}  // namespace
}  // namespace ccm::plugins::assessment_client

CCM_DEFINE_PLUGIN(ccm::plugins::assessment_client::kDescriptor)
