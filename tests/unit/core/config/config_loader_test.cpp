#include "config/config_loader.hpp"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ccm::core {
namespace {

using ::testing::HasSubstr;

EnvLookup envOf(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

sdk::Result<GatewayConfig> load(const std::string& text, std::map<std::string, std::string> vars = {}) {
  return loadConfigText(text, "gw.json", envOf(std::move(vars)));
}

constexpr const char* kMinimal = R"({"sinks": [{"name": "out", "plugin": "file", "config": {"path": "/tmp/x"}}]})";

TEST(ConfigLoader, MinimalConfigGetsDefaults) {
  auto config = load(kMinimal);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config.value().server.host, "127.0.0.1");
  EXPECT_EQ(config.value().server.port, 8080);
  EXPECT_EQ(config.value().cloudevents.source, "urn:ccm-gateway");
  EXPECT_EQ(config.value().log_level, "info");
  ASSERT_EQ(config.value().plugin_directories.size(), 1u);
  EXPECT_EQ(config.value().plugin_directories[0], defaultPluginDirectory());
  ASSERT_EQ(config.value().sinks.size(), 1u);
  EXPECT_EQ(config.value().sinks[0].name, "out");
  EXPECT_EQ(config.value().sinks[0].plugin, "file");
  EXPECT_EQ(config.value().sinks[0].config_json, R"({"path":"/tmp/x"})");
  EXPECT_EQ(config.value().sinks[0].pointer, "/sinks/0");
}

TEST(ConfigLoader, ReadsTheHttpServerSettings) {
  auto defaults = load(kMinimal);
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults.value().server.io_threads, 2);
  EXPECT_EQ(defaults.value().server.max_connections, 4096);
  EXPECT_EQ(defaults.value().server.keep_alive_timeout_ms, 10000);
  EXPECT_EQ(defaults.value().server.request_timeout_ms, 60000);
  auto set = load(R"({"sinks": [], "server": {"io_threads": 4, "max_connections": 100,
                      "keep_alive_timeout_ms": 500, "request_timeout_ms": 2000, "threads": 3, "max_queued": 7}})");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set.value().server.io_threads, 4);
  EXPECT_EQ(set.value().server.max_connections, 100);
  EXPECT_EQ(set.value().server.keep_alive_timeout_ms, 500);
  EXPECT_EQ(set.value().server.request_timeout_ms, 2000);
  EXPECT_EQ(set.value().server.threads, 3);
  EXPECT_EQ(set.value().server.max_queued, 7);
  auto zero = load(R"({"sinks": [], "server": {"io_threads": 0}})");
  ASSERT_FALSE(zero);
  EXPECT_THAT(zero.error().message, HasSubstr("/server/io_threads"));
}

TEST(ConfigLoader, ReadsTheTlsSettingsAndTheJsonDepth) {
  auto defaults = load(kMinimal);
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_FALSE(defaults.value().server.tls.has_value());
  EXPECT_EQ(defaults.value().server.max_json_depth, 64);
  auto set = load(R"({"sinks": [], "server": {"max_json_depth": 16, "tls": {"cert_file": "/c.pem", "key_file": "/k.pem",
                      "client_ca_file": "/ca.pem", "client_auth": "required", "min_version": "1.3"}}})");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set.value().server.max_json_depth, 16);
  ASSERT_TRUE(set.value().server.tls.has_value());
  const auto& tls = *set.value().server.tls;
  EXPECT_EQ(tls.cert_file, "/c.pem");
  EXPECT_EQ(tls.key_file, "/k.pem");
  EXPECT_EQ(tls.client_ca_file, "/ca.pem");
  EXPECT_EQ(tls.client_auth, TlsSettings::ClientAuth::Required);
  EXPECT_EQ(tls.min_version, "1.3");
  auto plain = load(R"({"sinks": [], "server": {"tls": {"cert_file": "/c.pem", "key_file": "/k.pem"}}})");
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_EQ(plain.value().server.tls->client_auth, TlsSettings::ClientAuth::None);
  EXPECT_EQ(plain.value().server.tls->min_version, "1.2");
}

TEST(ConfigLoader, RefusesTlsSettingsThatCannotWork) {
  auto no_key = load(R"({"sinks": [], "server": {"tls": {"cert_file": "/c.pem"}}})");
  ASSERT_FALSE(no_key);
  EXPECT_THAT(no_key.error().message, HasSubstr("/server/tls"));
  EXPECT_THAT(no_key.error().message, HasSubstr("key_file"));
  auto no_ca = load(R"({"sinks": [], "server": {"tls": {"cert_file": "/c.pem", "key_file": "/k.pem",
                        "client_auth": "optional"}}})");
  ASSERT_FALSE(no_ca);
  EXPECT_THAT(no_ca.error().message,
              HasSubstr("/server/tls/client_ca_file: required when /server/tls/client_auth is \"optional\""));
  auto old = load(R"({"sinks": [], "server": {"tls": {"cert_file": "/c.pem", "key_file": "/k.pem", "min_version": "1.1"}}})");
  ASSERT_FALSE(old);
  EXPECT_THAT(old.error().message, HasSubstr("/server/tls/min_version"));
}

// Issue #17: a file nested 200000 levels deep (a few hundred KB) made the
// loader record a JSON pointer per level per value and exhausted memory.
TEST(ConfigLoader, RefusesNestingDeeperThanTheLimitBeforeReadingFurther) {
  const auto nested = [](std::size_t depth) {
    return R"({"sinks": [{"name": "out", "plugin": "file", "config": {"path": "/tmp/x", "deep": )" +
           std::string(depth, '[') + std::string(depth, ']') + "}}]}";
  };
  const auto refused = load(nested(200000));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message, "gw.json: JSON nested deeper than 64 levels; a gateway config needs far fewer");
  // The object, the sinks array, the sink and its config take four levels.
  EXPECT_TRUE(load(nested(kMaxConfigDepth - 4)).ok());
  EXPECT_FALSE(load(nested(kMaxConfigDepth - 3)).ok());
}

TEST(ConfigLoader, ShippedDefaultConfigIsValid) {
  auto config = loadConfigFile(CCM_SOURCE_DIR "/config/gateway.json", envOf({}));
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config.value().server.port, 8080);
  EXPECT_EQ(config.value().plugin_directories.at(0), "./build/plugins");
  EXPECT_EQ(config.value().sinks.at(0).plugin, "file");
  EXPECT_THAT(config.value().sinks.at(0).config_json, HasSubstr("./var/events.jsonl"));
}

TEST(ConfigLoader, MissingFileIsNamed) {
  auto config = loadConfigFile("/nonexistent/gw.json", envOf({}));
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message, "/nonexistent/gw.json: cannot open config file");
}

TEST(ConfigLoader, SyntaxErrorNamesFileLineAndColumn) {
  auto config = load("{\n  \"sinks\": [\n  ,\n]}");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("gw.json:3:3: invalid JSON: "));
}

TEST(ConfigLoader, UnknownPropertyIsNamedWithItsLine) {
  auto config = load("{\n  \"sinks\": [],\n  \"sever\": {}\n}");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().where, "/sever");
  EXPECT_THAT(config.error().message, HasSubstr("gw.json:3: /sever: unknown property \"sever\" (allowed: "));
  EXPECT_THAT(config.error().message, HasSubstr("\"server\""));
}

TEST(ConfigLoader, UnknownPropertyInsideSectionIsNamed) {
  auto config = load("{\"sinks\": [], \"server\": {\"hots\": \"x\"}}");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().where, "/server/hots");
}

TEST(ConfigLoader, WrongTypeSaysWhatWasExpected) {
  auto config = load("{\"sinks\": [],\n \"server\": {\n  \"port\": \"80\"}}");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message, "gw.json:3: /server/port: expected integer, got string");
}

TEST(ConfigLoader, OutOfRangePortNamesTheLimit) {
  auto config = load(R"({"sinks": [], "server": {"port": 70000}})");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("/server/port: violates \"maximum\": 65535, got 70000"));
}

TEST(ConfigLoader, EnumViolationListsAllowedValues) {
  auto config = load(R"({"sinks": [], "logging": {"level": "loud"}})");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message,
              HasSubstr("/logging/level: expected one of \"debug\", \"info\", \"warning\", \"error\", got \"loud\""));
}

TEST(ConfigLoader, MissingRequiredPropertyIsNamed) {
  auto config = load(R"({"sinks": [{"name": "out"}]})");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("/sinks/0: missing required property \"plugin\""));
}

TEST(ConfigLoader, SinksSectionIsRequired) {
  auto config = load("{}");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("/: missing required property \"sinks\""));
}

TEST(ConfigLoader, InstanceNameMustMatchPattern) {
  auto config = load(R"({"sinks": [{"name": "Out Put", "plugin": "file"}]})");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("/sinks/0/name: violates \"pattern\""));
}

TEST(ConfigLoader, DuplicateSinkNamesAreRefused) {
  auto config = load(R"({"sinks": [{"name": "a", "plugin": "file"}, {"name": "a", "plugin": "file"}]})");
  ASSERT_FALSE(config);
  EXPECT_THAT(config.error().message, HasSubstr("/sinks/1/name: duplicate sinks name \"a\""));
}

TEST(ConfigLoader, SubstitutesVariablesAndDefaults) {
  auto config = load(R"({"sinks": [{"name": "out", "plugin": "file", "config": {"path": "${DIR}/e-${X:-1}.jsonl"}}],
                          "server": {"host": "${HOST:-0.0.0.0}", "allow_unauthenticated": true}})",
                     {{"DIR", "/data"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config.value().sinks[0].config_json, R"({"path":"/data/e-1.jsonl"})");
  EXPECT_EQ(config.value().server.host, "0.0.0.0");
}

TEST(ConfigLoader, UnsetVariableWithoutDefaultNamesPointerAndVariable) {
  auto config = load("{\"sinks\": [],\n \"cloudevents\": {\"sink_url\": \"${SINK}\"}}");
  ASSERT_FALSE(config);
  EXPECT_EQ(config.error().message,
            "gw.json:2: /cloudevents/sink_url: environment variable SINK is not set (write ${SINK:-default} to give a "
            "default)");
}

TEST(ConfigLoader, CloudEventsEnvironmentOverridesWinOverFile) {
  auto config = load(R"({"sinks": [], "cloudevents": {"source": "urn:file", "sink_url": "http://file"}})",
                     {{"CLOUDEVENTS_SOURCE", "urn:env"}, {"CLOUDEVENTS_SINK_URL", "http://env:9/x"}});
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config.value().cloudevents.source, "urn:env");
  EXPECT_EQ(config.value().cloudevents.sink_url, "http://env:9/x");
}

TEST(ConfigLoader, FileValuesStandWithoutOverrides) {
  auto config = load(R"({"sinks": [], "cloudevents": {"source": "urn:file", "sink_url": "http://file"}})");
  ASSERT_TRUE(config);
  EXPECT_EQ(config.value().cloudevents.source, "urn:file");
  EXPECT_EQ(config.value().cloudevents.sink_url, "http://file");
}

}  // namespace
}  // namespace ccm::core
