#include "lab_topology.hpp"

#include <yaml-cpp/yaml.h>

#include <sstream>
#include <utility>

namespace ccm::plugins::pod_generator {
namespace {

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
      const YAML::Node content = file["content"];
      if (!content || !content.IsScalar()) continue;
      if (auto name = hostnameIn(content.Scalar()); !name.empty()) return name;
    }
  }
  return {};
}

}  // namespace

sdk::Result<std::vector<LabNode>> parseLab(const std::string& lab_yaml) {
  auto annotated = sdk::parseAnnotatedNodes(lab_yaml);
  if (!annotated) return annotated.error();
  // The SDK parser has checked the document: it is YAML with a list of
  // nodes, each a map, so reading it again for the configurations cannot fail.
  const YAML::Node nodes = YAML::Load(lab_yaml)["nodes"];
  std::vector<LabNode> result;
  for (sdk::AnnotatedNode& node : annotated.value()) {
    result.push_back(LabNode{std::move(node.label), hostnameOf(nodes[node.index]["configuration"]),
                             std::move(node.where), std::move(node.annotations)});
  }
  return result;
}

}  // namespace ccm::plugins::pod_generator
