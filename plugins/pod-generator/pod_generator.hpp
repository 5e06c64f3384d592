#pragma once

#include <string>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/pod_generator.hpp"
#include "pod_builder.hpp"

namespace ccm::plugins::pod_generator {

// Reads the instance's "config" object (empty text means {}). Throws
// std::invalid_argument naming the key it cannot use.
PodGeneratorConfig parseConfig(const std::string& config_json);

// Builds the grading engine's Pod from a CML lab; see docs/plugins/pod-generator.md.
// Holds only its config, so generate() may run concurrently.
class CmlPodGenerator final : public sdk::PodGenerator {
public:
  explicit CmlPodGenerator(const sdk::PluginContext& context);

  // Never throws: yaml-cpp's and the allocator's exceptions become Errors.
  sdk::Result<std::string> generate(const sdk::PodRequest& request) override;

private:
  PodGeneratorConfig config_;
};

}  // namespace ccm::plugins::pod_generator
