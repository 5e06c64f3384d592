#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "fakes/cloudevents_receiver.hpp"
#include "http_sink_test_support.hpp"
#include "support/test_pki.hpp"

namespace ccm::sinks::http {
namespace {

using fakes::CloudEventsReceiver;
using fakes::TlsSettings;
using sdk::Outcome;
using testing::makeEvents;

// Two CAs, a server certificate for 127.0.0.1 and a client certificate, all
// issued by the first CA, made once for the suite.
class HttpSinkTls : public testing::HttpSinkFixture {
protected:
  static void SetUpTestSuite() { pki_ = new ccm::testing::TestPki; }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  static std::string file(const std::string& name) { return pki_->file(name); }
  static TlsSettings serverSettings(const std::string& client_ca_file = "") {
    return {file("server.pem"), file("server.key"), client_ca_file};
  }

  std::unique_ptr<HttpSink> sinkFor(const CloudEventsReceiver& receiver, const std::string& tls) {
    return makeSink(R"({"url":")" + receiver.url() + "\"" + (tls.empty() ? "" : R"(,"tls":)" + tls) + "}");
  }

  static ccm::testing::TestPki* pki_;
};

ccm::testing::TestPki* HttpSinkTls::pki_ = nullptr;

TEST_F(HttpSinkTls, DeliversWhenTheServerCertificateIsIssuedByTheConfiguredCa) {
  CloudEventsReceiver receiver(serverSettings());
  const auto outcomes = sinkFor(receiver, R"({"ca_file":")" + file("ca.pem") + "\"}")->deliver(makeEvents(2));
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered) << outcome.message;
  ASSERT_EQ(receiver.requests().size(), 2u);
  EXPECT_EQ(receiver.requests()[1].header("ce-id"), "evt-2");
}

// A certificate failure is retryable, not permanent: the client reports every
// TLS failure alike, and a server certificate fixed at the receiver (renewed,
// re-issued) should find the events still queued rather than dead-lettered.
TEST_F(HttpSinkTls, ServerCertificateFromAnUntrustedCaIsARetryableTlsFailure) {
  CloudEventsReceiver receiver(serverSettings());
  const auto outcomes = sinkFor(receiver, "")->deliver(makeEvents(1));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcomes[0].message.rfind("TLS failure", 0), 0u) << outcomes[0].message;
  EXPECT_EQ(host_.metricValue("http_sink_requests_total", {{"status", "tls"}}), 1);
  EXPECT_TRUE(receiver.requests().empty());
  const auto logs = host_.logs();
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_EQ(logs[0].level, sdk::LogLevel::Error);
  EXPECT_EQ(logs[0].message, "http sink: TLS failure");
}

TEST_F(HttpSinkTls, WrongCaFileIsARetryableTlsFailure) {
  CloudEventsReceiver receiver(serverSettings());
  const auto outcomes =
      sinkFor(receiver, R"({"ca_file":")" + file("other-ca.pem") + R"(","verify":true})")->deliver(makeEvents(1));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Retryable);
  EXPECT_EQ(outcomes[0].message.rfind("TLS failure", 0), 0u) << outcomes[0].message;
  EXPECT_TRUE(receiver.requests().empty());
}

TEST_F(HttpSinkTls, VerifyFalseAcceptsAnyServerCertificate) {
  CloudEventsReceiver receiver(serverSettings());
  const auto outcomes = sinkFor(receiver, R"({"verify":false})")->deliver(makeEvents(1));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Delivered) << outcomes[0].message;
}

TEST_F(HttpSinkTls, PresentsTheClientCertificateForMutualTls) {
  CloudEventsReceiver receiver(serverSettings(file("ca.pem")));
  const auto outcomes = sinkFor(receiver, R"({"ca_file":")" + file("ca.pem") + R"(","cert_file":")" +
                                              file("client.pem") + R"(","key_file":")" + file("client.key") + "\"}")
                            ->deliver(makeEvents(1));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Delivered) << outcomes[0].message;
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST_F(HttpSinkTls, ServerRequiringAClientCertificateRefusesOneWithout) {
  CloudEventsReceiver receiver(serverSettings(file("ca.pem")));
  const auto outcomes = sinkFor(receiver, R"({"ca_file":")" + file("ca.pem") + "\"}")->deliver(makeEvents(1));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Outcome::Kind::Retryable) << outcomes[0].message;
  EXPECT_TRUE(receiver.requests().empty());
}

}  // namespace
}  // namespace ccm::sinks::http
