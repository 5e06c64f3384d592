#pragma once

#include <string>

#include "ccm/sdk/pod_generator.hpp"
#include "ccm/sdk/result.hpp"

namespace ccm::plugins::pod_generator {

enum class HostnameSource {
  Label,          // the node's label
  Configuration,  // "hostname NAME" in the node's day-0 configuration, else the label
};

// The instance's "config" object; defaults match schema.json.
struct PodGeneratorConfig {
  std::string collector = "ccm";
  HostnameSource hostname_from = HostnameSource::Label;
};

// The grading engine's Pod (compact JSON) for one session: a device per lab
// node with smart annotations, an interface per annotation, in lab and tag
// order. Checked against config/schemas/pod.schema.json before it is
// returned. Pure: no I/O, safe to call concurrently.
sdk::Result<std::string> buildPod(const sdk::PodRequest& request, const PodGeneratorConfig& config);

}  // namespace ccm::plugins::pod_generator
