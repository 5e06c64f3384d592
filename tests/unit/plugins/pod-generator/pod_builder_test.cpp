#include "pod_builder.hpp"

#include <gtest/gtest.h>

#include <string>

#include "pod_generator_test_support.hpp"

namespace ccm::plugins::pod_generator {
namespace {

using testing::compact;
using testing::requestFor;

const std::map<std::string, std::uint16_t> kCcnaPorts{
    {"sw1/serial:5041", 5000}, {"r1/serial:5042", 5001},   {"r2/serial:5043", 5002},
    {"r2/ssh:22", 5003},       {"desktop/vnc:5901", 5004},
};

const std::map<std::string, std::uint16_t> kFirewallPorts{
    {"asa-edge/telnet:23", 6000}, {"asa-edge/serial:5001", 6001}, {"srv-1/ssh:22", 6002},  {"srv-1/vnc:65535", 6003},
    {"srv-2/ssh:22", 6004},       {"srv-2/vnc:65535", 6005},      {"mgmt/serial:1", 6006},
};

const std::map<std::string, std::uint16_t> kDatacenterPorts{
    {"spine-1/serial:1", 5100}, {"spine-1/ssh:22", 5101}, {"leaf-1/serial:1", 5102},
    {"leaf-1/telnet:23", 5103}, {"web-1/ssh:22", 5104},   {"web-1/vnc:5900", 5105},
    {"jump/vnc:5901", 5106},    {"jump/serial:2", 5107},  {"jump/serial:3", 5108},
};

// A definition as the API returns it, with pod_settings at every level.
constexpr const char* kCcnaDefinition = R"({
  "id": "def-ccna", "name": "ccna-lab-1", "version": 2,
  "pod_settings": {
    "console": {"authentication": {"username": "cisco", "password": "cisco"}, "configuration": {"prompt": "#"}},
    "ssh": {"authentication": {"username": "admin", "password": "admin-pw"}},
    "nodes": {
      "r2": {"hostname": "R2", "authentication": {"password": "r2-pw"},
             "console": {"authentication": {"enable": "en-pw"}}},
      "desktop": {"vnc": {"authentication": {"password": "vnc-pw"}, "configuration": {"view_only": false}}}
    }
  }
})";

sdk::Result<std::string> build(const sdk::PodRequest& request, PodGeneratorConfig config = {}) {
  return buildPod(request, config);
}

sdk::Error buildError(const sdk::PodRequest& request) {
  auto result = build(request);
  EXPECT_FALSE(result) << "built although it should not: " << result.value();
  return result ? sdk::Error{} : result.error();
}

TEST(PodBuilder, CcnaLabGivesADevicePerAnnotatedNodeWithSettingsMergedPerInterface) {
  auto pod = build(requestFor("ccna_routing.yaml", kCcnaPorts, kCcnaDefinition));
  ASSERT_TRUE(pod) << pod.error().message;
  // ext-conn-0 has no annotation: no device. r2's console password comes from
  // its node entry, its enable secret from node.console, its user from console.
  EXPECT_EQ(pod.value(), compact(R"({"id": "sess-1", "devices": [
    {"label": "sw1", "hostname": "sw1", "collector": "ccm", "interfaces": [
      {"name": "serial:5041", "protocol": "console", "host": "198.51.100.7", "port": 5000,
       "authentication": {"username": "cisco", "password": "cisco"}, "configuration": {"prompt": "#"}}]},
    {"label": "r1", "hostname": "r1", "collector": "ccm", "interfaces": [
      {"name": "serial:5042", "protocol": "console", "host": "198.51.100.7", "port": 5001,
       "authentication": {"username": "cisco", "password": "cisco"}, "configuration": {"prompt": "#"}}]},
    {"label": "r2", "hostname": "R2", "collector": "ccm", "interfaces": [
      {"name": "serial:5043", "protocol": "console", "host": "198.51.100.7", "port": 5002,
       "authentication": {"username": "cisco", "password": "r2-pw", "enable": "en-pw"},
       "configuration": {"prompt": "#"}},
      {"name": "ssh:22", "protocol": "ssh", "host": "198.51.100.7", "port": 5003,
       "authentication": {"username": "admin", "password": "r2-pw"}, "configuration": {}}]},
    {"label": "desktop", "hostname": "desktop", "collector": "ccm", "interfaces": [
      {"name": "vnc:5901", "protocol": "vnc", "host": "198.51.100.7", "port": 5004,
       "authentication": {"password": "vnc-pw"}, "configuration": {"view_only": false}}]}
  ]})"));
}

TEST(PodBuilder, FirewallLabHandlesFlowQuotedAliasedAndNullTagsWithThePrivateAddress) {
  auto request = requestFor("firewall_edge.yaml", kFirewallPorts);
  request.worker_public_address.clear();
  auto pod = build(request, PodGeneratorConfig{.collector = "netconf", .hostname_from = HostnameSource::Label});
  ASSERT_TRUE(pod) << pod.error().message;
  // inside-sw (no tags) and oob-console (null tags) have no device; mgmt's
  // "SERIAL:2" and "vnc" are not annotations; telnet:23 keeps its tag order.
  EXPECT_EQ(pod.value(), compact(R"({"id": "sess-1", "devices": [
    {"label": "asa-edge", "hostname": "asa-edge", "collector": "netconf", "interfaces": [
      {"name": "telnet:23", "protocol": "telnet", "host": "10.0.0.7", "port": 6000,
       "authentication": {}, "configuration": {}},
      {"name": "serial:5001", "protocol": "console", "host": "10.0.0.7", "port": 6001,
       "authentication": {}, "configuration": {}}]},
    {"label": "srv-1", "hostname": "srv-1", "collector": "netconf", "interfaces": [
      {"name": "ssh:22", "protocol": "ssh", "host": "10.0.0.7", "port": 6002, "authentication": {}, "configuration": {}},
      {"name": "vnc:65535", "protocol": "vnc", "host": "10.0.0.7", "port": 6003, "authentication": {}, "configuration": {}}]},
    {"label": "srv-2", "hostname": "srv-2", "collector": "netconf", "interfaces": [
      {"name": "ssh:22", "protocol": "ssh", "host": "10.0.0.7", "port": 6004, "authentication": {}, "configuration": {}},
      {"name": "vnc:65535", "protocol": "vnc", "host": "10.0.0.7", "port": 6005, "authentication": {}, "configuration": {}}]},
    {"label": "mgmt", "hostname": "mgmt", "collector": "netconf", "interfaces": [
      {"name": "serial:1", "protocol": "console", "host": "10.0.0.7", "port": 6006, "authentication": {}, "configuration": {}}]}
  ]})"));
}

TEST(PodBuilder, HostnameFromConfigurationReadsIosAndCloudInitLinesElseTheLabel) {
  const std::string definition = R"({"pod_settings": {"telnet": {"configuration": {"login_prompt": "login:"}}}})";
  auto pod = build(requestFor("datacenter_pod.yaml", kDatacenterPorts, definition),
                   PodGeneratorConfig{.collector = "ccm", .hostname_from = HostnameSource::Configuration});
  ASSERT_TRUE(pod) << pod.error().message;
  // spine-1: one configuration text; leaf-1 and web-1: CML 2.7 file lists;
  // jump has no hostname line. Two serial annotations on jump, two interfaces.
  EXPECT_EQ(pod.value(), compact(R"({"id": "sess-1", "devices": [
    {"label": "spine-1", "hostname": "SPINE-1", "collector": "ccm", "interfaces": [
      {"name": "serial:1", "protocol": "console", "host": "198.51.100.7", "port": 5100, "authentication": {}, "configuration": {}},
      {"name": "ssh:22", "protocol": "ssh", "host": "198.51.100.7", "port": 5101, "authentication": {}, "configuration": {}}]},
    {"label": "leaf-1", "hostname": "LEAF-1", "collector": "ccm", "interfaces": [
      {"name": "serial:1", "protocol": "console", "host": "198.51.100.7", "port": 5102, "authentication": {}, "configuration": {}},
      {"name": "telnet:23", "protocol": "telnet", "host": "198.51.100.7", "port": 5103, "authentication": {},
       "configuration": {"login_prompt": "login:"}}]},
    {"label": "web-1", "hostname": "web-1.dc.lab", "collector": "ccm", "interfaces": [
      {"name": "ssh:22", "protocol": "ssh", "host": "198.51.100.7", "port": 5104, "authentication": {}, "configuration": {}},
      {"name": "vnc:5900", "protocol": "vnc", "host": "198.51.100.7", "port": 5105, "authentication": {}, "configuration": {}}]},
    {"label": "jump", "hostname": "jump", "collector": "ccm", "interfaces": [
      {"name": "vnc:5901", "protocol": "vnc", "host": "198.51.100.7", "port": 5106, "authentication": {}, "configuration": {}},
      {"name": "serial:2", "protocol": "console", "host": "198.51.100.7", "port": 5107, "authentication": {}, "configuration": {}},
      {"name": "serial:3", "protocol": "console", "host": "198.51.100.7", "port": 5108, "authentication": {}, "configuration": {}}]}
  ]})"));
}

TEST(PodBuilder, HostnameFromLabelIgnoresTheConfiguration) {
  auto pod = build(requestFor("datacenter_pod.yaml", kDatacenterPorts));
  ASSERT_TRUE(pod) << pod.error().message;
  EXPECT_NE(pod.value().find(R"({"label":"spine-1","hostname":"spine-1",)"), std::string::npos) << pod.value();
}

TEST(PodBuilder, LabWithOrdinaryTagsOnlyGivesAPodWithoutDevices) {
  auto pod = build(requestFor("no_annotations.yaml", {}));
  ASSERT_TRUE(pod) << pod.error().message;
  EXPECT_EQ(pod.value(), R"({"id":"sess-1","devices":[]})");
}

TEST(PodBuilder, LabWithoutNodesGivesAPodWithoutDevices) {
  auto pod = build(requestFor("empty_lab.yaml", {}));
  ASSERT_TRUE(pod) << pod.error().message;
  EXPECT_EQ(pod.value(), R"({"id":"sess-1","devices":[]})");
}

TEST(PodBuilder, AllocationsWithoutAnAnnotationAreIgnored) {
  auto ports = kCcnaPorts;
  ports.emplace("old-node/serial:5000", 5999);
  auto with_extra = build(requestFor("ccna_routing.yaml", ports));
  auto exact = build(requestFor("ccna_routing.yaml", kCcnaPorts));
  ASSERT_TRUE(with_extra) << with_extra.error().message;
  ASSERT_TRUE(exact) << exact.error().message;
  EXPECT_EQ(with_extra.value(), exact.value());
}

TEST(PodBuilder, AnnotationWithoutAllocatedPortNamesTheNodeTagAndKey) {
  auto ports = kCcnaPorts;
  ports.erase("r2/ssh:22");
  const auto error = buildError(requestFor("ccna_routing.yaml", ports));
  EXPECT_EQ(error.where, "allocated_ports[\"r2/ssh:22\"]");
  EXPECT_EQ(error.message,
            "lab_yaml: node n3 \"r2\" (nodes[3], line 115): nodes[3].tags[1] \"ssh:22\" has no allocated port "
            "(no key \"r2/ssh:22\" in the session's allocated_ports)");
}

TEST(PodBuilder, MalformedYamlIsRefusedWithLineAndColumn) {
  const auto error = buildError(requestFor("malformed_indentation.yaml", {}));
  EXPECT_EQ(error.where, "lab_yaml");
  EXPECT_EQ(error.message, "lab_yaml is not valid YAML: line 10, column 4: end of sequence not found");
}

TEST(PodBuilder, NodeWithoutLabelIsRefused) {
  const auto error = buildError(requestFor("unlabelled_node.yaml", {{"r1/serial:5001", 5000}}));
  EXPECT_EQ(error.where, "nodes[1].label");
  EXPECT_EQ(error.message, "lab_yaml: node n1 (nodes[1], line 12): label is missing or empty");
}

TEST(PodBuilder, AnnotationWithABadPortIsRefused) {
  const auto error =
      buildError(requestFor("bad_annotation_port.yaml", {{"r1/serial:5001", 5000}, {"desktop/serial:5002", 5001}}));
  EXPECT_EQ(error.where, "nodes[1].tags[1]");
  EXPECT_EQ(error.message,
            "lab_yaml: node n1 \"desktop\" (nodes[1], line 11): tags[1] \"vnc:70000\" has a bad port \"70000\" "
            "(expected 1..65535)");
}

TEST(PodBuilder, WorkerWithoutAnyAddressIsRefused) {
  auto request = requestFor("ccna_routing.yaml", kCcnaPorts);
  request.worker_public_address.clear();
  request.worker_private_address.clear();
  const auto error = buildError(request);
  EXPECT_EQ(error.where, "worker_address");
  EXPECT_EQ(error.message, "session sess-1: the worker has neither a public nor a private address");
}

TEST(PodBuilder, EmptySessionIdIsRefused) {
  auto request = requestFor("ccna_routing.yaml", kCcnaPorts);
  request.session_id.clear();
  EXPECT_EQ(buildError(request).where, "session_id");
}

TEST(PodBuilder, PodThatBreaksThePublishedSchemaIsNotReturned) {
  auto ports = kCcnaPorts;
  ports["r1/serial:5042"] = 0;  // no worker port is 0; the schema says 1..65535
  const auto error = buildError(requestFor("ccna_routing.yaml", ports));
  EXPECT_EQ(error.where, "/devices/1/interfaces/0/port");
  EXPECT_EQ(error.message,
            "generated Pod does not satisfy config/schemas/pod.schema.json at /devices/1/interfaces/0/port: "
            "violates \"minimum\" of schema /definitions/interface/properties/port");
}

TEST(PodBuilder, SettingsErrorsStopGeneration) {
  const auto error = buildError(
      requestFor("ccna_routing.yaml", kCcnaPorts, R"({"pod_settings": {"serial": {"authentication": {}}}})"));
  EXPECT_EQ(error.where, "pod_settings.serial");
}

}  // namespace
}  // namespace ccm::plugins::pod_generator
