#include "ccm/sdk/smart_annotations.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

namespace ccm::sdk {
namespace {

std::string scalarOrEmpty(const YAML::Node& node) {
  return node && node.IsScalar() ? node.Scalar() : std::string();
}

std::string kindOf(const YAML::Node& node) {
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  if (node.IsScalar()) return "a scalar";
  return "empty";
}

// One node of `nodes:`, described the way an author finds it in the file.
struct NodeRef {
  std::size_t index = 0;
  std::string id;
  std::string label;
  int line = -1;  // 0-based, as yaml-cpp counts

  std::string path() const { return "nodes[" + std::to_string(index) + "]"; }

  std::string describe(bool with_label = true) const {
    std::string text = "node " + (id.empty() ? std::string("without id") : id);
    if (with_label && !label.empty()) text += " \"" + label + "\"";
    text += " (" + path();
    if (line >= 0) text += ", line " + std::to_string(line + 1);
    return text + ")";
  }
};

Error nodeError(const NodeRef& node, const std::string& field, const std::string& problem) {
  return Error{node.path() + "." + field, "lab_yaml: " + node.describe() + ": " + problem};
}

// Strict decimal, 1..65535: "serial:0", "serial:+1" and "serial:0x10" are bad ports.
std::optional<std::uint16_t> parsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value < 1 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

bool isAnnotationProtocol(std::string_view prefix) {
  return std::ranges::find(kAnnotationProtocols, prefix) != kAnnotationProtocols.end();
}

// Appends the node's annotations, or returns why one of its tags is wrong.
std::optional<Error> collectAnnotations(const NodeRef& node, const YAML::Node& tags, AnnotatedNode& out) {
  if (!tags || tags.IsNull()) return std::nullopt;  // `tags:` absent or empty
  if (!tags.IsSequence()) return nodeError(node, "tags", "tags is " + kindOf(tags) + ", expected a list of strings");

  // (protocol, port) -> tag index: "vnc:5900" twice would give two worker
  // ports for one node port, and the pod generator one interface per port.
  std::map<std::pair<std::string, std::uint16_t>, std::size_t> seen;
  for (std::size_t i = 0; i < tags.size(); ++i) {
    const std::string field = "tags[" + std::to_string(i) + "]";
    const YAML::Node tag_node = tags[i];
    if (!tag_node.IsScalar()) {
      return nodeError(node, field, field + " is " + kindOf(tag_node) + ", expected a string such as \"serial:1\"");
    }
    const std::string& tag = tag_node.Scalar();
    const std::size_t colon = tag.find(':');
    if (colon == std::string::npos || !isAnnotationProtocol(std::string_view(tag).substr(0, colon))) continue;

    const std::string protocol = tag.substr(0, colon);
    const std::string port_text = tag.substr(colon + 1);
    const auto port = parsePort(port_text);
    if (!port) {
      return nodeError(node, field,
                       field + " \"" + tag + "\" has a bad port \"" + port_text + "\" (expected 1..65535)");
    }
    const auto [previous, inserted] = seen.emplace(std::make_pair(protocol, *port), i);
    if (!inserted) {
      return nodeError(node, field,
                       field + " \"" + tag + "\" repeats tags[" + std::to_string(previous->second) + "] \"" +
                           tags[previous->second].Scalar() + "\"");
    }
    out.annotations.push_back(AnnotationTag{tag, protocol, *port, node.path() + "." + field});
  }
  return std::nullopt;
}

Result<std::vector<AnnotatedNode>> parseNodes(const YAML::Node& root) {
  if (!root.IsMap()) {
    return Error{"lab_yaml",
                 "lab_yaml is " + kindOf(root) + ", expected a CML lab export (a map with lab: and nodes:)"};
  }
  const YAML::Node nodes = root["nodes"];
  if (!nodes || !nodes.IsSequence()) {
    return Error{"nodes", "lab_yaml: nodes is " + (nodes ? kindOf(nodes) : std::string("missing")) +
                              ", expected the list of lab nodes (CML 2.x export)"};
  }

  std::vector<AnnotatedNode> result;
  std::map<std::string, NodeRef> by_label;  // labels key the port allocation, so they must be unique
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const YAML::Node node = nodes[i];
    NodeRef ref{i, "", "", node.Mark().line};
    if (!node.IsMap()) return Error{ref.path(), "lab_yaml: " + ref.path() + " is " + kindOf(node) + ", expected a map"};
    ref.id = scalarOrEmpty(node["id"]);
    ref.label = scalarOrEmpty(node["label"]);
    if (ref.label.empty()) return nodeError(ref, "label", "label is missing or empty");
    if (const auto [first, inserted] = by_label.emplace(ref.label, ref); !inserted) {
      return nodeError(ref, "label", "label \"" + ref.label + "\" is already used by " + first->second.describe(false));
    }
    AnnotatedNode annotated{ref.index, ref.id, ref.label, ref.describe(), {}};
    if (auto error = collectAnnotations(ref, node["tags"], annotated)) return std::move(*error);
    result.push_back(std::move(annotated));
  }
  return result;
}

}  // namespace

Result<std::vector<AnnotatedNode>> parseAnnotatedNodes(const std::string& lab_yaml) {
  try {
    return parseNodes(YAML::Load(lab_yaml));
  } catch (const YAML::Exception& e) {
    // ParserException (bad syntax, DeepRecursion) carries where it stopped.
    std::string message = "lab_yaml is not valid YAML: ";
    if (!e.mark.is_null()) {
      message += "line " + std::to_string(e.mark.line + 1) + ", column " + std::to_string(e.mark.column + 1) + ": ";
    }
    return Error{"lab_yaml", message + e.msg};
  }
}

Result<std::vector<SmartAnnotation>> parseSmartAnnotations(const std::string& lab_yaml) {
  auto nodes = parseAnnotatedNodes(lab_yaml);
  if (!nodes) return nodes.error();
  std::vector<SmartAnnotation> annotations;
  for (const AnnotatedNode& node : nodes.value()) {
    for (const AnnotationTag& annotation : node.annotations) {
      annotations.push_back({node.label, annotation.protocol, annotation.node_port, node.label + "/" + annotation.tag});
    }
  }
  return annotations;
}

}  // namespace ccm::sdk
