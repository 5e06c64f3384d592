#include "nats_sink_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ostream>
#include <string>

#include "ccm/sdk/plugin.hpp"
#include "nats_sink_test_support.hpp"
#include "sink_plugin_checks.hpp"

namespace ccm::sinks::nats {
namespace {

using testing::NatsSinkFixture;

constexpr const char* kNkey = "UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4";

sdk::testing::FakeHost& sharedHost() {
  static sdk::testing::FakeHost host;
  return host;
}

NatsSinkConfig parse(const std::string& json) {
  return parseConfig(sdk::PluginContext{"events-nats", json, "", "", sharedHost()});
}

TEST(NatsSinkSettings, DefaultsMatchTheSchema) {
  const NatsSinkConfig config = parse(R"({"url":"nats://nats.example.com:4222"})");
  EXPECT_EQ(config.connection.servers, std::vector<std::string>{"nats://nats.example.com:4222"});
  EXPECT_EQ(config.connection.name, "ccm-gateway events-nats");
  EXPECT_EQ(config.mode, ContentMode::Binary);
  EXPECT_TRUE(config.expected_stream.empty());
  EXPECT_TRUE(config.connection.user.empty());
  EXPECT_FALSE(config.connection.password.has_value());
  EXPECT_FALSE(config.connection.token.has_value());
  EXPECT_TRUE(config.connection.credentials_file.empty());
  EXPECT_TRUE(config.connection.nkey.empty());
  EXPECT_FALSE(config.connection.tls.has_value());
  EXPECT_EQ(config.connection.connect_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(config.connection.ping_interval, std::chrono::milliseconds(20000));
  EXPECT_EQ(config.timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(config.max_batch_size, 100u);
  EXPECT_EQ(std::get<std::string>(config.subject.subjectFor(ccm::testing::exampleEvent())),
            "ccm.events.ccm%2Elablet%2Esession%2Egraded");
}

TEST(NatsSinkSettings, AUrlMayListSeveralServers) {
  const NatsSinkConfig config = parse(R"({"url":"nats://a:4222, tls://b,nats://[::1]:4223"})");
  EXPECT_EQ(config.connection.servers, (std::vector<std::string>{"nats://a:4222", "tls://b", "nats://[::1]:4223"}));
}

TEST(NatsSinkSettings, SecretsAreResolved) {
  ::setenv("CCM_TEST_NATS_SECRET", "s3cret", 1);
  const NatsSinkConfig with_user = parse(R"({"url":"nats://b","user":"gw","password":"env:CCM_TEST_NATS_SECRET"})");
  const NatsSinkConfig with_token = parse(R"({"url":"nats://b","token":"env:CCM_TEST_NATS_SECRET"})");
  const NatsSinkConfig with_nkey =
      parse(R"({"url":"nats://b","nkey":")" + std::string(kNkey) + R"(","nkey_seed":"env:CCM_TEST_NATS_SECRET"})");
  ::unsetenv("CCM_TEST_NATS_SECRET");
  EXPECT_EQ(with_user.connection.user, "gw");
  EXPECT_EQ(with_user.connection.password, "s3cret");
  EXPECT_EQ(with_token.connection.token, "s3cret");
  EXPECT_EQ(with_nkey.connection.nkey, kNkey);
  EXPECT_EQ(with_nkey.connection.nkey_seed, "s3cret");
}

struct BadConfig {
  std::string config;  // members after "url"
  std::string error;   // what construction reports, after "nats sink config "
};

void PrintTo(const BadConfig& bad, std::ostream* out) {
  *out << bad.config;
}

class NatsSinkSettingErrors : public ::testing::TestWithParam<BadConfig> {};

TEST_P(NatsSinkSettingErrors, NameTheKey) {
  const std::string json =
      R"({"url":"nats://127.0.0.1:4222")" + (GetParam().config.empty() ? "" : "," + GetParam().config) + "}";
  const auto created =
      sdk::construct<NatsSink, sdk::Sink>(sdk::PluginContext{"events-nats", json, "", "", sharedHost()});
  EXPECT_EQ(created.object, nullptr);
  EXPECT_EQ(created.error, "nats sink config " + GetParam().error) << json;
}

INSTANTIATE_TEST_SUITE_P(
    Keys, NatsSinkSettingErrors,
    ::testing::Values(
        BadConfig{R"("colour":"blue")", R"("colour": is not a known setting)"},
        BadConfig{R"("mode":"batch")", R"("mode": must be "binary" or "structured")"},
        BadConfig{R"("subject":"ccm.*")",
                  R"("subject": must not contain the wildcard '*' (a published subject has none))"},
        BadConfig{R"("subject":"ccm.{kind}")",
                  R"("subject": has the unknown placeholder {kind}; known are {type}, {source}, {subject} and {id})"},
        BadConfig{R"("expected_stream":"a.b")",
                  R"("expected_stream": must be a stream name (no '.', '*', '>', '/', '\' or whitespace))"},
        BadConfig{R"("password":"env:CCM_TEST_NATS_UNSET")", R"("password": needs "user")"},
        BadConfig{
            R"("user":"gw","password":"env:CCM_TEST_NATS_UNSET")",
            R"("password": secret "env:CCM_TEST_NATS_UNSET": environment variable CCM_TEST_NATS_UNSET is not set)"},
        BadConfig{R"("user":"gw","token":"env:X")",
                  R"("token": cannot be combined with another of "user", "token", "credentials_file" and "nkey")"},
        BadConfig{R"("credentials_file":"/nonexistent/user.creds")",
                  R"("credentials_file": cannot read file "/nonexistent/user.creds")"},
        BadConfig{R"("nkey":"UABC","nkey_seed":"env:X")",
                  R"("nkey": must be a user's public NKey (56 characters starting with 'U'))"},
        BadConfig{R"("nkey":"UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4")",
                  R"("nkey": needs "nkey_seed" (the secret that signs the server's nonce))"},
        BadConfig{R"("nkey_seed":"env:X")", R"("nkey_seed": needs "nkey")"},
        BadConfig{R"("connect_timeout_ms":0)", R"("connect_timeout_ms": must be an integer from 1 to 600000)"},
        BadConfig{R"("ping_interval_seconds":0)", R"("ping_interval_seconds": must be an integer from 1 to 3600)"},
        BadConfig{R"("timeout_ms":0)", R"("timeout_ms": must be an integer from 1 to 3600000)"},
        BadConfig{R"("tls":{"ca_file":"/nonexistent/ca.pem"})",
                  R"("tls.ca_file": cannot read file "/nonexistent/ca.pem")"},
        BadConfig{R"("tls":{"cert_file":"/etc/hostname"})",
                  R"("tls.key_file": is required with "cert_file" (a client certificate needs its key))"},
        BadConfig{R"("tls":{"verify":"no"})", R"("tls.verify": must be true or false)"},
        BadConfig{R"("tls":{"ciphers":"x"})", R"("tls.ciphers": is not a known setting)"}));

class NatsSinkUrlErrors : public ::testing::TestWithParam<BadConfig> {};

TEST_P(NatsSinkUrlErrors, NameTheUrl) {
  const auto created = sdk::construct<NatsSink, sdk::Sink>(
      sdk::PluginContext{"events-nats", R"({"url":")" + GetParam().config + "\"}", "", "", sharedHost()});
  EXPECT_EQ(created.error, "nats sink config \"url\": " + GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Urls, NatsSinkUrlErrors,
    ::testing::Values(BadConfig{"127.0.0.1:4222", R"("127.0.0.1:4222" must start with nats:// or tls://)"},
                      BadConfig{
                          "nats://gw:pw@b:4222",
                          R"("nats://gw:pw@b:4222" must not hold credentials (use "user" and "password" or "token"))"},
                      BadConfig{"nats://b:4222/x", R"("nats://b:4222/x" must be scheme://host[:port] only)"},
                      BadConfig{"nats://b:0", R"("nats://b:0" has a port that is not from 1 to 65535)"},
                      BadConfig{"nats://b:4222,", R"("" must start with nats:// or tls://)"},
                      BadConfig{"tls://:4222", R"("tls://:4222" has no host)"}));

TEST(NatsSinkSettings, ATlsFileLibnatsCannotLoadIsAConfigError) {
  const auto created = sdk::construct<NatsSink, sdk::Sink>(sdk::PluginContext{
      "events-nats", R"({"url":"nats://127.0.0.1:4222","tls":{"ca_file":"/etc/hostname"}})", "", "", sharedHost()});
  EXPECT_EQ(created.object, nullptr);
  EXPECT_TRUE(created.error.starts_with(R"(nats sink config "tls.ca_file": )")) << created.error;
}

TEST(NatsSinkSettings, UrlIsRequired) {
  const auto created =
      sdk::construct<NatsSink, sdk::Sink>(sdk::PluginContext{"events-nats", "{}", "", "", sharedHost()});
  EXPECT_EQ(created.error, R"(nats sink config "url": is required)");
}

TEST(NatsSchema, AcceptsWhatTheSinkReadsAndRefusesTheRest) {
  const std::string schema = ccm::testing::sinkSchema("nats");
  const auto accepts = [&](const std::string& config) { return ccm::testing::schemaAccepts(schema, config); };
  EXPECT_TRUE(accepts(R"({"url":"nats://b"})"));
  EXPECT_TRUE(accepts(
      R"({"url":"tls://b:4222","mode":"structured","subject":"a.{type}","expected_stream":"S","name":"n",)"
      R"("user":"u","password":"file:/p","tls":{"ca_file":"/c","cert_file":"/x","key_file":"/k","verify":false},)"
      R"("connect_timeout_ms":100,"ping_interval_seconds":5,"timeout_ms":200,"max_batch_size":5})"));
  EXPECT_TRUE(accepts(R"({"url":"nats://b","token":"env:T"})"));
  EXPECT_TRUE(accepts(R"({"url":"nats://b","credentials_file":"/u.creds"})"));
  EXPECT_TRUE(accepts(R"({"url":"nats://b","nkey":"U","nkey_seed":"file:/s"})"));
  EXPECT_FALSE(accepts("{}"));
  EXPECT_FALSE(accepts(R"({"url":"nats://b","mode":"batch"})"));
  EXPECT_FALSE(accepts(R"({"url":"nats://b","password":"plain"})"));
  EXPECT_FALSE(accepts(R"({"url":"nats://b","token":"plain"})"));
  EXPECT_FALSE(accepts(R"({"url":"nats://b","tls":{"ciphers":"x"}})"));
  EXPECT_FALSE(accepts(R"({"url":"nats://b","colour":"blue"})"));
}

TEST(NatsSchema, TheNatsExampleDiffersFromTheDefaultConfigOnlyInItsSinks) {
  ccm::testing::expectExampleDiffersOnlyInSinks("nats", "nats", ccm::testing::sinkSchema("nats"));
}

class NatsModule : public NatsSinkFixture {};

TEST_F(NatsModule, ExportsTheDescriptorAndCreatesAWorkingSink) {
  const ccm::testing::LoadedPlugin plugin("sink-nats");
  EXPECT_EQ(plugin.abiVersion(), sdk::kAbiVersion);
  const sdk::PluginDescriptor& descriptor = plugin.descriptor();
  EXPECT_STREQ(descriptor.name, "nats");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::Sink);
  EXPECT_STREQ(descriptor.version, "0.1.0");
  EXPECT_EQ(descriptor.config_schema, ccm::testing::sinkSchema("nats"));
  ASSERT_NE(descriptor.create_sink, nullptr);
  testing::NatsServer server;
  addEventsStream(server);
  {
    auto created = descriptor.create_sink(sdk::PluginContext{"events-nats", testing::configFor(server), "", "", host_});
    ASSERT_NE(created.object, nullptr) << created.error;
    const auto outcomes = created.object->deliver(testing::makeEvents(2));
    ASSERT_EQ(outcomes.size(), 2u);
    for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, sdk::Outcome::Kind::Delivered) << outcome.message;
    EXPECT_EQ(
        descriptor.create_sink(sdk::PluginContext{"bad", R"({"url":"nats://b","subject":"a.>"})", "", "", host_}).error,
        R"(nats sink config "subject": must not contain the wildcard '>' (a published subject has none))");
  }
  EXPECT_EQ(testing::JetStreamClient(server).messages("CCM").size(), 2u);
}

}  // namespace
}  // namespace ccm::sinks::nats
