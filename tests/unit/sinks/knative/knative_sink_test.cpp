#include "knative_sink.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <ostream>
#include <string>

#include "ccm/sdk/codec.hpp"
#include "fakes/cloudevents_receiver.hpp"
#include "http_sink_test_support.hpp"
#include "sink_plugin_checks.hpp"

namespace ccm::sinks::knative {
namespace {

using namespace std::chrono_literals;
using fakes::CloudEventsReceiver;
using fakes::Reply;
using http::testing::ScopedEnv;
using sdk::Outcome;

sdk::CloudEvent makeEvent(int n) {
  sdk::CloudEvent event;
  event.id = "evt-" + std::to_string(n);
  event.source = "urn:ccm-gateway:lab-7";
  event.type = "ccm.lablet.session.graded";
  event.datacontenttype = "application/json";
  event.extensions = {{"tenant", std::string("from-event")}};
  event.data = sdk::Data::json("{\"score\":" + std::to_string(n) + "}");
  return event;
}

std::vector<sdk::CloudEvent> makeEvents(int count) {
  std::vector<sdk::CloudEvent> events;
  for (int n = 1; n <= count; ++n) events.push_back(makeEvent(n));
  return events;
}

// A broker ingress is a CloudEvents receiver; the sink gets the gateway's real HTTP client.
class KnativeFixture : public ::testing::Test {
protected:
  KnativeFixture() {
    // The tests decide what Knative's injected variables hold.
    ::unsetenv("K_SINK");
    ::unsetenv("K_CE_OVERRIDES");
    host_.http_client_factory = [](const sdk::HttpClientOptions& options) {
      return std::make_unique<core::PooledHttpClient>(options);
    };
  }

  std::unique_ptr<KnativeSink> makeSink(const std::string& config_json, const std::string& default_url = "") {
    return std::make_unique<KnativeSink>(sdk::PluginContext{"events-knative", config_json, "", default_url, host_});
  }
  std::string constructError(const std::string& config_json, const std::string& default_url = "") {
    const auto created = sdk::construct<KnativeSink, sdk::Sink>(
        sdk::PluginContext{"events-knative", config_json, "", default_url, host_});
    EXPECT_EQ(created.object, nullptr);
    return created.error;
  }
  // Delivers `events` with `sink` and returns what the ingress got.
  std::vector<fakes::ReceivedRequest> deliverAll(KnativeSink& sink, const std::vector<sdk::CloudEvent>& events) {
    for (const auto& outcome : sink.deliver(events)) {
      EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered) << outcome.message;
    }
    EXPECT_TRUE(ingress_.waitForRequests(events.size()));
    return ingress_.requests();
  }

  sdk::testing::FakeHost host_;
  CloudEventsReceiver ingress_;
};

class KnativeWire : public KnativeFixture {};

TEST_F(KnativeWire, BinaryModeIsTheDefault) {
  auto sink = makeSink(R"({"url":")" + ingress_.url("/labs/default") + "\"}");
  const auto requests = deliverAll(*sink, makeEvents(1));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/labs/default");
  EXPECT_EQ(requests[0].header("ce-id"), "evt-1");
  EXPECT_EQ(requests[0].header("ce-type"), "ccm.lablet.session.graded");
  EXPECT_EQ(requests[0].header("ce-tenant"), "from-event");
  EXPECT_EQ(requests[0].header("Content-Type"), "application/json");
  EXPECT_EQ(requests[0].body, "{\"score\":1}");
}

TEST_F(KnativeWire, StructuredModeSendsOneJsonEventPerRequest) {
  auto sink = makeSink(R"({"url":")" + ingress_.url("/") + R"(","mode":"structured"})");
  const auto requests = deliverAll(*sink, makeEvents(2));
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("Content-Type"), "application/cloudevents+json; charset=utf-8");
  EXPECT_EQ(requests[1].body, sdk::toStructured(makeEvent(2)));
}

TEST_F(KnativeWire, BrokerAndNamespaceNameTheBrokersIngressPath) {
  auto sink = makeSink(R"({"broker":"default","namespace":"labs","broker_ingress":")" + ingress_.url("/") + "\"}");
  const auto requests = deliverAll(*sink, makeEvents(1));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/labs/default");
}

TEST_F(KnativeWire, KSinkIsTheDefaultUrl) {
  ScopedEnv k_sink("K_SINK", ingress_.url("/from-sink-binding"));
  const auto requests = deliverAll(*makeSink("{}", "http://127.0.0.1:9/cloudevents-sink-url"), makeEvents(1));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/from-sink-binding");
}

TEST_F(KnativeWire, CloudEventsSinkUrlIsTheLastResort) {
  const auto requests = deliverAll(*makeSink("{}", ingress_.url("/from-cloudevents-sink-url")), makeEvents(1));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/from-cloudevents-sink-url");
}

TEST_F(KnativeWire, AConfiguredUrlWinsOverKSink) {
  ScopedEnv k_sink("K_SINK", "http://127.0.0.1:9/never");
  const auto requests = deliverAll(*makeSink(R"({"url":")" + ingress_.url("/configured") + "\"}"), makeEvents(1));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/configured");
}

TEST_F(KnativeWire, KCeOverridesAddAndReplaceExtensionsOnEveryEvent) {
  ScopedEnv overrides("K_CE_OVERRIDES", R"({"extensions":{"tenant":"lab 7","cluster":"east"}})");
  auto sink = makeSink(R"({"url":")" + ingress_.url("/") + "\"}");
  const auto events = makeEvents(2);
  const auto requests = deliverAll(*sink, events);
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& request : requests) {
    EXPECT_EQ(request.header("ce-tenant"), "lab%207");
    EXPECT_EQ(request.header("ce-cluster"), "east");
  }
  EXPECT_EQ(events[0].extensions.at("tenant"), sdk::ExtensionValue(std::string("from-event")));
}

TEST_F(KnativeWire, TransportSettingsPassThroughToTheHttpSink) {
  ScopedEnv token("CCM_KNATIVE_TEST_TOKEN", "t0ken");
  auto sink =
      makeSink(R"({"url":")" + ingress_.url("/") +
               R"(","headers":{"X-Tenant":"lab-7"},"auth":{"type":"bearer","token":"env:CCM_KNATIVE_TEST_TOKEN"},)"
               R"("timeout_ms":5000,"max_connections":2})");
  const auto requests = deliverAll(*sink, makeEvents(1));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("X-Tenant"), "lab-7");
  EXPECT_EQ(requests[0].header("Authorization"), "Bearer t0ken");
}

// rapidjson reads a leading 0xEF as a byte-order mark when it parses by
// length, as the config check does: the sink must read the same object
// (found by fuzz_plugin_config; a NUL-terminated parse of it failed).
TEST_F(KnativeWire, AConfigTheCheckAcceptsIsTheConfigTheSinkSends) {
  auto sink = makeSink(
      "\xEF\t"
      R"({"url":")" +
      ingress_.url("/") + R"(","headers":{"X-Tenant":"lab-7"}})");
  const auto requests = deliverAll(*sink, makeEvents(1));
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].header("X-Tenant"), "lab-7");
}

class KnativeOutcome : public KnativeFixture {
protected:
  std::vector<Outcome> deliverAgainst(std::vector<Reply> replies, int events) {
    for (auto& reply : replies) ingress_.script(std::move(reply));
    return makeSink(R"({"url":")" + ingress_.url("/") + "\"}")->deliver(makeEvents(events));
  }
};

TEST_F(KnativeOutcome, AcceptedIsDelivered) {
  const auto outcomes = deliverAgainst({Reply{.status = 202}, Reply{.status = 200}}, 2);
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered);
}

TEST_F(KnativeOutcome, UnavailableIsRetryableAndHoldsBackTheRestOfTheBatch) {
  const auto outcomes =
      deliverAgainst({Reply{.status = 503, .headers = {{"Retry-After", "3"}}, .body = "no broker"}}, 2);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcomes[0].message, "HTTP 503 Service Unavailable: no broker");
  EXPECT_EQ(outcomes[0].retry_after, std::chrono::milliseconds(3s));
  EXPECT_EQ(outcomes[1].message, "not attempted: an earlier event of this batch failed");
}

TEST_F(KnativeOutcome, ABadRequestIsPermanent) {
  const auto outcomes = deliverAgainst({Reply{.status = 400, .body = "invalid event"}}, 1);
  EXPECT_EQ(outcomes.at(0).kind, Outcome::Kind::Permanent);
  EXPECT_EQ(outcomes.at(0).message, "HTTP 400 Bad Request: invalid event");
}

struct BadConfig {
  std::string config;
  std::string error;  // after "knative sink config "
};

void PrintTo(const BadConfig& bad, std::ostream* out) {
  *out << bad.config;
}

class KnativeSettingErrors : public KnativeFixture, public ::testing::WithParamInterface<BadConfig> {};

TEST_P(KnativeSettingErrors, NameTheField) {
  EXPECT_EQ(constructError(GetParam().config), "knative sink config " + GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, KnativeSettingErrors,
    ::testing::Values(
        BadConfig{
            "{}",
            R"("url": is required when neither "broker", K_SINK nor CLOUDEVENTS_SINK_URL (cloudevents.sink_url) is set)"},
        BadConfig{R"({"url":"ftp://broker"})",
                  R"("url": must be an http:// or https:// URL with a host, got "ftp://broker")"},
        BadConfig{R"({"url":"http://x/","mode":"batch"})", R"("mode": must be "binary" or "structured")"},
        BadConfig{R"({"url":"http://x/","max_batch_size":10})", R"("max_batch_size": is not a known setting)"},
        BadConfig{R"({"url":"http://x/","broker":"default"})",
                  R"("broker": conflicts with "url"; set only one way to the URL)"},
        BadConfig{R"({"broker":"default"})", R"("namespace": is required with "broker")"},
        BadConfig{R"({"namespace":"labs"})", R"("namespace": only applies with "broker")"},
        BadConfig{R"({"broker":"Default","namespace":"labs"})",
                  R"("broker": must be a Kubernetes name (lower-case letters, digits, '-'))"},
        BadConfig{R"({"broker":"default","namespace":"labs","broker_ingress":"kafka"})",
                  R"("broker_ingress": must be an http:// or https:// URL with a host, got "kafka")"},
        BadConfig{R"({"url":"http://x/","headers":{"Content-Type":"text/plain"}})",
                  R"("headers.Content-Type": is set by the sink and cannot be configured)"},
        BadConfig{R"({"url":"http://x/","auth":{"type":"bearer"}})",
                  R"("auth.token": is required for auth type "bearer")"},
        BadConfig{R"({"url":"http://x/","tls":{"verify":false}})",
                  R"("tls": only applies to an https:// URL, got "http://x/")"}));

class KnativeSettings : public KnativeFixture {};

TEST_F(KnativeSettings, ABadKSinkIsNamed) {
  ScopedEnv k_sink("K_SINK", "broker-ingress/labs/default");
  EXPECT_EQ(constructError("{}"),
            "knative sink config K_SINK: must be an http:// or https:// URL with a host, got "
            "\"broker-ingress/labs/default\"");
}

TEST_F(KnativeSettings, BadKCeOverridesAreNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "K_CE_OVERRIDES: must be a JSON object"},
      {R"({"labels":{}})", R"(K_CE_OVERRIDES.labels: is not a known member (only "extensions"))"},
      {R"({"extensions":[]})", "K_CE_OVERRIDES.extensions: must be an object"},
      {R"({"extensions":{"Tenant":"a"}})",
       "K_CE_OVERRIDES.extensions.Tenant: is not a CloudEvents attribute name (a-z, 0-9)"},
      {R"({"extensions":{"source":"a"}})",
       "K_CE_OVERRIDES.extensions.source: names a context attribute; only extensions can be overridden"},
      {R"({"extensions":{"tenant":7}})", "K_CE_OVERRIDES.extensions.tenant: must be a string"},
  };
  for (const auto& [value, error] : cases) {
    ScopedEnv overrides("K_CE_OVERRIDES", value);
    EXPECT_EQ(constructError(R"({"url":"http://x/"})"), "knative sink config " + error) << value;
  }
}

TEST(KnativeSchema, AcceptsDocumentedConfigsAndRejectsWhatTheSinkRejects) {
  const std::string schema = ccm::testing::sinkSchema("knative");
  const auto accepts = [&](const std::string& config) { return ccm::testing::schemaAccepts(schema, config); };
  EXPECT_TRUE(accepts("{}"));
  EXPECT_TRUE(accepts(R"({"broker":"default","namespace":"labs"})"));
  EXPECT_TRUE(accepts(
      R"({"broker":"default","namespace":"labs","broker_ingress":"http://kafka-broker-ingress.knative-eventing.svc.cluster.local","mode":"structured"})"));
  EXPECT_TRUE(accepts(R"({"url":"https://x/","headers":{"X-A":"b"},"auth":{"type":"bearer","token":"env:T"},)"
                      R"("tls":{"ca_file":"/ca.pem"},"connect_timeout_ms":1,"timeout_ms":2,"max_connections":0})"));
  EXPECT_FALSE(accepts(R"({"mode":"batch"})"));
  EXPECT_FALSE(accepts(R"({"url":"http://x/","broker":"default","namespace":"labs"})"));
  EXPECT_FALSE(accepts(R"({"broker":"default"})"));
  EXPECT_FALSE(accepts(R"({"namespace":"labs"})"));
  EXPECT_FALSE(accepts(R"({"broker":"Default","namespace":"labs"})"));
  EXPECT_FALSE(accepts(R"({"max_batch_size":10})"));
}

TEST(KnativeSchema, TheKnativeExampleDiffersFromTheDefaultConfigOnlyInItsSinks) {
  ccm::testing::expectExampleDiffersOnlyInSinks("knative", "knative", ccm::testing::sinkSchema("knative"));
}

TEST(KnativeModule, ExportsTheDescriptorAndCreatesAWorkingSink) {
  const ccm::testing::LoadedPlugin plugin("sink-knative");
  EXPECT_EQ(plugin.abiVersion(), sdk::kAbiVersion);
  const sdk::PluginDescriptor& descriptor = plugin.descriptor();
  EXPECT_STREQ(descriptor.name, "knative");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::Sink);
  EXPECT_STREQ(descriptor.version, "0.1.0");
  EXPECT_EQ(descriptor.config_schema, ccm::testing::sinkSchema("knative"));
  ASSERT_NE(descriptor.create_sink, nullptr);
  {
    ::unsetenv("K_SINK");
    ::unsetenv("K_CE_OVERRIDES");
    CloudEventsReceiver ingress;
    sdk::testing::FakeHost host;
    host.http_client_factory = [](const sdk::HttpClientOptions& options) {
      return std::make_unique<core::PooledHttpClient>(options);
    };
    auto created = descriptor.create_sink(sdk::PluginContext{"events-knative", "{}", "", ingress.url(), host});
    ASSERT_NE(created.object, nullptr) << created.error;
    const auto outcomes = created.object->deliver(makeEvents(1));
    ASSERT_EQ(outcomes.size(), 1u);
    EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Delivered) << outcomes[0].message;
    EXPECT_EQ(descriptor.create_sink(sdk::PluginContext{"bad", R"({"mode":"batch"})", "", ingress.url(), host}).error,
              R"(knative sink config "mode": must be "binary" or "structured")");
  }
}

}  // namespace
}  // namespace ccm::sinks::knative
