#pragma once

#include "ccm/sdk/cloud_event.hpp"
#include "cesql/ast.hpp"
#include "cesql/value.hpp"

namespace ccm::core::cesql {

// Evaluates a parsed expression against one event in "fail fast" mode (CESQL
// v1 4.1, which 1.2 recommends for filters): the first error stops the
// evaluation, and every operator it passes through gives its own zero value.
// Each node is evaluated at most once, so the work is bounded by the tree's
// size and the lengths of the strings it handles.
Evaluation evaluate(const Node& node, const sdk::CloudEvent& event);

}  // namespace ccm::core::cesql
