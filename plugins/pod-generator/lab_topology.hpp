#pragma once

#include <string>
#include <vector>

#include "ccm/sdk/result.hpp"
#include "ccm/sdk/smart_annotations.hpp"

// The parts of a CML 2.x lab export the Pod needs: nodes, their smart
// annotations and their host names. The annotations come from the SDK's
// parser (ccm/sdk/smart_annotations.hpp), the one the gateway allocated the
// ports with, so both agree on every key.
namespace ccm::plugins::pod_generator {

struct LabNode {
  std::string label;
  std::string hostname;  // from the node's `configuration` ("hostname NAME"); empty if none
  std::string where;     // "node n2 \"r1\" (nodes[2], line 40)", for messages
  std::vector<sdk::AnnotationTag> annotations;
};

// Nodes in document order. Refused, with sdk::parseAnnotatedNodes's errors,
// whatever that parser refuses.
sdk::Result<std::vector<LabNode>> parseLab(const std::string& lab_yaml);

}  // namespace ccm::plugins::pod_generator
