#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "ccm/sdk/plugin.hpp"
#include "pubsub_sink_config.hpp"
#include "pubsub_test_support.hpp"
#include "sink_plugin_checks.hpp"

namespace ccm::sinks::pubsub {
namespace {

using testing::ScopedEnv;

class PubSubSettings : public testing::PubSubFixture {
protected:
  PubSubSinkConfig parse(const std::string& json) {
    return parseConfig(sdk::PluginContext{"events-pubsub", json, "", "", host_});
  }
};

TEST_F(PubSubSettings, DefaultsMatchTheSchema) {
  const PubSubSinkConfig config =
      parse(R"({"project":"ccm-labs","topic":"lab-events","credentials":{"type":"service_account","key":"env:)" +
            std::string(testing::kKeyVariable) + "\"}}");
  EXPECT_EQ(config.publish_url, "https://pubsub.googleapis.com/v1/projects/ccm-labs/topics/lab-events:publish");
  EXPECT_EQ(config.mapping.mode, ContentMode::Binary);
  EXPECT_FALSE(config.mapping.ordering);
  ASSERT_TRUE(config.credentials.has_value());
  ASSERT_TRUE(config.credentials->key.has_value());
  EXPECT_EQ(config.credentials->key->client_email, "ccm-gateway@ccm-labs.iam.gserviceaccount.com");
  EXPECT_EQ(config.credentials->key->token_uri, fake_.tokenUri());
  EXPECT_EQ(config.client.connect_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(config.client.read_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(config.client.max_idle_connections, 8u);
  EXPECT_EQ(config.max_batch_size, 100u);
}

TEST_F(PubSubSettings, ALocationalEndpointAndATopicNeedingEscapesMakeThePublishUrl) {
  const PubSubSinkConfig config = parse(
      R"({"project":"example.com:ccm-labs","topic":"lab+events","endpoint":"https://europe-west1-pubsub.googleapis.com/",)"
      R"("credentials":{"type":"metadata_server"}})");
  EXPECT_EQ(
      config.publish_url,
      "https://europe-west1-pubsub.googleapis.com/v1/projects/example.com%3Accm-labs/topics/lab%2Bevents:publish");
  EXPECT_EQ(config.credentials->metadata_url,
            "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token");
}

TEST_F(PubSubSettings, TheEmulatorVariableReplacesEndpointAndCredentials) {
  ScopedEnv emulator("PUBSUB_EMULATOR_HOST", "localhost:8085");
  const PubSubSinkConfig config = parse(R"({"project":"ccm-labs","topic":"lab-events"})");
  EXPECT_EQ(config.publish_url, "http://localhost:8085/v1/projects/ccm-labs/topics/lab-events:publish");
  EXPECT_FALSE(config.credentials.has_value());
}

struct BadConfig {
  std::string config;  // members after project and topic
  std::string error;   // what construction reports, after "pubsub sink config "
};

void PrintTo(const BadConfig& bad, std::ostream* out) {
  *out << bad.config;
}

class PubSubSettingErrors : public testing::PubSubFixture, public ::testing::WithParamInterface<BadConfig> {};

TEST_P(PubSubSettingErrors, NameTheKey) {
  ScopedEnv not_a_key("CCM_PUBSUB_TEST_NOT_A_KEY", R"({"type":"authorized_user","client_id":"x"})");
  const std::string json = R"({"project":"ccm-labs","topic":"lab-events")" +
                           (GetParam().config.empty() ? "" : "," + GetParam().config) + "}";
  EXPECT_EQ(constructError(json), "pubsub sink config " + GetParam().error) << json;
}

INSTANTIATE_TEST_SUITE_P(
    Keys, PubSubSettingErrors,
    ::testing::Values(
        BadConfig{R"("colour":"blue")", R"("colour": is not a known setting)"},
        BadConfig{R"("mode":"batch")", R"("mode": must be "binary" or "structured")"},
        BadConfig{R"("ordering":"yes")", R"("ordering": must be true or false)"},
        BadConfig{R"("endpoint":"pubsub.googleapis.com")",
                  R"("endpoint": must be an http:// or https:// URL with a host, got "pubsub.googleapis.com")"},
        BadConfig{R"("endpoint":"https://pubsub.googleapis.com/?alt=json")", R"("endpoint": must not have a query)"},
        BadConfig{R"("credentials":{})", R"("credentials.type": is required: "service_account" or "metadata_server")"},
        BadConfig{R"("credentials":{"type":"api_key"})",
                  R"("credentials.type": must be "service_account" or "metadata_server")"},
        BadConfig{R"("credentials":{"type":"service_account"})",
                  R"("credentials.key": is required for type "service_account")"},
        BadConfig{R"("credentials":{"type":"metadata_server","key":"env:X"})",
                  R"("credentials.key": is not a known setting)"},
        BadConfig{
            R"("credentials":{"type":"service_account","key":"env:CCM_PUBSUB_TEST_UNSET"})",
            R"("credentials.key": secret "env:CCM_PUBSUB_TEST_UNSET": environment variable CCM_PUBSUB_TEST_UNSET is not set)"},
        BadConfig{
            R"("credentials":{"type":"service_account","key":"env:CCM_PUBSUB_TEST_NOT_A_KEY"})",
            R"("credentials.key": the key file's "type" is "authorized_user"; the sink needs a service account key ("type": "service_account"))"},
        BadConfig{R"("max_batch_size":0)", R"("max_batch_size": must be an integer from 1 to 100000)"}));

TEST_F(PubSubSettings, ProjectAndTopicAreRequiredAndChecked) {
  EXPECT_EQ(constructError(R"({"topic":"lab-events"})"), R"(pubsub sink config "project": is required)");
  EXPECT_EQ(constructError(R"({"project":"ccm-labs"})"), R"(pubsub sink config "topic": is required)");
  EXPECT_EQ(constructError(R"({"project":"CCM Labs","topic":"lab-events"})"),
            R"(pubsub sink config "project": must be a Google Cloud project ID such as "ccm-labs", got "CCM Labs")");
  const std::string topic_rule =
      R"(pubsub sink config "topic": must be a topic ID: 3 to 255 letters, digits, '-', '_', '.', '~', '+' or '%', )"
      R"(starting with a letter and not with "goog")";
  EXPECT_EQ(constructError(R"({"project":"ccm-labs","topic":"lab/events"})"), topic_rule);
  EXPECT_EQ(constructError(R"({"project":"ccm-labs","topic":"google-events"})"), topic_rule);
  EXPECT_EQ(constructError(R"({"project":"ccm-labs","topic":"1-events"})"), topic_rule);
}

TEST_F(PubSubSettings, AKeyThatIsNotJsonOrHasNoPrivateKeyIsRefused) {
  ScopedEnv garbage(testing::kKeyVariable, "-----BEGIN PRIVATE KEY-----");
  EXPECT_EQ(constructError(config()), R"(pubsub sink config "credentials.key": is not a JSON key file)");
  ScopedEnv no_key(testing::kKeyVariable, R"({"type":"service_account","client_email":"a@b","private_key":"x"})");
  EXPECT_EQ(constructError(config()),
            R"(pubsub sink config "credentials.key": the key file's "private_key" is not a PEM RSA private key)");
}

TEST_F(PubSubSettings, EnvironmentVariablesAreNamedWhenWrong) {
  {
    ScopedEnv emulator("PUBSUB_EMULATOR_HOST", "http://localhost:8085/");
    EXPECT_EQ(constructError(config()),
              R"(pubsub sink config PUBSUB_EMULATOR_HOST: must be a host and port such as "localhost:8085", got )"
              R"("http://localhost:8085/")");
  }
  {
    ScopedEnv metadata("GCE_METADATA_HOST", "metadata host");
    EXPECT_EQ(constructError(configWith(R"({"type":"metadata_server"})")),
              R"(pubsub sink config GCE_METADATA_HOST: must be a host and optional port such as "127.0.0.1:8080", )"
              R"(got "metadata host")");
  }
  {
    ScopedEnv key_file("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/key.json");
    EXPECT_TRUE(constructError(configWith("")).starts_with("pubsub sink config GOOGLE_APPLICATION_CREDENTIALS: "))
        << constructError(configWith(""));
  }
}

TEST(PubSubSchema, AcceptsWhatTheSinkReadsAndRefusesTheRest) {
  const std::string schema = ccm::testing::sinkSchema("pubsub");
  const auto accepts = [&](const std::string& config) { return ccm::testing::schemaAccepts(schema, config); };
  EXPECT_TRUE(accepts(R"({"project":"p","topic":"lab-events"})"));
  EXPECT_TRUE(accepts(
      R"({"project":"p","topic":"lab-events","endpoint":"https://europe-west1-pubsub.googleapis.com","ordering":true,)"
      R"("mode":"structured","credentials":{"type":"service_account","key":"file:/k.json"},"max_batch_size":5,)"
      R"("connect_timeout_ms":100,"timeout_ms":200,"max_connections":0})"));
  EXPECT_TRUE(accepts(R"({"project":"p","topic":"lab-events","credentials":{"type":"metadata_server"}})"));
  EXPECT_FALSE(accepts(R"({"topic":"lab-events"})"));
  EXPECT_FALSE(accepts(R"({"project":"p"})"));
  EXPECT_FALSE(accepts(R"({"project":"p","topic":"lab-events","mode":"batch"})"));
  EXPECT_FALSE(accepts(R"({"project":"p","topic":"lab-events","credentials":{"type":"service_account","key":"{}"}})"));
  EXPECT_FALSE(accepts(R"({"project":"p","topic":"lab-events","credentials":{"key":"file:/k"}})"));
  EXPECT_FALSE(accepts(R"({"project":"p","topic":"lab-events","endpoint":"https://x/?q=1"})"));
  EXPECT_FALSE(accepts(R"({"project":"p","topic":"lab-events","colour":"blue"})"));
}

TEST(PubSubSchema, ThePubSubExampleDiffersFromTheDefaultConfigOnlyInItsSinks) {
  ccm::testing::expectExampleDiffersOnlyInSinks("pubsub", "pubsub", ccm::testing::sinkSchema("pubsub"));
}

class PubSubModule : public testing::PubSubFixture {};

TEST_F(PubSubModule, ExportsTheDescriptorAndCreatesAWorkingSink) {
  const ccm::testing::LoadedPlugin plugin("sink-pubsub");
  EXPECT_EQ(plugin.abiVersion(), sdk::kAbiVersion);
  const sdk::PluginDescriptor& descriptor = plugin.descriptor();
  EXPECT_STREQ(descriptor.name, "pubsub");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::Sink);
  EXPECT_STREQ(descriptor.version, "0.1.0");
  EXPECT_EQ(descriptor.config_schema, ccm::testing::sinkSchema("pubsub"));
  ASSERT_NE(descriptor.create_sink, nullptr);
  {
    auto created = descriptor.create_sink(sdk::PluginContext{"events-pubsub", config(), "", "", host_});
    ASSERT_NE(created.object, nullptr) << created.error;
    expectAllDelivered(created.object->deliver(testing::makeEvents(2)), 2);
    EXPECT_EQ(descriptor.create_sink(sdk::PluginContext{"bad", R"({"project":"p","topic":"t"})", "", "", host_}).error,
              R"(pubsub sink config "topic": must be a topic ID: 3 to 255 letters, digits, '-', '_', '.', '~', '+' )"
              R"(or '%', starting with a letter and not with "goog")");
  }
  EXPECT_EQ(fake_.published().size(), 2u);
}

}  // namespace
}  // namespace ccm::sinks::pubsub
