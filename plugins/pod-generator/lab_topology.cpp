#include "lab_topology.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

namespace ccm::plugins::pod_generator {
namespace {

// The same prefixes as ccm::core::kAnnotationProtocols; case-sensitive there too.
constexpr std::array<std::string_view, 4> kAnnotationProtocols{"serial", "vnc", "ssh", "telnet"};

std::string scalarOrEmpty(const YAML::Node& node) {
  return node && node.IsScalar() ? node.Scalar() : std::string();
}

std::string kindOf(const YAML::Node& node) {
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  if (node.IsScalar()) return "a scalar";
  return "empty";
}

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

sdk::Error nodeError(const NodeRef& node, const std::string& field, const std::string& problem) {
  return sdk::Error{node.path() + "." + field, "lab_yaml: " + node.describe() + ": " + problem};
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

// "hostname r1" (IOS, NX-OS, ASA) or "hostname: srv-1" (cloud-init) at the
// start of a line of the node's day-0 configuration.
std::string hostnameIn(const std::string& configuration) {
  std::istringstream lines(configuration);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string keyword;
    std::string name;
    if (words >> keyword >> name && (keyword == "hostname" || keyword == "hostname:")) return name;
  }
  return {};
}

// CML 2.x keeps `configuration` as one text; 2.7 exports may give a list of
// {name, content} files instead.
std::string hostnameOf(const YAML::Node& configuration) {
  if (!configuration) return {};
  if (configuration.IsScalar()) return hostnameIn(configuration.Scalar());
  if (configuration.IsSequence()) {
    for (const auto& file : configuration) {
      if (!file.IsMap()) continue;
      if (auto name = hostnameIn(scalarOrEmpty(file["content"])); !name.empty()) return name;
    }
  }
  return {};
}

std::optional<sdk::Error> collectAnnotations(const NodeRef& node, const YAML::Node& tags, LabNode& out) {
  if (!tags || tags.IsNull()) return std::nullopt;  // `tags:` absent or empty
  if (!tags.IsSequence()) return nodeError(node, "tags", "tags is " + kindOf(tags) + ", expected a list of strings");

  // Each (protocol, node port) once: two equal tags would share one allocation key.
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
    out.annotations.push_back(Annotation{tag, protocol, node.path() + "." + field});
  }
  return std::nullopt;
}

sdk::Result<std::vector<LabNode>> parseNodes(const YAML::Node& root) {
  if (!root.IsMap()) {
    return sdk::Error{"lab_yaml",
                      "lab_yaml is " + kindOf(root) + ", expected a CML lab export (a map with lab: and nodes:)"};
  }
  const YAML::Node nodes = root["nodes"];
  if (!nodes || !nodes.IsSequence()) {
    return sdk::Error{"nodes", "lab_yaml: nodes is " + (nodes ? kindOf(nodes) : std::string("missing")) +
                                   ", expected the list of lab nodes (CML 2.x export)"};
  }

  std::vector<LabNode> result;
  std::map<std::string, NodeRef> by_label;  // labels key the port allocation, so they must be unique
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const YAML::Node node = nodes[i];
    NodeRef ref{i, "", "", node.Mark().line};
    if (!node.IsMap()) {
      return sdk::Error{ref.path(), "lab_yaml: " + ref.path() + " is " + kindOf(node) + ", expected a map"};
    }
    ref.id = scalarOrEmpty(node["id"]);
    ref.label = scalarOrEmpty(node["label"]);
    if (ref.label.empty()) return nodeError(ref, "label", "label is missing or empty");
    if (const auto [first, inserted] = by_label.emplace(ref.label, ref); !inserted) {
      return nodeError(ref, "label", "label \"" + ref.label + "\" is already used by " + first->second.describe(false));
    }
    LabNode lab_node{ref.label, hostnameOf(node["configuration"]), ref.describe(), {}};
    if (auto error = collectAnnotations(ref, node["tags"], lab_node)) return std::move(*error);
    result.push_back(std::move(lab_node));
  }
  return result;
}

}  // namespace

sdk::Result<std::vector<LabNode>> parseLab(const std::string& lab_yaml) {
  try {
    return parseNodes(YAML::Load(lab_yaml));
  } catch (const YAML::Exception& e) {
    // ParserException (bad syntax, DeepRecursion) carries where it stopped.
    std::string message = "lab_yaml is not valid YAML: ";
    if (!e.mark.is_null()) {
      message += "line " + std::to_string(e.mark.line + 1) + ", column " + std::to_string(e.mark.column + 1) + ": ";
    }
    return sdk::Error{"lab_yaml", message + e.msg};
  }
}

}  // namespace ccm::plugins::pod_generator
