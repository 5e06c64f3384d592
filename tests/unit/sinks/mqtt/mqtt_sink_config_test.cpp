#include "mqtt_sink_config.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <ostream>
#include <string>

#include "ccm/sdk/plugin.hpp"
#include "mqtt_sink_test_support.hpp"
#include "mqtt_subscriber.hpp"
#include "sink_plugin_checks.hpp"

namespace ccm::sinks::mqtt {
namespace {

using testing::MqttSinkFixture;

sdk::testing::FakeHost& sharedHost() {
  static sdk::testing::FakeHost host;
  return host;
}

MqttSinkConfig parse(const std::string& json) {
  return parseConfig(sdk::PluginContext{"events-mqtt", json, "", "", sharedHost()});
}

TEST(MqttSinkSettings, DefaultsMatchTheSchema) {
  const MqttSinkConfig config = parse(R"({"host":"broker.example.com"})");
  EXPECT_EQ(config.connection.host, "broker.example.com");
  EXPECT_EQ(config.connection.port, 1883);
  EXPECT_EQ(config.connection.version, ProtocolVersion::V5);
  EXPECT_EQ(config.mode, ContentMode::Binary);
  EXPECT_EQ(config.connection.keepalive_seconds, 60);
  EXPECT_TRUE(config.connection.clean_start);
  EXPECT_TRUE(config.connection.username.empty());
  EXPECT_FALSE(config.connection.password.has_value());
  EXPECT_FALSE(config.connection.tls.has_value());
  EXPECT_EQ(config.connection.connect_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(config.connection.max_unacknowledged, 1000u);
  EXPECT_EQ(config.timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(config.max_batch_size, 100u);
  EXPECT_EQ(std::get<std::string>(config.topic.topicFor(testing::exampleEvent())),
            "ccm/events/ccm.lablet.session.graded");
}

TEST(MqttSinkSettings, Mqtt311DefaultsToStructuredAndTlsToPort8883) {
  const MqttSinkConfig config = parse(R"({"host":"b","protocol_version":"3.1.1","tls":{}})");
  EXPECT_EQ(config.connection.version, ProtocolVersion::V311);
  EXPECT_EQ(config.mode, ContentMode::Structured);
  EXPECT_EQ(config.connection.port, 8883);
  ASSERT_TRUE(config.connection.tls.has_value());
  EXPECT_TRUE(config.connection.tls->verify_peer);
}

TEST(MqttSinkSettings, DefaultClientIdsNameTheInstanceAndDiffer) {
  const std::string first = parse(R"({"host":"b"})").connection.client_id;
  EXPECT_TRUE(first.starts_with("ccm-gateway-events-mqtt-" + std::to_string(::getpid()) + "-")) << first;
  EXPECT_NE(first, parse(R"({"host":"b"})").connection.client_id);
}

TEST(MqttSinkSettings, ThePasswordIsASecretReference) {
  ::setenv("CCM_TEST_MQTT_PASSWORD", "s3cret", 1);
  const MqttSinkConfig config = parse(R"({"host":"b","username":"gw","password":"env:CCM_TEST_MQTT_PASSWORD"})");
  ::unsetenv("CCM_TEST_MQTT_PASSWORD");
  EXPECT_EQ(config.connection.username, "gw");
  EXPECT_EQ(config.connection.password, "s3cret");
}

struct BadConfig {
  std::string config;  // members after "host"
  std::string error;   // what construction reports, after "mqtt sink config "
};

void PrintTo(const BadConfig& bad, std::ostream* out) {
  *out << bad.config;
}

class MqttSinkSettingErrors : public ::testing::TestWithParam<BadConfig> {};

TEST_P(MqttSinkSettingErrors, NameTheKey) {
  const std::string json = R"({"host":"127.0.0.1")" + (GetParam().config.empty() ? "" : "," + GetParam().config) + "}";
  const auto created =
      sdk::construct<MqttSink, sdk::Sink>(sdk::PluginContext{"events-mqtt", json, "", "", sharedHost()});
  EXPECT_EQ(created.object, nullptr);
  EXPECT_EQ(created.error, "mqtt sink config " + GetParam().error) << json;
}

INSTANTIATE_TEST_SUITE_P(
    Keys, MqttSinkSettingErrors,
    ::testing::Values(
        BadConfig{R"("colour":"blue")", R"("colour": is not a known setting)"},
        BadConfig{
            R"("protocol_version":"3.1.1","mode":"binary")",
            R"("mode": "binary" needs protocol_version "5" (MQTT 3.1.1 has no User Properties); use "structured")"},
        BadConfig{R"("protocol_version":"4")", R"("protocol_version": must be "5" or "3.1.1")"},
        BadConfig{R"("topic":"ccm/+/x")", R"("topic": must not contain the wildcard '+' (a topic name has none))"},
        BadConfig{R"("topic":"ccm/{kind}")",
                  R"("topic": has the unknown placeholder {kind}; known are {type}, {source}, {subject} and {id})"},
        BadConfig{R"("password":"env:CCM_TEST_MQTT_UNSET")", R"("password": needs "username")"},
        BadConfig{
            R"("username":"gw","password":"env:CCM_TEST_MQTT_UNSET")",
            R"("password": secret "env:CCM_TEST_MQTT_UNSET": environment variable CCM_TEST_MQTT_UNSET is not set)"},
        BadConfig{R"("port":0)", R"("port": must be an integer from 1 to 65535)"},
        BadConfig{R"("keepalive_seconds":0)", R"("keepalive_seconds": must be an integer from 5 to 65535)"},
        BadConfig{R"("clean_start":"yes")", R"("clean_start": must be true or false)"},
        BadConfig{R"("max_unacknowledged":60001)", R"("max_unacknowledged": must be an integer from 1 to 60000)"},
        BadConfig{R"("tls":{"ca_file":"/nonexistent/ca.pem"})",
                  R"("tls.ca_file": cannot read file "/nonexistent/ca.pem")"},
        BadConfig{R"("tls":{"cert_file":"/etc/hostname"})",
                  R"("tls.key_file": is required with "cert_file" (a client certificate needs its key))"},
        BadConfig{R"("tls":{"verify":"no"})", R"("tls.verify": must be true or false)"},
        BadConfig{R"("tls":{"ciphers":"x"})", R"("tls.ciphers": is not a known setting)"}));

TEST(MqttSinkSettings, HostIsRequired) {
  const auto created =
      sdk::construct<MqttSink, sdk::Sink>(sdk::PluginContext{"events-mqtt", "{}", "", "", sharedHost()});
  EXPECT_EQ(created.error, R"(mqtt sink config "host": is required)");
}

TEST(MqttSchema, AcceptsWhatTheSinkReadsAndRefusesTheRest) {
  const std::string schema = ccm::testing::sinkSchema("mqtt");
  const auto accepts = [&](const std::string& config) { return ccm::testing::schemaAccepts(schema, config); };
  EXPECT_TRUE(accepts(R"({"host":"b"})"));
  EXPECT_TRUE(accepts(
      R"({"host":"b","port":8883,"protocol_version":"3.1.1","mode":"structured","topic":"a/{type}","client_id":"c",)"
      R"("keepalive_seconds":30,"clean_start":false,"username":"u","password":"file:/p","tls":{"ca_file":"/c",)"
      R"("cert_file":"/x","key_file":"/k","verify":false},"connect_timeout_ms":100,"timeout_ms":200,"max_batch_size":5})"));
  EXPECT_FALSE(accepts("{}"));
  EXPECT_FALSE(accepts(R"({"host":"b","protocol_version":"3"})"));
  EXPECT_FALSE(accepts(R"({"host":"b","mode":"batch"})"));
  EXPECT_FALSE(accepts(R"({"host":"b","password":"plain"})"));
  EXPECT_FALSE(accepts(R"({"host":"b","tls":{"ciphers":"x"}})"));
  EXPECT_FALSE(accepts(R"({"host":"b","colour":"blue"})"));
}

TEST(MqttSchema, TheMqttExampleDiffersFromTheDefaultConfigOnlyInItsSinks) {
  ccm::testing::expectExampleDiffersOnlyInSinks("mqtt", "mqtt", ccm::testing::sinkSchema("mqtt"));
}

class MqttModule : public MqttSinkFixture {};

TEST_F(MqttModule, ExportsTheDescriptorAndCreatesAWorkingSink) {
  const ccm::testing::LoadedPlugin plugin("sink-mqtt");
  EXPECT_EQ(plugin.abiVersion(), sdk::kAbiVersion);
  const sdk::PluginDescriptor& descriptor = plugin.descriptor();
  EXPECT_STREQ(descriptor.name, "mqtt");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::Sink);
  EXPECT_STREQ(descriptor.version, "0.1.0");
  EXPECT_EQ(descriptor.config_schema, ccm::testing::sinkSchema("mqtt"));
  ASSERT_NE(descriptor.create_sink, nullptr);
  testing::MosquittoBroker broker;
  ccm::testing::MqttSubscriber subscriber(broker.port(), true);
  {
    auto created =
        descriptor.create_sink(sdk::PluginContext{"events-mqtt", testing::configFor(broker.port()), "", "", host_});
    ASSERT_NE(created.object, nullptr) << created.error;
    const auto outcomes = created.object->deliver(testing::makeEvents(2));
    ASSERT_EQ(outcomes.size(), 2u);
    for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, sdk::Outcome::Kind::Delivered) << outcome.message;
    EXPECT_EQ(descriptor.create_sink(sdk::PluginContext{"bad", R"({"host":"b","topic":"#"})", "", "", host_}).error,
              R"(mqtt sink config "topic": must not contain the wildcard '#' (a topic name has none))");
  }
  EXPECT_EQ(subscriber.waitFor(2).size(), 2u);
}

}  // namespace
}  // namespace ccm::sinks::mqtt
