#pragma once

#include <optional>
#include <string>

#include "ccm/sdk/result.hpp"

namespace ccm::plugins::pod_generator {

// Validates a Pod against config/schemas/pod.schema.json, compiled into the
// plugin. The error's where is the JSON pointer of the first violation.
std::optional<sdk::Error> validatePod(const std::string& pod_json);

}  // namespace ccm::plugins::pod_generator
