#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>
#include <string>

#include "assessment_client_test_support.hpp"
#include "client_config.hpp"
#include "config/json_schema.hpp"
#include "plugin/plugin_library.hpp"

namespace ccm::plugins::assessment_client {
namespace {

std::string schemaText() {
  std::ifstream in(std::string(CCM_SOURCE_DIR) + "/plugins/assessment-client/schema.json");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class ClientConfig : public testing::AssessmentClientFixture {
protected:
  AssessmentClientConfig parse(const std::string& json) {
    return parseConfig(sdk::PluginContext{"assessment", json, "", "", host_});
  }
  std::string error(const std::string& json) {
    const auto created = sdk::construct<AssessmentPlatformClient, sdk::AssessmentClient>(
        sdk::PluginContext{"assessment", json, "", "", host_});
    EXPECT_EQ(created.object, nullptr);
    return created.error;
  }
  const std::string required_ = std::string(R"("base_url":"http://a","token_url":"http://k/t","client_id":"c",)") +
                                "\"client_secret\":\"env:" + testing::kSecretVariable + "\"";
};

TEST_F(ClientConfig, DefaultsMatchTheSchema) {
  const auto config = parse("{" + required_ + "}");
  EXPECT_EQ(config.base_url, "http://a");
  EXPECT_EQ(config.client_secret, "gateway-secret");
  EXPECT_EQ(config.client_authentication, ClientAuthentication::Basic);
  EXPECT_EQ(config.token_refresh_margin, std::chrono::seconds(30));
  EXPECT_EQ(config.http.connect_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(config.http.read_timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(config.retry.max_attempts, 3);
  EXPECT_EQ(config.retry.initial_backoff, std::chrono::milliseconds(100));
  EXPECT_EQ(config.retry.max_backoff, std::chrono::milliseconds(2000));
  EXPECT_EQ(config.breaker.failure_threshold, 5);
  EXPECT_EQ(config.breaker.open_for, std::chrono::milliseconds(30000));
}

TEST_F(ClientConfig, RefusesWhatItCannotUseNamingTheKey) {
  EXPECT_EQ(error("{}"), "assessment-client config \"base_url\": is required");
  EXPECT_EQ(error("{" + required_ + ",\"retries\":3}"), "assessment-client config \"retries\": is not a known setting");
  EXPECT_EQ(error("{" + required_ + ",\"base_url\":\"ftp://a\"}"),
            "assessment-client config \"base_url\": must be an http:// or https:// URL with a host and no query, got "
            "\"ftp://a\"");
  EXPECT_EQ(error("{" + required_ + ",\"retry\":{\"max_attempts\":0}}"),
            "assessment-client config \"retry.max_attempts\": must be an integer from 1 to 20");
  EXPECT_EQ(error("{" + required_ + ",\"retry\":{\"initial_backoff_ms\":500,\"max_backoff_ms\":100}}"),
            "assessment-client config \"retry.max_backoff_ms\": must not be less than retry.initial_backoff_ms");
  EXPECT_EQ(error("{" + required_ + ",\"circuit_breaker\":{\"cooldown_ms\":1}}"),
            "assessment-client config \"circuit_breaker.cooldown_ms\": is not a known setting");
  EXPECT_EQ(error("{" + required_ + ",\"client_authentication\":\"jwt\"}"),
            "assessment-client config \"client_authentication\": must be \"basic\" or \"form\"");
}

TEST_F(ClientConfig, SecretMustBeAResolvableReference) {
  EXPECT_EQ(error(R"({"base_url":"http://a","token_url":"http://k","client_id":"c","client_secret":"s3cret"})"),
            "assessment-client config \"client_secret\": must be a secret reference, \"env:NAME\" or \"file:/path\"");
  const std::string message =
      error(R"({"base_url":"http://a","token_url":"http://k","client_id":"c","client_secret":"env:CCM_NO_SUCH_VAR"})");
  EXPECT_EQ(message.rfind("assessment-client config \"client_secret\": ", 0), 0u) << message;
  EXPECT_NE(message.find("CCM_NO_SUCH_VAR"), std::string::npos) << message;
}

TEST_F(ClientConfig, HostWithoutHttpClientIsRefused) {
  host_.http_client_factory = nullptr;
  EXPECT_EQ(error("{" + required_ + "}"), "assessment-client: the host provided no HTTP client");
}

TEST_F(ClientConfig, SchemaAcceptsAFullConfigAndRefusesUnknownKeys) {
  auto schema = core::JsonSchema::compile(schemaText(), "assessment-client");
  ASSERT_TRUE(schema) << schema.error().message;
  auto check = [&](const std::string& json) {
    rapidjson::Document document;
    document.Parse(json.c_str());
    return schema.value()->validate(document);
  };
  EXPECT_EQ(check("{" + required_ +
                  R"(,"client_authentication":"form","token_refresh_margin_seconds":60,"connect_timeout_ms":2000,)"
                  R"("timeout_ms":5000,"tls":{"verify":true},"retry":{"max_attempts":5,"initial_backoff_ms":200,)"
                  R"("max_backoff_ms":5000},"circuit_breaker":{"failure_threshold":3,"open_ms":60000}})"),
            std::nullopt);
  ASSERT_NE(check(R"({"base_url":"http://a"})"), std::nullopt);
  const auto unknown = check("{" + required_ + R"(,"retry":{"attempts":2}})");
  ASSERT_NE(unknown, std::nullopt);
  EXPECT_EQ(unknown->where, "/retry/attempts");
}

TEST_F(ClientConfig, ModuleLoadsThroughTheGatewayLoaderAndCallsThePlatform) {
  auto library = core::PluginLibrary::open(std::string(CCM_BINARY_DIR) + "/plugins/libccm-assessment-client.so");
  ASSERT_TRUE(library) << library.error().message;
  const sdk::PluginDescriptor& descriptor = library.value()->descriptor();
  EXPECT_STREQ(descriptor.name, "assessment-client");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::AssessmentClient);
  EXPECT_STREQ(descriptor.version, "0.1.0");
  EXPECT_EQ(descriptor.config_schema, schemaText());
  ASSERT_NE(descriptor.create_assessment_client, nullptr);

  auto created = descriptor.create_assessment_client(sdk::PluginContext{"assessment", configJson(), "", "", host_});
  ASSERT_NE(created.object, nullptr) << created.error;
  auto result = created.object->triggerCollection(collectionRequest());
  EXPECT_TRUE(result) << result.error().message;
  EXPECT_EQ(descriptor.create_assessment_client(sdk::PluginContext{"assessment", "{}", "", "", host_}).error,
            "assessment-client config \"base_url\": is required");
}

}  // namespace
}  // namespace ccm::plugins::assessment_client
