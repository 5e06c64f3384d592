#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "config/json_schema.hpp"
#include "plugin/plugin_library.hpp"
#include "pod_generator.hpp"
#include "pod_generator_test_support.hpp"

namespace ccm::plugins::pod_generator {
namespace {

using testing::readSourceFile;

std::string configError(const std::string& config_json) {
  try {
    parseConfig(config_json);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "config accepted: " << config_json;
  return {};
}

TEST(PodGeneratorConfig, DefaultsToCollectorCcmAndHostnameFromLabel) {
  for (const std::string json : {"", "{}"}) {
    const auto config = parseConfig(json);
    EXPECT_EQ(config.collector, "ccm");
    EXPECT_EQ(config.hostname_from, HostnameSource::Label);
  }
}

TEST(PodGeneratorConfig, ReadsEveryKey) {
  const auto config = parseConfig(R"({"collector": "netconf", "hostname_from": "configuration"})");
  EXPECT_EQ(config.collector, "netconf");
  EXPECT_EQ(config.hostname_from, HostnameSource::Configuration);
}

TEST(PodGeneratorConfig, RefusesUnknownKeysAndBadValuesNamingTheKey) {
  EXPECT_EQ(configError(R"({"colector": "ccm"})"),
            "pod-generator config \"colector\": is not a known setting (expected \"collector\" or \"hostname_from\")");
  EXPECT_EQ(configError(R"({"collector": ""})"), "pod-generator config \"collector\": must be a non-empty string");
  EXPECT_EQ(configError(R"({"hostname_from": "id"})"),
            "pod-generator config \"hostname_from\": must be \"label\" or \"configuration\"");
  EXPECT_EQ(configError("[]"), "pod-generator config: must be a JSON object");
}

TEST(PodGeneratorConfig, SchemaAcceptsWhatTheParserAcceptsAndRefusesUnknownKeys) {
  auto schema = core::JsonSchema::compile(readSourceFile("plugins/pod-generator/schema.json"), "pod-generator");
  ASSERT_TRUE(schema) << schema.error().message;
  auto check = [&](const std::string& json) {
    rapidjson::Document document;
    document.Parse(json.c_str());
    return schema.value()->validate(document);
  };
  EXPECT_EQ(check(R"({"collector": "netconf", "hostname_from": "configuration"})"), std::nullopt);
  const auto error = check(R"({"hostname": "label"})");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message, "/hostname: unknown property \"hostname\" (allowed: \"collector\", \"hostname_from\")");
}

TEST(PodSchema, PublishedSchemaCompilesAndAcceptsAGeneratedPod) {
  auto schema = core::JsonSchema::compile(readSourceFile("config/schemas/pod.schema.json"), "pod.schema.json");
  ASSERT_TRUE(schema) << schema.error().message;
  rapidjson::Document pod;
  pod.Parse(R"({"id": "s", "devices": [{"label": "r1", "hostname": "r1", "collector": "ccm", "interfaces": [
    {"name": "serial:1", "protocol": "console", "host": "h", "port": 5000, "authentication": {}, "configuration": {}}]}]})");
  EXPECT_EQ(schema.value()->validate(pod), std::nullopt);
}

TEST(PodGeneratorModule, LoadsThroughTheGatewayLoaderAndGeneratesAPod) {
  auto library = core::PluginLibrary::open(std::string(CCM_BINARY_DIR) + "/plugins/libccm-pod-generator.so");
  ASSERT_TRUE(library) << library.error().message;
  const sdk::PluginDescriptor& descriptor = library.value()->descriptor();
  EXPECT_STREQ(descriptor.name, "pod-generator");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::PodGenerator);
  EXPECT_STREQ(descriptor.version, "0.1.0");
  EXPECT_EQ(descriptor.config_schema, readSourceFile("plugins/pod-generator/schema.json"));
  ASSERT_NE(descriptor.create_pod_generator, nullptr);

  sdk::testing::FakeHost host;
  auto created = descriptor.create_pod_generator(sdk::PluginContext{"pods", R"({"collector": "ccm"})", "", "", host});
  ASSERT_NE(created.object, nullptr) << created.error;
  auto pod = created.object->generate(testing::requestFor("ccna_routing.yaml", {{"sw1/serial:5041", 5000}}));
  ASSERT_FALSE(pod);  // r1's annotation has no port: an Error value, not an exception
  EXPECT_EQ(pod.error().where, "allocated_ports[\"r1/serial:5042\"]");

  EXPECT_EQ(descriptor.create_pod_generator(sdk::PluginContext{"pods", R"({"x": 1})", "", "", host}).error,
            "pod-generator config \"x\": is not a known setting (expected \"collector\" or \"hostname_from\")");
}

}  // namespace
}  // namespace ccm::plugins::pod_generator
