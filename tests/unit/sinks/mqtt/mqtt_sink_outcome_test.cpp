#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "mqtt_sink_test_support.hpp"
#include "mqtt_subscriber.hpp"
#include "test_pki.hpp"
#include "wait_until.hpp"

namespace ccm::sinks::mqtt {
namespace {

using ccm::testing::MosquittoBroker;
using ccm::testing::MqttSubscriber;
using testing::configFor;
using testing::makeEvent;
using testing::makeEvents;
using Kind = sdk::Outcome::Kind;
using ::testing::HasSubstr;

class MqttSinkOutcomes : public testing::MqttSinkFixture {};

TEST_F(MqttSinkOutcomes, ATopicTheBrokerDeniesIsPermanentOnMqtt5) {
  MosquittoBroker broker(MosquittoBroker::Options{.acl = "topic read #\ntopic readwrite ccm/#\n"});
  MqttSubscriber subscriber(broker.port(), true);
  auto denied = makeSink(configFor(broker.port(), R"("topic":"private/{type}")"));
  const auto outcomes = denied->deliver(makeEvents(2));
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& outcome : outcomes) {
    EXPECT_EQ(outcome.kind, Kind::Permanent);
    EXPECT_EQ(outcome.message, "broker refused the message: PUBACK reason code 0x87 (Not authorized)");
  }
  auto allowed = makeSink(configFor(broker.port()));
  EXPECT_EQ(allowed->deliver({makeEvent(3)}).at(0).kind, Kind::Delivered);
  const auto received = subscriber.waitFor(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].topic, "ccm/events/com.example.mqtt-sink.test");
}

TEST_F(MqttSinkOutcomes, ATopicTheBrokerDeniesIsDeliveredOnMqtt311WhichHasNoReasonCodes) {
  MosquittoBroker broker(MosquittoBroker::Options{.acl = "topic read #\ntopic readwrite ccm/#\n"});
  auto denied = makeSink(configFor(broker.port(), R"("protocol_version":"3.1.1","topic":"private/{type}")"));
  EXPECT_EQ(denied->deliver({makeEvent(1)}).at(0).kind, Kind::Delivered);
}

TEST_F(MqttSinkOutcomes, NoPubackWithinTheTimeoutIsRetryableAndHoldsBackTheSubject) {
  MosquittoBroker broker;
  auto sink = makeSink(configFor(broker.port(), R"("timeout_ms":300)"));
  ASSERT_EQ(sink->deliver({makeEvent(1)}).at(0).kind, Kind::Delivered);  // connected
  broker.pause();
  const auto outcomes = sink->deliver({makeEvent(2, "s"), makeEvent(3, "s")});
  broker.resume();
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, Kind::Retryable);
  EXPECT_EQ(outcomes[0].message, "no PUBACK within timeout_ms (300 ms)");
  EXPECT_EQ(outcomes[1].kind, Kind::Retryable);
  EXPECT_EQ(outcomes[1].message, "not attempted: an earlier event of this batch failed");
}

TEST_F(MqttSinkOutcomes, MessagesTheBrokerDoesNotAcknowledgeAreBoundedUntilItAcknowledgesThem) {
  MosquittoBroker broker;
  auto sink = makeSink(configFor(broker.port(), R"("timeout_ms":200,"max_unacknowledged":3)"));
  ASSERT_EQ(sink->deliver({makeEvent(1)}).at(0).kind, Kind::Delivered);  // connected
  broker.pause();
  for (const auto& outcome : sink->deliver({makeEvent(2), makeEvent(3), makeEvent(4)})) {
    EXPECT_EQ(outcome.message, "no PUBACK within timeout_ms (200 ms)");
  }
  // Timed out, yet libmosquitto still holds the three: nothing more is sent.
  const auto held = sink->deliver({makeEvent(5)}).at(0);
  EXPECT_EQ(held.kind, Kind::Retryable);
  EXPECT_EQ(held.message, "3 messages await a PUBACK from the MQTT broker at 127.0.0.1:" +
                              std::to_string(broker.port()) + " (max_unacknowledged): it is not acknowledging");
  EXPECT_EQ(host_.metricValue("mqtt_sink_unacknowledged_messages"), 3.0);

  broker.resume();
  // The late PUBACKs free the room; they settle nothing, as those deliveries are over.
  ASSERT_TRUE(ccm::testing::waitUntil(std::chrono::seconds(10), [&] {
    return host_.metricValue("mqtt_sink_unacknowledged_messages") == 0.0;
  }));
  EXPECT_EQ(sink->deliver({makeEvent(5)}).at(0).kind, Kind::Delivered);
  EXPECT_EQ(host_.metricValue("mqtt_sink_unacknowledged_messages"), 0.0);
}

TEST_F(MqttSinkOutcomes, AStoppedBrokerIsRetryableAndDeliveryResumesWhenItIsBack) {
  MosquittoBroker broker;
  auto sink = makeSink(configFor(broker.port(), R"("connect_timeout_ms":200)"));
  ASSERT_EQ(sink->deliver({makeEvent(1)}).at(0).kind, Kind::Delivered);
  broker.stop();
  const auto down = sink->deliver({makeEvent(2)});
  EXPECT_EQ(down.at(0).kind, Kind::Retryable);
  // "not connected to the MQTT broker at 127.0.0.1:<port>: ...", or "connection to 127.0.0.1:<port> lost before
  // the PUBACK: ..." when the sink publishes before it notices the closed connection.
  EXPECT_THAT(down.at(0).message, HasSubstr("127.0.0.1:" + std::to_string(broker.port())));
  broker.start();
  MqttSubscriber subscriber(broker.port(), true);
  // The sink reconnects with backoff; each call waits up to connect_timeout_ms.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  sdk::Outcome outcome = sink->deliver({makeEvent(2)}).at(0);
  while (outcome.kind != Kind::Delivered && std::chrono::steady_clock::now() < deadline) {
    outcome = sink->deliver({makeEvent(2)}).at(0);
  }
  EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
  EXPECT_EQ(subscriber.waitFor(1).size(), 1u);
}

TEST_F(MqttSinkOutcomes, AMessageOverTheBrokersMaximumPacketSizeIsPermanent) {
  MosquittoBroker broker(MosquittoBroker::Options{.global = "max_packet_size 1000"});
  auto sink = makeSink(configFor(broker.port()));
  sdk::CloudEvent big = makeEvent(1);
  big.data = sdk::Data::json("\"" + std::string(2000, 'x') + "\"");
  const auto outcomes = sink->deliver({big, makeEvent(2)});
  EXPECT_EQ(outcomes.at(0).kind, Kind::Permanent);
  EXPECT_EQ(outcomes.at(0).message, "message of 2002 payload bytes is over the broker's Maximum Packet Size");
  EXPECT_EQ(outcomes.at(1).kind, Kind::Delivered) << outcomes.at(1).message;
}

TEST_F(MqttSinkOutcomes, UsernameAndPasswordFromASecretAreAccepted) {
  MosquittoBroker broker(MosquittoBroker::Options{.users = {{"gateway", "s3cret"}}});
  MqttSubscriber subscriber(broker.port(), true);
  ::setenv("CCM_TEST_MQTT_PASSWORD", "s3cret", 1);
  auto sink = makeSink(configFor(broker.sinkPort(), R"("username":"gateway","password":"env:CCM_TEST_MQTT_PASSWORD")"));
  ::unsetenv("CCM_TEST_MQTT_PASSWORD");
  const auto outcome = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
  EXPECT_EQ(subscriber.waitFor(1).size(), 1u);
}

TEST_F(MqttSinkOutcomes, AWrongPasswordIsPermanent) {
  MosquittoBroker broker(MosquittoBroker::Options{.users = {{"gateway", "s3cret"}}});
  ::setenv("CCM_TEST_MQTT_PASSWORD", "wrong", 1);
  auto sink = makeSink(configFor(broker.sinkPort(), R"("username":"gateway","password":"env:CCM_TEST_MQTT_PASSWORD",)"
                                                    R"("connect_timeout_ms":2000)"));
  ::unsetenv("CCM_TEST_MQTT_PASSWORD");
  const auto outcomes = sink->deliver(makeEvents(3));
  for (const auto& each : outcomes) EXPECT_EQ(each.kind, Kind::Permanent) << each.message;
  const auto& outcome = outcomes.at(2);
  // mosquitto answers a wrong password with 0x87 rather than 0x86.
  EXPECT_EQ(outcome.message, "not connected to the MQTT broker at 127.0.0.1:" + std::to_string(broker.sinkPort()) +
                                 ": the broker refused the connection: 0x87 (Not authorized)");
}

class MqttSinkTls : public testing::MqttSinkFixture {
protected:
  // A TLS listener that requires a client certificate issued by "ca".
  MosquittoBroker::Options tlsListener() const {
    return {.sink_listener = "cafile " + pki_.file("ca.pem") + "\ncertfile " + pki_.file("server.pem") + "\nkeyfile " +
                             pki_.file("server.key") + "\nrequire_certificate true\n"};
  }

  ccm::testing::TestPki pki_;
};

TEST_F(MqttSinkTls, MutualTlsWithTheBrokersCaDelivers) {
  MosquittoBroker broker(tlsListener());
  MqttSubscriber subscriber(broker.port(), true);
  auto sink = makeSink(configFor(broker.sinkPort(), R"("tls":{"ca_file":")" + pki_.file("ca.pem") +
                                                        R"(","cert_file":")" + pki_.file("client.pem") +
                                                        R"(","key_file":")" + pki_.file("client.key") + R"("})"));
  const auto outcome = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
  EXPECT_EQ(subscriber.waitFor(1).size(), 1u);
}

TEST_F(MqttSinkTls, ABrokerCertificateFromAnotherCaIsRetryable) {
  MosquittoBroker broker(tlsListener());
  auto sink = makeSink(configFor(broker.sinkPort(), R"("connect_timeout_ms":1000,"tls":{"ca_file":")" +
                                                        pki_.file("other-ca.pem") + R"(","cert_file":")" +
                                                        pki_.file("client.pem") + R"(","key_file":")" +
                                                        pki_.file("client.key") + R"("})"));
  const auto outcome = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Retryable);
  EXPECT_EQ(outcome.message, "not connected to the MQTT broker at 127.0.0.1:" + std::to_string(broker.sinkPort()) +
                                 ": cannot connect: A TLS error occurred.");
}

TEST_F(MqttSinkTls, WithVerificationOffAnUntrustedBrokerIsAccepted) {
  MosquittoBroker broker(tlsListener());
  auto sink = makeSink(configFor(broker.sinkPort(), R"("tls":{"verify":false,"cert_file":")" + pki_.file("client.pem") +
                                                        R"(","key_file":")" + pki_.file("client.key") + R"("})"));
  const auto outcome = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
}

TEST_F(MqttSinkOutcomes, ASinkStillConnectingIsDestroyedPromptly) {
  // A listening socket whose accept queue (backlog 0) is full: the kernel
  // drops further SYNs, so a TCP connect to it stays in progress for minutes.
  Poco::Net::ServerSocket full(Poco::Net::SocketAddress("127.0.0.1", 0), 0);
  std::vector<Poco::Net::StreamSocket> queued(2);
  for (auto& socket : queued) socket.connectNB(full.address());
  auto sink = makeSink(configFor(full.address().port(), R"("connect_timeout_ms":300)"));
  EXPECT_EQ(sink->deliver({makeEvent(1)}).at(0).message,
            "not connected to the MQTT broker at 127.0.0.1:" + std::to_string(full.address().port()) +
                ": still connecting");
  const auto start = std::chrono::steady_clock::now();
  sink.reset();
  // About the loop's disconnect grace (1 s); a blocking connect held it until the kernel gave up.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

}  // namespace
}  // namespace ccm::sinks::mqtt
