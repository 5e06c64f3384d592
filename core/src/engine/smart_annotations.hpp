#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ccm/sdk/result.hpp"

// Smart annotations: the CML node tags that say which node-side port of a lab
// node is reachable (for the user, the grading collector and the pod
// generator, Phase 4 task 4.10). Each one gets a worker port (ADR-004).
namespace ccm::core {

// The tag prefixes that are smart annotations, as written in the tag
// ("serial:0" is not valid: ports are 1..65535).
inline constexpr std::array<std::string_view, 4> kAnnotationProtocols{"serial", "vnc", "ssh", "telnet"};

struct SmartAnnotation {
  std::string node_label;
  std::string protocol;         // one of kAnnotationProtocols
  std::uint16_t node_port = 0;  // the port on the node side, 1..65535
  std::string key;              // "<node label>/<tag>", the PortAllocation key

  bool operator==(const SmartAnnotation&) const = default;
};

// Parses a CML 2.x lab export (top-level `nodes:` list; each node with id,
// label, optional `tags:` list of strings) and returns every node's smart
// annotations in document order. Tags that are not annotations are ignored.
// Errors have where = "lab_yaml" for malformed YAML (with yaml-cpp's line and
// column) and a path such as "nodes[2].tags[1]" otherwise; the message names
// the node by id, label and line. Refused: a node without a label, a label
// used twice, a tag that is not a string, an annotation whose port is not
// 1..65535, the same annotation twice on one node.
sdk::Result<std::vector<SmartAnnotation>> parseSmartAnnotations(const std::string& lab_yaml);

}  // namespace ccm::core
