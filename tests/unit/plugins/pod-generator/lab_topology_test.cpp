#include "lab_topology.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ccm/sdk/smart_annotations.hpp"
#include "pod_generator_test_support.hpp"

namespace ccm::plugins::pod_generator {
namespace {

using testing::readLab;

// The allocation keys the pod generator derives, "<label>/<tag>", in order.
std::vector<std::string> keysOf(const std::vector<LabNode>& nodes) {
  std::vector<std::string> keys;
  for (const auto& node : nodes) {
    for (const auto& annotation : node.annotations) keys.push_back(node.label + "/" + annotation.tag);
  }
  return keys;
}

// The core allocated the ports under the keys of sdk::parseSmartAnnotations;
// the pod generator looks them up under the keys of its own lab topology.
class LabTopologyMatchesCore : public ::testing::TestWithParam<std::string> {};

TEST_P(LabTopologyMatchesCore, SameAllocationKeysOrSameError) {
  const std::string yaml = readLab(GetParam());
  auto ours = parseLab(yaml);
  auto core = sdk::parseSmartAnnotations(yaml);
  ASSERT_EQ(ours.ok(), core.ok());
  if (!ours) {
    EXPECT_EQ(ours.error().where, core.error().where);
    EXPECT_EQ(ours.error().message, core.error().message);
    return;
  }
  std::vector<std::string> core_keys;
  for (const auto& annotation : core.value()) core_keys.push_back(annotation.key);
  EXPECT_EQ(keysOf(ours.value()), core_keys);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, LabTopologyMatchesCore,
                         ::testing::Values("ccna_routing.yaml", "firewall_edge.yaml", "datacenter_pod.yaml",
                                           "no_annotations.yaml", "empty_lab.yaml", "unlabelled_node.yaml",
                                           "bad_annotation_port.yaml", "malformed_indentation.yaml"),
                         [](const auto& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           std::erase(name, '_');
                           return name;
                         });

// Inline edge cases the fixtures do not cover, checked against the core's parser too.
TEST(LabTopology, EdgeCasesMatchTheCoreParser) {
  const std::vector<std::string> cases = {
      "",
      "- a list\n",
      "lab:\n  title: x\n",
      "nodes:\n  - r1\n",
      "nodes:\n  - id: n0\n    label: r1\n  - id: n1\n    label: r1\n",
      "nodes:\n  - id: n0\n    label: r1\n    tags: serial:5041\n",
      "nodes:\n  - id: n0\n    label: r1\n    tags:\n      - serial: 5041\n",
      "nodes:\n  - id: n0\n    label: r1\n    tags: [vnc:5900, ssh:22, vnc:05900]\n",
      "nodes:\n  - label: r1\n    tags: ['telnet:+23']\n",
      "nodes:\n  - id: n0\n    label: r1\n    tags: [core, 'zone:dmz', 'Serial:5000', vnc, 'rdp:3389', ssh:22]\n",
  };
  for (const auto& yaml : cases) {
    SCOPED_TRACE(yaml);
    auto ours = parseLab(yaml);
    auto core = sdk::parseSmartAnnotations(yaml);
    ASSERT_EQ(ours.ok(), core.ok());
    if (!ours) {
      EXPECT_EQ(ours.error().where, core.error().where);
      EXPECT_EQ(ours.error().message, core.error().message);
    }
  }
}

TEST(LabTopology, KeepsNodesWithoutAnnotationsAndDescribesEachNode) {
  auto nodes = parseLab(readLab("ccna_routing.yaml"));
  ASSERT_TRUE(nodes) << nodes.error().message;
  ASSERT_EQ(nodes.value().size(), 5u);
  EXPECT_EQ(nodes.value()[0].label, "ext-conn-0");
  EXPECT_TRUE(nodes.value()[0].annotations.empty());
  EXPECT_EQ(nodes.value()[3].where, "node n3 \"r2\" (nodes[3], line 115)");
  ASSERT_EQ(nodes.value()[3].annotations.size(), 2u);
  EXPECT_EQ(nodes.value()[3].annotations[1].field, "nodes[3].tags[1]");
  EXPECT_EQ(nodes.value()[3].annotations[1].protocol, "ssh");
}

TEST(LabTopology, HostnameComesFromTheFirstHostnameLineOfTheConfiguration) {
  auto nodes = parseLab(readLab("datacenter_pod.yaml"));
  ASSERT_TRUE(nodes) << nodes.error().message;
  std::vector<std::string> hostnames;
  for (const auto& node : nodes.value()) hostnames.push_back(node.hostname);
  EXPECT_EQ(hostnames, (std::vector<std::string>{"SPINE-1", "LEAF-1", "web-1.dc.lab", "", "", ""}));
}

}  // namespace
}  // namespace ccm::plugins::pod_generator
