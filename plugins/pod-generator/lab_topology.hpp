#pragma once

#include <string>
#include <vector>

#include "ccm/sdk/result.hpp"

// The parts of a CML 2.x lab export the Pod needs: nodes and their smart
// annotations. A plugin cannot link the gateway core, so this is a second
// parser; it applies exactly the rules of core/src/engine/smart_annotations.cpp
// (which the gateway used to allocate the ports), so both agree on every key.
namespace ccm::plugins::pod_generator {

struct Annotation {
  std::string tag;       // as written, e.g. "serial:5041"; its port is 1..65535
  std::string protocol;  // the tag's prefix: "serial", "vnc", "ssh" or "telnet"
  std::string field;     // where it is, e.g. "nodes[2].tags[0]"
};

struct LabNode {
  std::string label;
  std::string hostname;  // from the node's `configuration` ("hostname NAME"); empty if none
  std::string where;     // "node n2 \"r1\" (nodes[2], line 40)", for messages
  std::vector<Annotation> annotations;
};

// Nodes in document order. Errors have where = "lab_yaml" for malformed YAML
// (with line and column) and a path such as "nodes[2].tags[1]" otherwise, and
// name the node. Refused as the core refuses them: a node without a label, a
// label used twice, tags that are not a list of strings, an annotation whose
// port is not 1..65535, the same annotation twice on one node.
sdk::Result<std::vector<LabNode>> parseLab(const std::string& lab_yaml);

}  // namespace ccm::plugins::pod_generator
