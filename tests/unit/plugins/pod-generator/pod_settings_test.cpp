#include "pod_settings.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ccm::plugins::pod_generator {
namespace {

const std::vector<LabNode> kNodes = {
    {"r1", "", "node n0 \"r1\" (nodes[0], line 2)", {}},
    {"r2", "", "node n1 \"r2\" (nodes[1], line 5)", {}},
};

PodSettings parse(const std::string& definition_json) {
  auto settings = PodSettings::parse(definition_json, kNodes);
  EXPECT_TRUE(settings) << settings.error().message;
  return settings ? std::move(settings.value()) : PodSettings{};
}

sdk::Error parseError(const std::string& definition_json) {
  auto settings = PodSettings::parse(definition_json, kNodes);
  EXPECT_FALSE(settings) << "parsed although it should not";
  return settings ? sdk::Error{} : settings.error();
}

TEST(PodSettings, MoreSpecificLayersReplaceKeysInPlaceAndAppendNewOnes) {
  const auto settings = parse(R"({"pod_settings": {
    "console": {"authentication": {"username": "cisco", "password": "cisco"}, "configuration": {"baud": 9600}},
    "nodes": {"r1": {"authentication": {"password": "node"},
                     "console": {"authentication": {"password": "node-console", "enable": "en"}}}}}})");
  const auto r1 = settings.forInterface("r1", "console");
  EXPECT_EQ(r1.authentication,
            (JsonMembers{{"username", "\"cisco\""}, {"password", "\"node-console\""}, {"enable", "\"en\""}}));
  EXPECT_EQ(r1.configuration, (JsonMembers{{"baud", "9600"}}));
  const auto r2 = settings.forInterface("r2", "console");
  EXPECT_EQ(r2.authentication, (JsonMembers{{"username", "\"cisco\""}, {"password", "\"cisco\""}}));
}

TEST(PodSettings, NodeWideSettingsApplyToEveryProtocolOfThatNode) {
  const auto settings = parse(R"({"pod_settings": {"nodes": {"r2": {"configuration": {"timeout": 30}}}}})");
  EXPECT_EQ(settings.forInterface("r2", "ssh").configuration, (JsonMembers{{"timeout", "30"}}));
  EXPECT_EQ(settings.forInterface("r2", "vnc").configuration, (JsonMembers{{"timeout", "30"}}));
  EXPECT_TRUE(settings.forInterface("r1", "ssh").configuration.empty());
}

TEST(PodSettings, ValuesKeepTheirJsonType) {
  const auto settings = parse(R"({"pod_settings": {"ssh": {"configuration":
    {"port_check": true, "retries": 3, "keys": ["a", "b"], "proxy": null, "opts": {"x": 1.5}}}}})");
  EXPECT_EQ(settings.forInterface("r1", "ssh").configuration, (JsonMembers{{"port_check", "true"},
                                                                           {"retries", "3"},
                                                                           {"keys", "[\"a\",\"b\"]"},
                                                                           {"proxy", "null"},
                                                                           {"opts", "{\"x\":1.5}"}}));
}

TEST(PodSettings, HostnameOverridePerNode) {
  const auto settings = parse(R"({"pod_settings": {"nodes": {"r1": {"hostname": "R1-EDGE"}}}})");
  EXPECT_EQ(settings.hostnameOf("r1"), "R1-EDGE");
  EXPECT_EQ(settings.hostnameOf("r2"), std::nullopt);
}

TEST(PodSettings, EmptyDefinitionAbsentOrNullSettingsMeanNone) {
  for (const std::string definition :
       {"", "{}", R"({"id": "d1"})", R"({"pod_settings": null})", R"({"pod_settings": {}})"}) {
    SCOPED_TRACE(definition);
    const auto interface = parse(definition).forInterface("r1", "console");
    EXPECT_TRUE(interface.authentication.empty());
    EXPECT_TRUE(interface.configuration.empty());
  }
}

TEST(PodSettings, DefinitionThatIsNotJsonIsRefused) {
  const auto error = parseError("{\"pod_settings\": ");
  EXPECT_EQ(error.where, "definition");
  EXPECT_EQ(error.message, "definition is not valid JSON at offset 17: Invalid value.");
}

TEST(PodSettings, PodSettingsThatAreNotAnObjectAreRefused) {
  const auto error = parseError(R"({"pod_settings": "cisco"})");
  EXPECT_EQ(error.where, "pod_settings");
  EXPECT_EQ(error.message, "definition pod_settings: must be an object");
}

TEST(PodSettings, SerialIsRefusedWithTheConsoleHint) {
  const auto error = parseError(R"({"pod_settings": {"serial": {"authentication": {}}}})");
  EXPECT_EQ(error.where, "pod_settings.serial");
  EXPECT_EQ(error.message,
            "definition pod_settings.serial: is not a known key (expected \"console\", \"vnc\", \"ssh\", \"telnet\" "
            "or \"nodes\"); serial: annotations have the Pod protocol \"console\"");
}

TEST(PodSettings, UnknownKeyInAProtocolIsRefused) {
  const auto error = parseError(R"({"pod_settings": {"ssh": {"user": "cisco"}}})");
  EXPECT_EQ(error.where, "pod_settings.ssh.user");
  EXPECT_EQ(error.message,
            "definition pod_settings.ssh.user: is not a known key (expected \"authentication\" or \"configuration\")");
}

TEST(PodSettings, AuthenticationThatIsNotAnObjectIsRefused) {
  const auto error = parseError(R"({"pod_settings": {"nodes": {"r2": {"vnc": {"authentication": "pw"}}}}})");
  EXPECT_EQ(error.where, "pod_settings.nodes.r2.vnc.authentication");
  EXPECT_EQ(error.message, "definition pod_settings.nodes.r2.vnc.authentication: must be an object");
}

TEST(PodSettings, NodeLabelNotInTheLabIsRefused) {
  const auto error = parseError(R"({"pod_settings": {"nodes": {"r3": {"hostname": "R3"}}}})");
  EXPECT_EQ(error.where, "pod_settings.nodes.r3");
  EXPECT_EQ(error.message, "definition pod_settings.nodes.r3: the lab has no node labelled \"r3\"");
}

TEST(PodSettings, UnknownNodeKeyIsRefused) {
  const auto error = parseError(R"({"pod_settings": {"nodes": {"r1": {"collector": "x"}}}})");
  EXPECT_EQ(error.where, "pod_settings.nodes.r1.collector");
  EXPECT_EQ(error.message,
            "definition pod_settings.nodes.r1.collector: is not a known key (expected \"hostname\", "
            "\"authentication\", \"configuration\", \"console\", \"vnc\", \"ssh\" or \"telnet\")");
}

TEST(PodSettings, EmptyHostnameIsRefused) {
  const auto error = parseError(R"({"pod_settings": {"nodes": {"r1": {"hostname": ""}}}})");
  EXPECT_EQ(error.where, "pod_settings.nodes.r1.hostname");
  EXPECT_EQ(error.message, "definition pod_settings.nodes.r1.hostname: must be a non-empty string");
}

}  // namespace
}  // namespace ccm::plugins::pod_generator
