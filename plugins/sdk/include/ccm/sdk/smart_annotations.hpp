#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ccm/sdk/result.hpp"

// Smart annotations: the CML node tags that say which node-side port of a lab
// node is reachable (for the user, the grading collector and the pod
// generator, Phase 4 task 4.10). The gateway gives each one a worker port
// (ADR-004) under its key, "<node label>/<tag>"; a plugin that reads the same
// lab with this parser finds the same keys.
namespace ccm::sdk {

// The tag prefixes that are smart annotations, as written in the tag
// (lower case; "serial:0" is not valid: ports are 1..65535).
inline constexpr std::array<std::string_view, 4> kAnnotationProtocols{"serial", "vnc", "ssh", "telnet"};

struct SmartAnnotation {
  std::string node_label;
  std::string protocol;         // one of kAnnotationProtocols
  std::uint16_t node_port = 0;  // the port on the node side, 1..65535
  std::string key;              // "<node label>/<tag>", the port allocation's key

  bool operator==(const SmartAnnotation&) const = default;
};

// A smart annotation where the lab export has it.
struct AnnotationTag {
  std::string tag;       // as written, e.g. "serial:5041"
  std::string protocol;  // its prefix, one of kAnnotationProtocols
  std::uint16_t node_port = 0;
  std::string field;  // where it is, e.g. "nodes[2].tags[0]"
};

// A node of the lab export with the smart annotations among its tags.
struct AnnotatedNode {
  std::size_t index = 0;  // its position in `nodes:`
  std::string id;         // empty when the node has none
  std::string label;      // unique in the lab
  std::string where;      // how messages name it: "node n2 \"r1\" (nodes[2], line 40)"
  std::vector<AnnotationTag> annotations;  // in tag order
};

// Parses a CML 2.x lab export (top-level `nodes:` list; each node with id,
// label, optional `tags:` list of strings) and returns every node in document
// order, with its smart annotations. Tags that are not annotations are
// ignored. Errors have where = "lab_yaml" for malformed YAML (with yaml-cpp's
// line and column) and a path such as "nodes[2].tags[1]" otherwise; the
// message names the node by id, label and line. Refused: a node without a
// label, a label used twice, a tag that is not a string, an annotation whose
// port is not 1..65535, the same annotation twice on one node.
Result<std::vector<AnnotatedNode>> parseAnnotatedNodes(const std::string& lab_yaml);

// parseAnnotatedNodes, as one list of every node's annotations in document order.
Result<std::vector<SmartAnnotation>> parseSmartAnnotations(const std::string& lab_yaml);

}  // namespace ccm::sdk
