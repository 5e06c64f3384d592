#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "eventgrid_sink_config.hpp"
#include "eventgrid_test_support.hpp"
#include "fakes/event_grid_fake.hpp"
#include "sink_plugin_checks.hpp"

namespace ccm::sinks::eventgrid {
namespace {

using testing::kKeyVariable;
using testing::ScopedEnv;

const std::string kEndpoint = R"("endpoint":"https://lab-events.westeurope-1.eventgrid.azure.net")";
const std::string kAccessKey = R"("auth":{"type":"access_key","key":"env:CCM_EVENTGRID_TEST_KEY"})";

class EventGridSettings : public testing::EventGridFixture {
protected:
  EventGridSinkConfig parse(const std::string& json) {
    return parseConfig(sdk::PluginContext{"events-azure", json, "", "", host_});
  }

  ScopedEnv key_{kKeyVariable, fakes::EventGridTopic{}.access_key};
};

TEST_F(EventGridSettings, ACustomTopicPublishesToApiEventsWithTheDefaults) {
  const auto config = parse("{" + kEndpoint + "," + kAccessKey + "}");
  EXPECT_EQ(config.topic_type, TopicType::Custom);
  EXPECT_EQ(config.publish_url,
            "https://lab-events.westeurope-1.eventgrid.azure.net/api/events?api-version=2018-01-01");
  EXPECT_EQ(config.resource, "https://lab-events.westeurope-1.eventgrid.azure.net/api/events");
  EXPECT_EQ(config.auth, AuthType::AccessKey);
  EXPECT_EQ(config.key, fakes::EventGridTopic{}.access_key);
  EXPECT_EQ(config.max_batch_size, 100u);
  EXPECT_EQ(config.client.connect_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(config.client.read_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(config.client.max_idle_connections, 8u);
}

TEST_F(EventGridSettings, ANamespaceTopicPublishesWithThePublishAction) {
  const auto config =
      parse(R"({"topic_type":"namespace","endpoint":"https://lab-ns.westeurope-1.eventgrid.azure.net/",)"
            R"("topic":"lab-events",)" +
            kAccessKey + "}");
  EXPECT_EQ(config.publish_url,
            "https://lab-ns.westeurope-1.eventgrid.azure.net/topics/lab-events:publish?api-version=2023-11-01");
  EXPECT_EQ(config.resource, "https://lab-ns.westeurope-1.eventgrid.azure.net/topics/lab-events");
}

TEST_F(EventGridSettings, EntraUsesTheTenantsTokenEndpointAndEventGridsScope) {
  ScopedEnv secret("CCM_EVENTGRID_TEST_SECRET", "s");
  const auto config = parse("{" + kEndpoint +
                            R"(,"auth":{"type":"entra","tenant_id":"contoso.onmicrosoft.com","client_id":"app",)"
                            R"("client_secret":"env:CCM_EVENTGRID_TEST_SECRET"}})");
  EXPECT_EQ(config.auth, AuthType::Entra);
  EXPECT_EQ(config.entra.token_url, "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
  EXPECT_EQ(config.entra.scope, "https://eventgrid.azure.net/.default");
  EXPECT_EQ(config.entra.client_id, "app");
  EXPECT_EQ(config.entra.client_secret, "s");
}

TEST_F(EventGridSettings, ASasTokenLivesAnHourUnlessConfigured) {
  EXPECT_EQ(parse("{" + kEndpoint + R"(,"auth":{"type":"sas","key":"env:CCM_EVENTGRID_TEST_KEY"}})").sas_lifetime,
            std::chrono::seconds(3600));
  EXPECT_EQ(
      parse("{" + kEndpoint + R"(,"auth":{"type":"sas","key":"env:CCM_EVENTGRID_TEST_KEY","token_ttl_seconds":900}})")
          .sas_lifetime,
      std::chrono::seconds(900));
}

struct BadConfig {
  std::string config;
  std::string error;  // after "eventgrid sink config "
};

void PrintTo(const BadConfig& bad, std::ostream* out) {
  *out << bad.config;
}

class EventGridSettingErrors : public EventGridSettings, public ::testing::WithParamInterface<BadConfig> {};

TEST_P(EventGridSettingErrors, NameTheField) {
  EXPECT_EQ(constructError(GetParam().config), "eventgrid sink config " + GetParam().error);
}

const std::string kNs = R"("topic_type":"namespace",)";
const std::string kEntra = R"("auth":{"type":"entra",)";

INSTANTIATE_TEST_SUITE_P(
    Fields, EventGridSettingErrors,
    ::testing::Values(
        BadConfig{"{" + kAccessKey + "}", R"("endpoint": is required)"},
        BadConfig{"{" + kEndpoint + "," + kAccessKey + R"(,"colour":"blue"})", R"("colour": is not a known setting)"},
        BadConfig{R"({"endpoint":"ftp://x",)" + kAccessKey + "}",
                  R"("endpoint": must be an http:// or https:// URL with a host, got "ftp://x")"},
        BadConfig{R"({"endpoint":"https://x/api/events?api-version=1",)" + kAccessKey + "}",
                  R"("endpoint": must not have a query or fragment (the sink adds api-version))"},
        BadConfig{R"({"topic_type":"queue",)" + kEndpoint + "," + kAccessKey + "}",
                  R"("topic_type": must be "custom" or "namespace")"},
        BadConfig{"{" + kNs + kEndpoint + "," + kAccessKey + "}", R"("topic": is required for topic_type "namespace")"},
        BadConfig{"{" + kNs + kEndpoint + R"(,"topic":"a/b",)" + kAccessKey + "}",
                  R"("topic": must be 3 to 50 letters, digits or '-')"},
        BadConfig{"{" + kEndpoint + R"(,"topic":"orders",)" + kAccessKey + "}",
                  R"("topic": only applies to topic_type "namespace" (a custom topic is its endpoint))"},
        BadConfig{"{" + kEndpoint + R"(,"api_version":"1&x=y",)" + kAccessKey + "}",
                  R"("api_version": must look like "2023-11-01")"},
        BadConfig{"{" + kEndpoint + "}", R"("auth": is required: type "access_key", "sas" or "entra")"},
        BadConfig{"{" + kEndpoint + R"(,"auth":"key"})", R"("auth": must be an object)"},
        BadConfig{"{" + kEndpoint + R"(,"auth":{"type":"basic"}})",
                  R"("auth.type": must be "access_key", "sas" or "entra")"},
        BadConfig{"{" + kEndpoint + R"(,"auth":{"type":"access_key"}})",
                  R"("auth.key": is required for auth type "access_key")"},
        BadConfig{"{" + kEndpoint +
                      R"(,"auth":{"type":"access_key","key":"env:CCM_EVENTGRID_TEST_KEY","token_ttl_seconds":900}})",
                  R"("auth.token_ttl_seconds": is not a known setting)"},
        BadConfig{
            "{" + kEndpoint + R"(,"auth":{"type":"access_key","key":"env:CCM_EVENTGRID_UNSET"}})",
            R"("auth.key": secret "env:CCM_EVENTGRID_UNSET": environment variable CCM_EVENTGRID_UNSET is not set)"},
        BadConfig{"{" + kEndpoint + R"(,"auth":{"type":"access_key","key":"plain-text"}})",
                  R"("auth.key": secret "plain-text": expected "env:NAME" or "file:/path")"},
        BadConfig{
            "{" + kEndpoint + R"(,"auth":{"type":"sas","key":"env:CCM_EVENTGRID_TEST_KEY","token_ttl_seconds":60}})",
            R"("auth.token_ttl_seconds": must be an integer from 600 to 604800)"},
        BadConfig{"{" + kEndpoint + "," + kEntra + R"("client_id":"a","client_secret":"env:CCM_EVENTGRID_TEST_KEY"}})",
                  R"("auth.tenant_id": is required for auth type "entra" unless auth.token_url is set)"},
        BadConfig{
            "{" + kEndpoint + "," + kEntra +
                R"("tenant_id":"t","token_url":"https://login.example/t","client_id":"a","client_secret":"env:CCM_EVENTGRID_TEST_KEY"}})",
            R"("auth.token_url": conflicts with auth.tenant_id; set only one)"},
        BadConfig{"{" + kEndpoint + "," + kEntra +
                      R"("tenant_id":"a/b","client_id":"a","client_secret":"env:CCM_EVENTGRID_TEST_KEY"}})",
                  R"("auth.tenant_id": must be a tenant GUID or domain name)"},
        BadConfig{"{" + kEndpoint + "," + kEntra + R"("tenant_id":"t","client_secret":"env:CCM_EVENTGRID_TEST_KEY"}})",
                  R"("auth.client_id": is required for auth type "entra")"},
        BadConfig{"{" + kEndpoint + "," + kEntra + R"("tenant_id":"t","client_id":"a"}})",
                  R"("auth.client_secret": is required for auth type "entra")"},
        BadConfig{"{" + kEndpoint + "," + kEntra +
                      R"("tenant_id":"t","client_id":"a","client_secret":"env:CCM_EVENTGRID_TEST_KEY","key":"env:X"}})",
                  R"("auth.key": is not a known setting)"},
        BadConfig{"{" + kEndpoint + "," + kAccessKey + R"(,"max_batch_size":0})",
                  R"("max_batch_size": must be an integer from 1 to 100000)"},
        BadConfig{"{" + kEndpoint + "," + kAccessKey + R"(,"timeout_ms":0})",
                  R"("timeout_ms": must be an integer from 1 to 3600000)"}));

TEST_F(EventGridSettings, AConfigThatIsNotAnObjectIsRefused) {
  EXPECT_EQ(constructError("[]"), "eventgrid sink config: must be a JSON object");
}

TEST_F(EventGridSettings, ASasKeyMustBeBase64AsAzureIssuesIt) {
  ScopedEnv key(kKeyVariable, "not base64!");
  EXPECT_EQ(constructError("{" + kEndpoint + R"(,"auth":{"type":"sas","key":"env:CCM_EVENTGRID_TEST_KEY"}})"),
            R"(eventgrid sink config "auth.key": must be the access key as Azure shows it (base64))");
}

TEST_F(EventGridSettings, AHostWithoutAnHttpClientIsAnError) {
  host_.http_client_factory = nullptr;
  EXPECT_EQ(constructError("{" + kEndpoint + "," + kAccessKey + "}"),
            "eventgrid sink: the host provided no HTTP client");
}

TEST(EventGridSchema, AcceptsDocumentedConfigsAndRejectsWhatTheSinkRejects) {
  const std::string schema = ccm::testing::sinkSchema("eventgrid");
  const auto accepts = [&](const std::string& config) { return ccm::testing::schemaAccepts(schema, config); };
  EXPECT_TRUE(accepts("{" + kEndpoint + "," + kAccessKey + "}"));
  EXPECT_TRUE(
      accepts(R"({"topic_type":"namespace","endpoint":"https://ns.westeurope-1.eventgrid.azure.net",)"
              R"("topic":"lab-events","auth":{"type":"sas","key":"file:/run/secrets/eg","token_ttl_seconds":900},)"
              R"("max_batch_size":50,"connect_timeout_ms":1000,"timeout_ms":2000,"max_connections":0})"));
  EXPECT_TRUE(accepts("{" + kEndpoint + "," + kEntra + R"("tenant_id":"t","client_id":"a","client_secret":"env:S"}})"));
  EXPECT_TRUE(
      accepts("{" + kEndpoint + "," + kEntra +
              R"("token_url":"https://login.example/t","client_id":"a","client_secret":"env:S","scope":"x"}})"));
  EXPECT_FALSE(accepts("{" + kAccessKey + "}"));
  EXPECT_FALSE(accepts("{" + kEndpoint + "}"));
  EXPECT_FALSE(accepts(R"({"endpoint":"https://x/?a=b",)" + kAccessKey + "}"));
  EXPECT_FALSE(accepts("{" + kNs + kEndpoint + "," + kAccessKey + "}"));
  EXPECT_FALSE(accepts("{" + kEndpoint + R"(,"topic":"orders",)" + kAccessKey + "}"));
  EXPECT_FALSE(accepts("{" + kEndpoint + R"(,"auth":{"type":"access_key","key":"plain"}})"));
  EXPECT_FALSE(accepts("{" + kEndpoint + R"(,"auth":{"type":"sas","key":"env:K","token_ttl_seconds":60}})"));
  EXPECT_FALSE(accepts("{" + kEndpoint + "," + kEntra + R"("client_id":"a","client_secret":"env:S"}})"));
  EXPECT_FALSE(accepts("{" + kEndpoint + "," + kEntra +
                       R"("tenant_id":"t","token_url":"https://l/t","client_id":"a","client_secret":"env:S"}})"));
  EXPECT_FALSE(accepts("{" + kEndpoint + "," + kEntra +
                       R"("tenant_id":"t","client_id":"a","client_secret":"env:S","key":"env:K"}})"));
  EXPECT_FALSE(accepts("{" + kEndpoint + "," + kAccessKey + R"(,"colour":"blue"})"));
}

TEST(EventGridSchema, TheAzureExampleDiffersFromTheDefaultConfigOnlyInItsSinks) {
  ccm::testing::expectExampleDiffersOnlyInSinks("azure", "eventgrid", ccm::testing::sinkSchema("eventgrid"));
}

TEST(EventGridModule, ExportsTheDescriptorAndCreatesAWorkingSink) {
  const ccm::testing::LoadedPlugin plugin("sink-eventgrid");
  EXPECT_EQ(plugin.abiVersion(), sdk::kAbiVersion);
  const sdk::PluginDescriptor& descriptor = plugin.descriptor();
  EXPECT_STREQ(descriptor.name, "eventgrid");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::Sink);
  EXPECT_STREQ(descriptor.version, "0.1.0");
  EXPECT_EQ(descriptor.config_schema, ccm::testing::sinkSchema("eventgrid"));
  ASSERT_NE(descriptor.create_sink, nullptr);
  {
    ScopedEnv key(kKeyVariable, fakes::EventGridTopic{}.access_key);
    fakes::EventGridFake fake;
    sdk::testing::FakeHost host;
    host.http_client_factory = [](const sdk::HttpClientOptions& options) {
      return std::make_unique<core::PooledHttpClient>(options);
    };
    const std::string config = testing::configFor(fake, false, testing::accessKeyAuth());
    auto created = descriptor.create_sink(sdk::PluginContext{"events-azure", config, "", "", host});
    ASSERT_NE(created.object, nullptr) << created.error;
    const auto outcomes = created.object->deliver(testing::makeEvents(2));
    ASSERT_EQ(outcomes.size(), 2u);
    for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, sdk::Outcome::Kind::Delivered) << outcome.message;
    EXPECT_EQ(descriptor.create_sink(sdk::PluginContext{"bad", "{}", "", "", host}).error,
              "eventgrid sink config \"endpoint\": is required");
  }
}

}  // namespace
}  // namespace ccm::sinks::eventgrid
