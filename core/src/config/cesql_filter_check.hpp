#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "ccm/sdk/result.hpp"

namespace ccm::core {

// A sink's "delivery.filter.cesql" must compile as a CESQL filter
// (cesql/filter.hpp); the error names its JSON pointer and the position in
// the expression. `pointer` is the sink's, e.g. "/sinks/2".
std::optional<sdk::Error> checkCesqlFilter(const rapidjson::Value& sink, const std::string& pointer);

}  // namespace ccm::core
