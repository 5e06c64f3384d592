#include "ccm/sdk/smart_annotations.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ccm::sdk {
namespace {

using ::testing::HasSubstr;

std::string readLab(const std::string& name) {
  std::ifstream in(std::string(CCM_SOURCE_DIR) + "/tests/fixtures/labs/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

sdk::Error parseError(const std::string& yaml) {
  auto result = parseSmartAnnotations(yaml);
  EXPECT_FALSE(result) << "parsed although it should not";
  return result ? sdk::Error{} : result.error();
}

TEST(SmartAnnotations, CcnaLabGivesAnnotationsInDocumentOrder) {
  const std::string yaml = readLab("ccna_routing.yaml");
  ASSERT_FALSE(yaml.empty());
  auto result = parseSmartAnnotations(yaml);
  ASSERT_TRUE(result) << result.error().message;
  const std::vector<SmartAnnotation> expected{
      {"sw1", "serial", 5041, "sw1/serial:5041"},   {"r1", "serial", 5042, "r1/serial:5042"},
      {"r2", "serial", 5043, "r2/serial:5043"},     {"r2", "ssh", 22, "r2/ssh:22"},
      {"desktop", "vnc", 5901, "desktop/vnc:5901"},
  };
  EXPECT_EQ(result.value(), expected);
}

TEST(SmartAnnotations, FirewallLabHandlesFlowQuotedAliasedAndNullTags) {
  auto result = parseSmartAnnotations(readLab("firewall_edge.yaml"));
  ASSERT_TRUE(result) << result.error().message;
  const std::vector<SmartAnnotation> expected{
      {"asa-edge", "telnet", 23, "asa-edge/telnet:23"},
      {"asa-edge", "serial", 5001, "asa-edge/serial:5001"},
      {"srv-1", "ssh", 22, "srv-1/ssh:22"},
      {"srv-1", "vnc", 65535, "srv-1/vnc:65535"},
      {"srv-2", "ssh", 22, "srv-2/ssh:22"},
      {"srv-2", "vnc", 65535, "srv-2/vnc:65535"},
      {"mgmt", "serial", 1, "mgmt/serial:1"},
  };
  EXPECT_EQ(result.value(), expected);
}

TEST(SmartAnnotations, LabWithOrdinaryTagsOnlyHasNone) {
  auto result = parseSmartAnnotations(readLab("no_annotations.yaml"));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result.value().empty());
}

TEST(SmartAnnotations, LabWithoutNodesHasNone) {
  auto result = parseSmartAnnotations(readLab("empty_lab.yaml"));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result.value().empty());
}

TEST(SmartAnnotations, MalformedYamlNamesLabYamlLineAndColumn) {
  const auto error = parseError("lab:\n  title: x\nnodes:\n  - id: n0\n    label: [r1\n");
  EXPECT_EQ(error.where, "lab_yaml");
  EXPECT_EQ(error.message, "lab_yaml is not valid YAML: line 6, column 1: end of sequence flow not found");
}

TEST(SmartAnnotations, BadIndentationIsMalformedYaml) {
  const auto error = parseError("nodes:\n  - id: n0\n    label: r1\n   tags: [vnc:5900]\n");
  EXPECT_EQ(error.where, "lab_yaml");
  EXPECT_EQ(error.message, "lab_yaml is not valid YAML: line 4, column 4: end of sequence not found");
}

TEST(SmartAnnotations, DocumentThatIsNotAMapIsRefused) {
  const auto error = parseError("- just\n- a list\n");
  EXPECT_EQ(error.where, "lab_yaml");
  EXPECT_EQ(error.message, "lab_yaml is a list, expected a CML lab export (a map with lab: and nodes:)");
}

TEST(SmartAnnotations, EmptyDocumentIsRefused) {
  const auto error = parseError("");
  EXPECT_EQ(error.where, "lab_yaml");
  EXPECT_EQ(error.message, "lab_yaml is empty, expected a CML lab export (a map with lab: and nodes:)");
}

TEST(SmartAnnotations, MissingNodesListIsRefused) {
  const auto error = parseError("lab:\n  title: x\n");
  EXPECT_EQ(error.where, "nodes");
  EXPECT_EQ(error.message, "lab_yaml: nodes is missing, expected the list of lab nodes (CML 2.x export)");
}

TEST(SmartAnnotations, NodeThatIsNotAMapIsRefused) {
  const auto error = parseError("nodes:\n  - r1\n");
  EXPECT_EQ(error.where, "nodes[0]");
  EXPECT_EQ(error.message, "lab_yaml: nodes[0] is a scalar, expected a map");
}

TEST(SmartAnnotations, NodeWithoutLabelIsRefused) {
  const auto error = parseError("nodes:\n  - id: n0\n    label: r1\n  - id: n1\n    node_definition: iosv\n");
  EXPECT_EQ(error.where, "nodes[1].label");
  EXPECT_EQ(error.message, "lab_yaml: node n1 (nodes[1], line 4): label is missing or empty");
}

TEST(SmartAnnotations, NodeWithEmptyLabelIsRefused) {
  const auto error = parseError("nodes:\n  - id: n0\n    label: ''\n");
  EXPECT_EQ(error.where, "nodes[0].label");
  EXPECT_EQ(error.message, "lab_yaml: node n0 (nodes[0], line 2): label is missing or empty");
}

TEST(SmartAnnotations, DuplicateLabelNamesBothNodes) {
  const auto error =
      parseError("nodes:\n  - id: n0\n    label: r1\n  - id: n1\n    label: r2\n  - id: n2\n    label: r1\n");
  EXPECT_EQ(error.where, "nodes[2].label");
  EXPECT_EQ(error.message,
            "lab_yaml: node n2 \"r1\" (nodes[2], line 6): label \"r1\" is already used by node n0 (nodes[0], line 2)");
}

TEST(SmartAnnotations, NonNumericPortIsRefused) {
  const auto error = parseError("nodes:\n  - id: n0\n    label: r1\n    tags: [core, serial:abc]\n");
  EXPECT_EQ(error.where, "nodes[0].tags[1]");
  EXPECT_EQ(error.message,
            "lab_yaml: node n0 \"r1\" (nodes[0], line 2): tags[1] \"serial:abc\" has a bad port \"abc\" "
            "(expected 1..65535)");
}

TEST(SmartAnnotations, PortZeroIsRefused) {
  const auto error = parseError("nodes:\n  - id: n0\n    label: desk\n    tags: [vnc:0]\n");
  EXPECT_EQ(error.where, "nodes[0].tags[0]");
  EXPECT_EQ(
      error.message,
      "lab_yaml: node n0 \"desk\" (nodes[0], line 2): tags[0] \"vnc:0\" has a bad port \"0\" (expected 1..65535)");
}

TEST(SmartAnnotations, PortAboveRangeIsRefused) {
  const auto error = parseError("nodes:\n  - id: n0\n    label: desk\n    tags: [vnc:70000]\n");
  EXPECT_EQ(error.where, "nodes[0].tags[0]");
  EXPECT_EQ(error.message,
            "lab_yaml: node n0 \"desk\" (nodes[0], line 2): tags[0] \"vnc:70000\" has a bad port \"70000\" "
            "(expected 1..65535)");
}

TEST(SmartAnnotations, EmptyOrSignedPortIsRefused) {
  for (const std::string tag : {"ssh:", "telnet:+23", "serial:-1", "vnc:5900 ", "ssh:99999999999"}) {
    SCOPED_TRACE(tag);
    const auto error = parseError("nodes:\n  - id: n0\n    label: r1\n    tags: ['" + tag + "']\n");
    EXPECT_EQ(error.where, "nodes[0].tags[0]");
    EXPECT_THAT(error.message, HasSubstr("tags[0] \"" + tag + "\" has a bad port"));
  }
}

TEST(SmartAnnotations, SameAnnotationTwiceOnOneNodeIsRefused) {
  const auto error = parseError("nodes:\n  - id: n0\n    label: r1\n    tags: [vnc:5900, ssh:22, vnc:05900]\n");
  EXPECT_EQ(error.where, "nodes[0].tags[2]");
  EXPECT_EQ(error.message,
            "lab_yaml: node n0 \"r1\" (nodes[0], line 2): tags[2] \"vnc:05900\" repeats tags[0] \"vnc:5900\"");
}

TEST(SmartAnnotations, TagThatIsNotAStringIsRefused) {
  // `- serial: 5041` (space after the colon) is a map, a common slip.
  const auto error = parseError("nodes:\n  - id: n0\n    label: r1\n    tags:\n      - serial: 5041\n");
  EXPECT_EQ(error.where, "nodes[0].tags[0]");
  EXPECT_EQ(error.message,
            "lab_yaml: node n0 \"r1\" (nodes[0], line 2): tags[0] is a map, expected a string such as \"serial:1\"");
}

TEST(SmartAnnotations, TagsThatAreNotAListAreRefused) {
  const auto error = parseError("nodes:\n  - id: n0\n    label: r1\n    tags: serial:5041\n");
  EXPECT_EQ(error.where, "nodes[0].tags");
  EXPECT_EQ(error.message, "lab_yaml: node n0 \"r1\" (nodes[0], line 2): tags is a scalar, expected a list of strings");
}

TEST(SmartAnnotations, NodeWithoutIdIsNamedByPosition) {
  const auto error = parseError("nodes:\n  - label: r1\n    tags: [vnc:0]\n");
  EXPECT_EQ(error.message,
            "lab_yaml: node without id \"r1\" (nodes[0], line 2): tags[0] \"vnc:0\" has a bad port \"0\" "
            "(expected 1..65535)");
}

TEST(SmartAnnotations, OtherTagsAreIgnored) {
  auto result = parseSmartAnnotations(
      "nodes:\n  - id: n0\n    label: r1\n    tags: [core, 'zone:dmz', 'Serial:5000', vnc, 'rdp:3389', ssh:22]\n");
  ASSERT_TRUE(result) << result.error().message;
  const std::vector<SmartAnnotation> expected{{"r1", "ssh", 22, "r1/ssh:22"}};
  EXPECT_EQ(result.value(), expected);
}

TEST(SmartAnnotations, NodesComeWithTheirPlaceAndEveryAnnotationWithItsField) {
  auto nodes = parseAnnotatedNodes(readLab("ccna_routing.yaml"));
  ASSERT_TRUE(nodes) << nodes.error().message;
  ASSERT_EQ(nodes.value().size(), 5u);
  const AnnotatedNode& r2 = nodes.value()[3];
  EXPECT_EQ(r2.index, 3u);
  EXPECT_EQ(r2.id, "n3");
  EXPECT_EQ(r2.label, "r2");
  EXPECT_EQ(r2.where, "node n3 \"r2\" (nodes[3], line 115)");
  ASSERT_EQ(r2.annotations.size(), 2u);
  EXPECT_EQ(r2.annotations[1].tag, "ssh:22");
  EXPECT_EQ(r2.annotations[1].protocol, "ssh");
  EXPECT_EQ(r2.annotations[1].node_port, 22);
  EXPECT_EQ(r2.annotations[1].field, "nodes[3].tags[1]");
}

TEST(SmartAnnotations, NodesWithoutAnnotationsAreListedToo) {
  auto nodes = parseAnnotatedNodes("nodes:\n  - label: r1\n    tags: [core]\n  - id: n1\n    label: r2\n");
  ASSERT_TRUE(nodes) << nodes.error().message;
  ASSERT_EQ(nodes.value().size(), 2u);
  EXPECT_EQ(nodes.value()[0].id, "");
  EXPECT_EQ(nodes.value()[0].where, "node without id \"r1\" (nodes[0], line 2)");
  EXPECT_TRUE(nodes.value()[0].annotations.empty());
  EXPECT_EQ(nodes.value()[1].label, "r2");
}

TEST(SmartAnnotations, BothViewsRefuseALabTheSameWay) {
  const std::string yaml = "nodes:\n  - id: n0\n    label: r1\n    tags: [vnc:5900, vnc:5900]\n";
  auto nodes = parseAnnotatedNodes(yaml);
  ASSERT_FALSE(nodes);
  const auto error = parseError(yaml);
  EXPECT_EQ(nodes.error().where, error.where);
  EXPECT_EQ(nodes.error().message, error.message);
}

}  // namespace
}  // namespace ccm::sdk
