#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "nats_sink_test_support.hpp"
#include "test_pki.hpp"

namespace ccm::sinks::nats {
namespace {

using testing::configFor;
using testing::JetStreamClient;
using testing::kNumberedSubject;
using testing::makeEvent;
using testing::makeEvents;
using testing::NatsServer;
using Kind = sdk::Outcome::Kind;
using ::testing::HasSubstr;

class NatsSinkOutcomes : public testing::NatsSinkFixture {
protected:
  // Delivers event 2 again and again until it is delivered or 15 s pass; the
  // sink reconnects with backoff and each call waits up to connect_timeout_ms.
  static sdk::Outcome deliverWhenBack(NatsSink& sink) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    sdk::Outcome outcome = sink.deliver({makeEvent(2)}).at(0);
    while (outcome.kind != Kind::Delivered && std::chrono::steady_clock::now() < deadline) {
      outcome = sink.deliver({makeEvent(2)}).at(0);
    }
    return outcome;
  }
};

TEST_F(NatsSinkOutcomes, ASubjectNoStreamTakesIsRetryable) {
  NatsServer server;
  auto sink = makeSink(configFor(server));
  const auto outcomes = sink->deliver({makeEvent(1, "s"), makeEvent(2, "s")});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, Kind::Retryable);
  EXPECT_EQ(outcomes[0].message, std::string("no JetStream stream takes the subject \"") + kNumberedSubject +
                                     "\" (no responders): create a stream whose subjects include it");
  EXPECT_EQ(outcomes[1].kind, Kind::Retryable);
  EXPECT_EQ(outcomes[1].message, "not attempted: an earlier event of this batch failed");
  addEventsStream(server);
  EXPECT_EQ(sink->deliver({makeEvent(1)}).at(0).kind, Kind::Delivered);
}

TEST_F(NatsSinkOutcomes, NoPubAckWithinTheTimeoutIsRetryableAndHoldsBackTheSubject) {
  NatsServer server;
  addEventsStream(server);
  auto sink = makeSink(configFor(server, R"("timeout_ms":300)"));
  ASSERT_EQ(sink->deliver({makeEvent(1)}).at(0).kind, Kind::Delivered);  // connected
  server.pause();
  const auto outcomes = sink->deliver({makeEvent(2, "s"), makeEvent(3, "s")});
  server.resume();
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, Kind::Retryable);
  EXPECT_EQ(outcomes[0].message, "no PubAck within timeout_ms (300 ms)");
  EXPECT_EQ(outcomes[1].kind, Kind::Retryable);
  EXPECT_EQ(outcomes[1].message, "not attempted: an earlier event of this batch failed");
}

TEST_F(NatsSinkOutcomes, AStoppedServerIsRetryableAndDeliveryResumesWhenItIsBack) {
  NatsServer server;
  addEventsStream(server);
  auto sink = makeSink(configFor(server, R"("connect_timeout_ms":200,"timeout_ms":1000)"));
  ASSERT_EQ(sink->deliver({makeEvent(1)}).at(0).kind, Kind::Delivered);
  server.stop();
  const auto down = sink->deliver({makeEvent(2)});
  EXPECT_EQ(down.at(0).kind, Kind::Retryable);
  // "not connected to the NATS server at nats://127.0.0.1:<port>: connection lost: ...", or the PubAck's timeout
  // when the sink publishes before libnats notices the closed connection.
  EXPECT_THAT(down.at(0).message, ::testing::AnyOf(HasSubstr("nats://127.0.0.1:" + std::to_string(server.port())),
                                                   HasSubstr("no PubAck within timeout_ms")));
  server.start();
  const sdk::Outcome outcome = deliverWhenBack(*sink);
  EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
  EXPECT_EQ(JetStreamClient(server).messages("CCM").size(), 2u);
  EXPECT_EQ(host_.metricValue("nats_sink_connected"), 1.0);
}

TEST_F(NatsSinkOutcomes, AServerDownAtStartDoesNotFailTheSinkAndItConnectsLater) {
  NatsServer server;
  addEventsStream(server);
  server.stop();
  auto sink = makeSink(configFor(server, R"("connect_timeout_ms":200)"));
  const auto down = sink->deliver({makeEvent(1)});
  EXPECT_EQ(down.at(0).kind, Kind::Retryable);
  EXPECT_THAT(down.at(0).message, ::testing::StartsWith("not connected to the NATS server at nats://127.0.0.1:" +
                                                        std::to_string(server.port()) + ": "));
  server.start();
  const sdk::Outcome outcome = deliverWhenBack(*sink);
  EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
}

TEST_F(NatsSinkOutcomes, AMessageOverTheStreamsMaximumMessageSizeIsPermanent) {
  NatsServer server;
  addEventsStream(server, 500);
  auto sink = makeSink(configFor(server));
  sdk::CloudEvent big = makeEvent(1);
  big.data = sdk::Data::json("\"" + std::string(1000, 'x') + "\"");
  const auto outcomes = sink->deliver({big, makeEvent(2)});
  EXPECT_EQ(outcomes.at(0).kind, Kind::Permanent);
  EXPECT_EQ(outcomes.at(0).message,
            "JetStream refused the message: message size exceeds maximum allowed (error code 10054)");
  EXPECT_EQ(outcomes.at(1).kind, Kind::Delivered) << outcomes.at(1).message;
}

TEST_F(NatsSinkOutcomes, AMessageOverTheServersMaxPayloadIsPermanent) {
  NatsServer server(NatsServer::Options{.extra = "max_payload: 2048"});
  addEventsStream(server);
  auto sink = makeSink(configFor(server));
  sdk::CloudEvent big = makeEvent(1);
  big.data = sdk::Data::json("\"" + std::string(3000, 'x') + "\"");
  const auto outcomes = sink->deliver({big, makeEvent(2)});
  EXPECT_EQ(outcomes.at(0).kind, Kind::Permanent);
  EXPECT_EQ(outcomes.at(0).message,
            "message of 3002 payload bytes and its headers is over the server's max_payload (2048 bytes)");
  EXPECT_EQ(outcomes.at(1).kind, Kind::Delivered) << outcomes.at(1).message;
}

TEST_F(NatsSinkOutcomes, AnotherStreamThanTheExpectedOneIsPermanent) {
  NatsServer server;
  addEventsStream(server);
  auto sink = makeSink(configFor(server, R"("expected_stream":"AUDIT")"));
  const auto outcome = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Permanent);
  EXPECT_EQ(outcome.message, "JetStream refused the message: expected stream does not match (error code 10060)");
  EXPECT_TRUE(JetStreamClient(server).messages("CCM").empty());
}

NatsServer::Options usersGatewayAndAdmin() {
  return {.authorization = "users = [\n  {user: gateway, password: s3cret}\n  {user: admin, password: admin}\n]",
          .client_user = "admin",
          .client_password = "admin"};
}

TEST_F(NatsSinkOutcomes, UserAndPasswordFromASecretAreAccepted) {
  NatsServer server(usersGatewayAndAdmin());
  addEventsStream(server);
  ::setenv("CCM_TEST_NATS_PASSWORD", "s3cret", 1);
  auto sink = makeSink(configFor(server, R"("user":"gateway","password":"env:CCM_TEST_NATS_PASSWORD")"));
  ::unsetenv("CCM_TEST_NATS_PASSWORD");
  const auto outcome = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
  EXPECT_EQ(JetStreamClient(server).messages("CCM").size(), 1u);
}

TEST_F(NatsSinkOutcomes, AWrongPasswordIsPermanent) {
  NatsServer server(usersGatewayAndAdmin());
  ::setenv("CCM_TEST_NATS_PASSWORD", "wrong", 1);
  auto sink = makeSink(
      configFor(server, R"("user":"gateway","password":"env:CCM_TEST_NATS_PASSWORD","connect_timeout_ms":2000)"));
  ::unsetenv("CCM_TEST_NATS_PASSWORD");
  const auto outcomes = sink->deliver(makeEvents(3));
  for (const auto& each : outcomes) EXPECT_EQ(each.kind, Kind::Permanent) << each.message;
  EXPECT_EQ(outcomes.at(2).message, "not connected to the NATS server at " + server.url() +
                                        ": cannot connect: Authentication Violation: Authorization Violation");
}

TEST_F(NatsSinkOutcomes, ATokenFromASecretIsAccepted) {
  NatsServer server(NatsServer::Options{.authorization = "token: \"t0ken\"", .client_token = "t0ken"});
  addEventsStream(server);
  ::setenv("CCM_TEST_NATS_TOKEN", "t0ken", 1);
  auto sink = makeSink(configFor(server, R"("token":"env:CCM_TEST_NATS_TOKEN")"));
  ::unsetenv("CCM_TEST_NATS_TOKEN");
  const auto outcome = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
}

TEST_F(NatsSinkOutcomes, AnNkeyWhoseSeedSignsTheNonceIsAccepted) {
  // The example key pair of the NATS documentation (docs.nats.io, NKeys).
  NatsServer server(NatsServer::Options{
      .authorization = "users = [\n  {nkey: UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4}\n"
                       "  {user: admin, password: admin}\n]",
      .client_user = "admin",
      .client_password = "admin"});
  addEventsStream(server);
  ::setenv("CCM_TEST_NATS_SEED", "SUACSSL3UAHUDXKFSNVUZRF5UHPMWZ6BFDTJ7M6USDXIEDNPPQYYYCU3VY", 1);
  auto sink = makeSink(configFor(
      server,
      R"("nkey":"UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4","nkey_seed":"env:CCM_TEST_NATS_SEED")"));
  ::unsetenv("CCM_TEST_NATS_SEED");
  const auto outcome = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
}

class NatsSinkTls : public testing::NatsSinkFixture {
protected:
  // A server that requires TLS and a client certificate issued by "ca".
  NatsServer::Options tlsServer() const {
    return {.tls = NatsServer::Tls{.ca_file = pki_.file("ca.pem"),
                                   .cert_file = pki_.file("server.pem"),
                                   .key_file = pki_.file("server.key"),
                                   .verify_clients = true,
                                   .client_cert_file = pki_.file("client.pem"),
                                   .client_key_file = pki_.file("client.key")}};
  }

  std::string clientCertificate() const {
    return R"("cert_file":")" + pki_.file("client.pem") + R"(","key_file":")" + pki_.file("client.key") + "\"";
  }

  ccm::testing::TestPki pki_;
};

TEST_F(NatsSinkTls, MutualTlsWithTheServersCaDelivers) {
  NatsServer server(tlsServer());
  addEventsStream(server);
  auto sink =
      makeSink(configFor(server, R"("tls":{"ca_file":")" + pki_.file("ca.pem") + "\"," + clientCertificate() + "}"));
  const auto outcome = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
  EXPECT_EQ(JetStreamClient(server).messages("CCM").size(), 1u);
}

TEST_F(NatsSinkTls, AServerCertificateFromAnotherCaIsRetryable) {
  NatsServer server(tlsServer());
  auto sink = makeSink(configFor(server, R"("connect_timeout_ms":1000,"tls":{"ca_file":")" + pki_.file("other-ca.pem") +
                                             "\"," + clientCertificate() + "}"));
  const auto outcome = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Retryable);
  EXPECT_THAT(outcome.message, ::testing::StartsWith("not connected to the NATS server at " + server.url() +
                                                     ": cannot connect: SSL Error"));
}

TEST_F(NatsSinkTls, WithVerificationOffAnUntrustedServerIsAccepted) {
  NatsServer server(tlsServer());
  addEventsStream(server);
  auto sink = makeSink(configFor(server, R"("tls":{"verify":false,)" + clientCertificate() + "}"));
  const auto outcome = sink->deliver({makeEvent(1)}).at(0);
  EXPECT_EQ(outcome.kind, Kind::Delivered) << outcome.message;
}

}  // namespace
}  // namespace ccm::sinks::nats
