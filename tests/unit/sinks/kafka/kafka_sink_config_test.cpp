#include "kafka_sink_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "kafka_sink_test_support.hpp"
#include "sink_plugin_checks.hpp"
#include "test_pki.hpp"

namespace ccm::sinks::kafka {
namespace {

using testing::configFor;
using testing::KafkaMockCluster;
using testing::KafkaTopicReader;

class KafkaSinkConfigTest : public testing::KafkaSinkFixture {
protected:
  KafkaSinkConfig parse(const std::string& config_json) {
    return parseConfig(sdk::PluginContext{"events-kafka", config_json, "urn:test", "", host_});
  }
};

TEST_F(KafkaSinkConfigTest, DefaultsMakeAnIdempotentProducerWithAcksFromAllReplicas) {
  const KafkaSinkConfig config = parse(R"({"bootstrap_servers":"kafka-1:9092,kafka-2:9092"})");
  EXPECT_EQ(config.producer.properties, (Properties{{"bootstrap.servers", "kafka-1:9092,kafka-2:9092"},
                                                    {"client.id", "ccm-gateway-events-kafka"},
                                                    {"enable.idempotence", "true"},
                                                    {"acks", "all"},
                                                    {"message.timeout.ms", "30000"},
                                                    {"partitioner", "murmur2_random"},
                                                    {"security.protocol", "plaintext"}}));
  EXPECT_EQ(config.producer.timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(config.mode, ContentMode::Binary);
  EXPECT_EQ(config.max_batch_size, 100u);
  EXPECT_EQ(std::get<std::string>(config.topic.topicFor(testing::exampleEvent())), "ccm-events");
}

TEST_F(KafkaSinkConfigTest, SaslScramOverTlsTakesItsSecretsFromSecretReferences) {
  ccm::testing::TestPki pki;
  ::setenv("CCM_TEST_KAFKA_PASSWORD", "s3cret", 1);
  ::setenv("CCM_TEST_KAFKA_KEY_PASSWORD", "k3y", 1);
  const KafkaSinkConfig config =
      parse(R"({"bootstrap_servers":"kafka:9093","client_id":"gw","timeout_ms":5000,)"
            R"("tls":{"ca_file":")" +
            pki.file("ca.pem") + R"(","cert_file":")" + pki.file("client.pem") + R"(","key_file":")" +
            pki.file("client.key") +
            R"(","key_password":"env:CCM_TEST_KAFKA_KEY_PASSWORD"},)"
            R"("sasl":{"mechanism":"SCRAM-SHA-512","username":"gateway","password":"env:CCM_TEST_KAFKA_PASSWORD"},)"
            R"("properties":{"linger.ms":"20","partitioner":"consistent_random"}})");
  ::unsetenv("CCM_TEST_KAFKA_PASSWORD");
  ::unsetenv("CCM_TEST_KAFKA_KEY_PASSWORD");
  EXPECT_EQ(config.producer.properties, (Properties{{"bootstrap.servers", "kafka:9093"},
                                                    {"client.id", "gw"},
                                                    {"enable.idempotence", "true"},
                                                    {"acks", "all"},
                                                    {"message.timeout.ms", "5000"},
                                                    {"partitioner", "consistent_random"},
                                                    {"security.protocol", "sasl_ssl"},
                                                    {"ssl.ca.location", pki.file("ca.pem")},
                                                    {"ssl.certificate.location", pki.file("client.pem")},
                                                    {"ssl.key.location", pki.file("client.key")},
                                                    {"ssl.key.password", "k3y"},
                                                    {"enable.ssl.certificate.verification", "true"},
                                                    {"ssl.endpoint.identification.algorithm", "https"},
                                                    {"sasl.mechanism", "SCRAM-SHA-512"},
                                                    {"sasl.username", "gateway"},
                                                    {"sasl.password", "s3cret"},
                                                    {"linger.ms", "20"}}));
}

TEST_F(KafkaSinkConfigTest, SaslWithoutTlsAndTlsWithoutVerificationChooseTheirProtocols) {
  ::setenv("CCM_TEST_KAFKA_PASSWORD", "s3cret", 1);
  const auto plain = parse(
      R"({"bootstrap_servers":"k:9092","sasl":{"mechanism":"PLAIN","username":"u","password":"env:CCM_TEST_KAFKA_PASSWORD"}})");
  ::unsetenv("CCM_TEST_KAFKA_PASSWORD");
  EXPECT_THAT(plain.producer.properties,
              ::testing::Contains(std::pair<std::string, std::string>("security.protocol", "sasl_plaintext")));
  const auto unverified = parse(R"({"bootstrap_servers":"k:9093","tls":{"verify":false}})");
  EXPECT_THAT(
      unverified.producer.properties,
      ::testing::IsSupersetOf({std::pair<std::string, std::string>("security.protocol", "ssl"),
                               std::pair<std::string, std::string>("enable.ssl.certificate.verification", "false"),
                               std::pair<std::string, std::string>("ssl.endpoint.identification.algorithm", "none")}));
}

TEST_F(KafkaSinkConfigTest, BadSettingsAreRefusedNamingTheKey) {
  EXPECT_EQ(constructError("{}"), R"(kafka sink config "bootstrap_servers": is required)");
  EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","brokers":"k"})"),
            R"(kafka sink config "brokers": is not a known setting)");
  EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","topic":"ccm/{type}"})"),
            R"(kafka sink config "topic": has the character '/', which a Kafka topic name cannot hold (only ASCII )"
            R"(letters, digits, '.', '_' and '-'))");
  EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","mode":"batch"})"),
            R"(kafka sink config "mode": must be "binary" or "structured")");
  EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","timeout_ms":10})"),
            R"(kafka sink config "timeout_ms": must be an integer from 100 to 3600000)");
  EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","sasl":{"mechanism":"GSSAPI","username":"u"}})"),
            R"(kafka sink config "sasl.mechanism": must be "PLAIN", "SCRAM-SHA-256" or "SCRAM-SHA-512")");
  EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","sasl":{"mechanism":"PLAIN","username":"u"}})"),
            R"(kafka sink config "sasl.password": is required)");
  EXPECT_EQ(
      constructError(R"({"bootstrap_servers":"k:9092","sasl":{"mechanism":"PLAIN","username":"u",)"
                     R"("password":"env:CCM_TEST_KAFKA_UNSET"}})"),
      R"(kafka sink config "sasl.password": secret "env:CCM_TEST_KAFKA_UNSET": environment variable CCM_TEST_KAFKA_UNSET is not set)");
  EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","tls":{"key_password":"env:X"}})"),
            R"(kafka sink config "tls.key_password": needs "key_file")");
  EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","tls":{"ca_file":"/nonexistent/ca.pem"}})"),
            R"(kafka sink config "tls.ca_file": cannot read file "/nonexistent/ca.pem")");
}

TEST_F(KafkaSinkConfigTest, ExtraPropertiesCannotWeakenTheGuaranteesOrHoldSecrets) {
  for (const std::string name : {"enable.idempotence", "acks", "request.required.acks", "message.timeout.ms",
                                 "transactional.id", "queuing.strategy", "bootstrap.servers", "security.protocol"}) {
    EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","properties":{")" + name + R"(":"x"}})"),
              "kafka sink config \"properties." + name +
                  "\": is set by the sink (docs/sinks/kafka.md, \"properties\") and cannot be changed");
  }
  EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","properties":{"sasl.oauthbearer.client.secret":"x"}})"),
            R"(kafka sink config "properties.sasl.oauthbearer.client.secret": would put a secret in plain text into )"
            R"(the config; use the sink's "tls" and "sasl" keys, whose secrets are secret references)");
  EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","properties":{"linger.ms":""}})"),
            R"(kafka sink config "properties.linger.ms": must be a non-empty string)");
}

TEST_F(KafkaSinkConfigTest, LibrdkafkaChecksTheExtraPropertiesNamingTheKey) {
  EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","properties":{"linger.msec":"5"}})"),
            R"(kafka sink config "properties.linger.msec": No such configuration property: "linger.msec")");
  EXPECT_EQ(constructError(R"({"bootstrap_servers":"k:9092","properties":{"compression.type":"brotli"}})"),
            R"(kafka sink config "properties.compression.type": Invalid value "brotli" for configuration property )"
            R"("compression.codec")");
}

TEST_F(KafkaSinkConfigTest, PropertiesTheIdempotentProducerCannotWorkWithAreRefusedWhenTheSinkIsMade) {
  EXPECT_EQ(
      constructError(R"({"bootstrap_servers":"k:9092","properties":{"max.in.flight":"10"}})"),
      "kafka sink config: librdkafka refused it: `max.in.flight` must be set <= 5 when `enable.idempotence` is true");
}

TEST_F(KafkaSinkConfigTest, TheSchemaAcceptsTheShippedExampleConfig) {
  ccm::testing::expectExampleDiffersOnlyInSinks("kafka", "kafka", ccm::testing::sinkSchema("kafka"));
}

TEST_F(KafkaSinkConfigTest, TheSchemaRefusesWhatTheParserRefuses) {
  const std::string schema = ccm::testing::sinkSchema("kafka");
  EXPECT_TRUE(ccm::testing::schemaAccepts(schema, R"({"bootstrap_servers":"k:9092","properties":{"linger.ms":"5"}})"));
  EXPECT_FALSE(ccm::testing::schemaAccepts(schema, R"({"topic":"t"})"));
  EXPECT_FALSE(ccm::testing::schemaAccepts(schema, R"({"bootstrap_servers":"k","properties":{"linger.ms":5}})"));
  EXPECT_FALSE(ccm::testing::schemaAccepts(schema, R"({"bootstrap_servers":"k","sasl":{"mechanism":"PLAIN"}})"));
  EXPECT_FALSE(ccm::testing::schemaAccepts(
      schema, R"({"bootstrap_servers":"k","sasl":{"mechanism":"PLAIN","username":"u","password":"plain"}})"));
}

class KafkaModule : public testing::KafkaSinkFixture {};

TEST_F(KafkaModule, ExportsTheDescriptorAndCreatesAWorkingSink) {
  const ccm::testing::LoadedPlugin plugin("sink-kafka");
  EXPECT_EQ(plugin.abiVersion(), sdk::kAbiVersion);
  const sdk::PluginDescriptor& descriptor = plugin.descriptor();
  EXPECT_STREQ(descriptor.name, "kafka");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::Sink);
  EXPECT_STREQ(descriptor.version, "0.1.0");
  EXPECT_EQ(descriptor.config_schema, ccm::testing::sinkSchema("kafka"));
  ASSERT_NE(descriptor.create_sink, nullptr);
  KafkaMockCluster cluster;
  cluster.createTopic("ccm-events", 1);
  {
    auto created = descriptor.create_sink(sdk::PluginContext{"events-kafka", configFor(cluster), "", "", host_});
    ASSERT_NE(created.object, nullptr) << created.error;
    const auto outcomes = created.object->deliver(testing::makeEvents(2));
    ASSERT_EQ(outcomes.size(), 2u);
    for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, sdk::Outcome::Kind::Delivered) << outcome.message;
    EXPECT_EQ(
        descriptor.create_sink(sdk::PluginContext{"bad", R"({"bootstrap_servers":"k:9092","acks":"1"})", "", "", host_})
            .error,
        R"(kafka sink config "acks": is not a known setting)");
  }
  KafkaTopicReader reader(cluster.bootstraps(), "ccm-events", 1);
  EXPECT_EQ(reader.waitFor(2).size(), 2u);
}

}  // namespace
}  // namespace ccm::sinks::kafka
