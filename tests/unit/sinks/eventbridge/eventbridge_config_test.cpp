#include <gtest/gtest.h>

#include <fstream>
#include <ostream>
#include <string>

#include "eventbridge_sink_config.hpp"
#include "eventbridge_test_support.hpp"
#include "fakes/eventbridge_fake.hpp"
#include "sink_plugin_checks.hpp"

namespace ccm::sinks::eventbridge {
namespace {

using fakes::AwsAccount;
using testing::ScopedEnv;

const std::string kCredentials =
    R"("credentials":{"access_key_id":"env:CCM_EVENTBRIDGE_TEST_KEY_ID","secret_access_key":"env:CCM_EVENTBRIDGE_TEST_SECRET"})";

class EventBridgeSettings : public testing::EventBridgeFixture {
protected:
  EventBridgeSinkConfig parse(const std::string& json) {
    return parseConfig(sdk::PluginContext{"events-aws", json, "", "", host_});
  }
};

TEST_F(EventBridgeSettings, DefaultsToTheRegionalEndpointAndTheWholeEvent) {
  const auto config = parse(R"({"region":"eu-central-1",)" + kCredentials + "}");
  EXPECT_EQ(config.region, "eu-central-1");
  EXPECT_EQ(config.url, "https://events.eu-central-1.amazonaws.com/");
  EXPECT_EQ(config.host, "events.eu-central-1.amazonaws.com");
  EXPECT_EQ(config.path, "/");
  EXPECT_EQ(config.credentials.access_key_id, AwsAccount{}.access_key_id);
  EXPECT_EQ(config.credentials.secret_access_key, AwsAccount{}.secret_access_key);
  EXPECT_EQ(config.credentials.session_token, "");
  EXPECT_EQ(config.mapping.source, "");
  EXPECT_EQ(config.mapping.detail, DetailSource::Event);
  EXPECT_TRUE(config.mapping.resources_from_subject);
  EXPECT_EQ(config.mapping.event_bus_name, "");
  EXPECT_EQ(config.max_batch_size, 100u);
}

TEST_F(EventBridgeSettings, TakesRegionAndCredentialsFromTheStandardVariables) {
  ScopedEnv region("AWS_REGION", "ap-southeast-2");
  ScopedEnv id("AWS_ACCESS_KEY_ID", "AKIDFROMENV");
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "secret-from-env");
  ScopedEnv token("AWS_SESSION_TOKEN", "token-from-env");
  const auto config = parse("{}");
  EXPECT_EQ(config.region, "ap-southeast-2");
  EXPECT_EQ(config.url, "https://events.ap-southeast-2.amazonaws.com/");
  EXPECT_EQ(config.credentials.access_key_id, "AKIDFROMENV");
  EXPECT_EQ(config.credentials.secret_access_key, "secret-from-env");
  EXPECT_EQ(config.credentials.session_token, "token-from-env");
}

TEST_F(EventBridgeSettings, AVpcEndpointKeepsItsHostAndPath) {
  const auto config = parse(
      R"({"region":"eu-west-1","endpoint":"https://vpce-0a1b.events.eu-west-1.vpce.amazonaws.com:8443/events",)" +
      kCredentials + R"(,"event_bus_name":"lab-bus","source":"com.example.labs","detail":"data","resources":"none"})");
  EXPECT_EQ(config.host, "vpce-0a1b.events.eu-west-1.vpce.amazonaws.com:8443");
  EXPECT_EQ(config.path, "/events");
  EXPECT_EQ(config.mapping.event_bus_name, "lab-bus");
  EXPECT_EQ(config.mapping.source, "com.example.labs");
  EXPECT_EQ(config.mapping.detail, DetailSource::Data);
  EXPECT_FALSE(config.mapping.resources_from_subject);
}

struct BadConfig {
  std::string config;
  std::string error;  // after "eventbridge sink config "
};

void PrintTo(const BadConfig& bad, std::ostream* out) {
  *out << bad.config;
}

class EventBridgeSettingErrors : public EventBridgeSettings, public ::testing::WithParamInterface<BadConfig> {};

TEST_P(EventBridgeSettingErrors, NameTheField) {
  EXPECT_EQ(constructError(GetParam().config), "eventbridge sink config " + GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, EventBridgeSettingErrors,
    ::testing::Values(
        BadConfig{"{" + kCredentials + "}", R"("region": is required when AWS_REGION is not set)"},
        BadConfig{R"({"region":"EU West",)" + kCredentials + "}",
                  R"("region": must be an AWS region name such as "eu-west-1", got "EU West")"},
        BadConfig{R"({"region":"eu-west-1","colour":"blue"})", R"("colour": is not a known setting)"},
        BadConfig{R"({"region":"eu-west-1"})",
                  R"("credentials": is required when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set)"},
        BadConfig{R"({"region":"eu-west-1","credentials":{"access_key_id":"env:CCM_EVENTBRIDGE_TEST_KEY_ID"}})",
                  R"("credentials.secret_access_key": is required in "credentials")"},
        BadConfig{R"({"region":"eu-west-1","credentials":{"secret_access_key":"env:CCM_EVENTBRIDGE_TEST_SECRET"}})",
                  R"("credentials.access_key_id": is required in "credentials")"},
        BadConfig{R"({"region":"eu-west-1","credentials":{"access_key_id":"AKID","secret_access_key":"env:X"}})",
                  R"("credentials.access_key_id": secret "AKID": expected "env:NAME" or "file:/path")"},
        BadConfig{
            R"({"region":"eu-west-1","credentials":{"access_key_id":"env:CCM_EVENTBRIDGE_TEST_KEY_ID","secret_access_key":"env:CCM_EVENTBRIDGE_UNSET"}})",
            R"("credentials.secret_access_key": secret "env:CCM_EVENTBRIDGE_UNSET": environment variable CCM_EVENTBRIDGE_UNSET is not set)"},
        BadConfig{
            R"({"region":"eu-west-1","credentials":{"access_key_id":"env:CCM_EVENTBRIDGE_TEST_KEY_ID","secret_access_key":"env:CCM_EVENTBRIDGE_TEST_SECRET","role":"x"}})",
            R"("credentials.role": is not a known setting)"},
        BadConfig{
            R"({"region":"eu-west-1","endpoint":"events.eu-west-1.amazonaws.com",)" + kCredentials + "}",
            R"("endpoint": must be an http:// or https:// URL with a host, got "events.eu-west-1.amazonaws.com")"},
        BadConfig{
            R"({"region":"eu-west-1","endpoint":"https://x.example/?a=b",)" + kCredentials + "}",
            R"("endpoint": must have a path of letters, digits, '/', '-', '.', '_' or '~' and no query, got "https://x.example/?a=b")"},
        BadConfig{R"({"region":"eu-west-1","detail":"payload",)" + kCredentials + "}",
                  R"("detail": must be "event" or "data")"},
        BadConfig{R"({"region":"eu-west-1","resources":"id",)" + kCredentials + "}",
                  R"("resources": must be "subject" or "none")"},
        BadConfig{R"({"region":"eu-west-1","source":"",)" + kCredentials + "}",
                  R"("source": must be a non-empty string)"},
        BadConfig{R"({"region":"eu-west-1","max_connections":-1,)" + kCredentials + "}",
                  R"("max_connections": must be an integer from 0 to 1024)"}));

TEST_F(EventBridgeSettings, ABadRegionFromTheEnvironmentNamesTheVariable) {
  ScopedEnv region("AWS_REGION", "Frankfurt");
  EXPECT_EQ(constructError("{" + kCredentials + "}"),
            R"(eventbridge sink config AWS_REGION: must be an AWS region name such as "eu-west-1", got "Frankfurt")");
}

TEST_F(EventBridgeSettings, AReloadSignsWithRotatedCredentials) {
  testing::TempDir dir;
  const std::string id_file = dir.file("access-key-id");
  const std::string secret_file = dir.file("secret-access-key");
  std::ofstream(id_file) << "AKIDOLD\n";
  std::ofstream(secret_file) << "old-secret\n";
  fakes::EventBridgeFake fake(AwsAccount{.access_key_id = "AKIDOLD", .secret_access_key = "old-secret"});
  const std::string config = R"({"region":"eu-west-1","endpoint":")" + fake.endpoint() +
                             R"(","credentials":{"access_key_id":"file:)" + id_file +
                             R"(","secret_access_key":"file:)" + secret_file + "\"}}";
  auto before = makeSink(config);
  EXPECT_EQ(before->deliver(testing::makeEvents(1)).at(0).kind, sdk::Outcome::Kind::Delivered);

  // IAM rotates the key; the files get the new one; a reload builds a new sink.
  fake.setAccount(AwsAccount{.access_key_id = "AKIDNEW", .secret_access_key = "new-secret"});
  std::ofstream(id_file) << "AKIDNEW\n";
  std::ofstream(secret_file) << "new-secret\n";
  EXPECT_EQ(before->deliver(testing::makeEvents(1)).at(0).kind, sdk::Outcome::Kind::Permanent);
  EXPECT_EQ(makeSink(config)->deliver(testing::makeEvents(1)).at(0).kind, sdk::Outcome::Kind::Delivered);
}

TEST(EventBridgeSchema, AcceptsDocumentedConfigsAndRejectsWhatTheSinkRejects) {
  const std::string schema = ccm::testing::sinkSchema("eventbridge");
  const auto accepts = [&](const std::string& config) { return ccm::testing::schemaAccepts(schema, config); };
  EXPECT_TRUE(accepts("{}"));
  EXPECT_TRUE(
      accepts(R"({"region":"eu-west-1","endpoint":"https://vpce-1.events.eu-west-1.vpce.amazonaws.com/",)"
              R"("event_bus_name":"lab-bus","credentials":{"access_key_id":"env:A","secret_access_key":"file:/s",)"
              R"("session_token":"env:T"},"source":"com.example.labs","detail":"data","resources":"none",)"
              R"("max_batch_size":10,"connect_timeout_ms":1000,"timeout_ms":2000,"max_connections":2})"));
  EXPECT_FALSE(accepts(R"({"region":"EU"})"));
  EXPECT_FALSE(accepts(R"({"endpoint":"https://x/?a=b"})"));
  EXPECT_FALSE(accepts(R"({"credentials":{"access_key_id":"env:A"}})"));
  EXPECT_FALSE(accepts(R"({"credentials":{"access_key_id":"AKID","secret_access_key":"env:S"}})"));
  EXPECT_FALSE(accepts(R"({"detail":"payload"})"));
  EXPECT_FALSE(accepts(R"({"resources":"id"})"));
  EXPECT_FALSE(accepts(R"({"colour":"blue"})"));
}

TEST(EventBridgeSchema, TheAwsExampleDiffersFromTheDefaultConfigOnlyInItsSinks) {
  ccm::testing::expectExampleDiffersOnlyInSinks("aws", "eventbridge", ccm::testing::sinkSchema("eventbridge"));
}

TEST(EventBridgeModule, ExportsTheDescriptorAndCreatesAWorkingSink) {
  const ccm::testing::LoadedPlugin plugin("sink-eventbridge");
  EXPECT_EQ(plugin.abiVersion(), sdk::kAbiVersion);
  const sdk::PluginDescriptor& descriptor = plugin.descriptor();
  EXPECT_STREQ(descriptor.name, "eventbridge");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::Sink);
  EXPECT_STREQ(descriptor.version, "0.1.0");
  EXPECT_EQ(descriptor.config_schema, ccm::testing::sinkSchema("eventbridge"));
  ASSERT_NE(descriptor.create_sink, nullptr);
  {
    ScopedEnv id(testing::kKeyIdVariable, AwsAccount{}.access_key_id);
    ScopedEnv secret(testing::kSecretVariable, AwsAccount{}.secret_access_key);
    fakes::EventBridgeFake fake;
    sdk::testing::FakeHost host;
    host.http_client_factory = [](const sdk::HttpClientOptions& options) {
      return std::make_unique<core::PooledHttpClient>(options);
    };
    auto created = descriptor.create_sink(sdk::PluginContext{"events-aws", testing::configFor(fake), "", "", host});
    ASSERT_NE(created.object, nullptr) << created.error;
    const auto outcomes = created.object->deliver(testing::makeEvents(2));
    ASSERT_EQ(outcomes.size(), 2u);
    for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, sdk::Outcome::Kind::Delivered) << outcome.message;
    EXPECT_EQ(descriptor.create_sink(sdk::PluginContext{"bad", R"({"region":"x y"})", "", "", host}).error,
              R"(eventbridge sink config "region": must be an AWS region name such as "eu-west-1", got "x y")");
  }
}

}  // namespace
}  // namespace ccm::sinks::eventbridge
