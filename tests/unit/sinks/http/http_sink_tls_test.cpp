#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "fakes/cloudevents_receiver.hpp"
#include "http_sink_test_support.hpp"

namespace ccm::sinks::http {
namespace {

using fakes::CloudEventsReceiver;
using fakes::TlsSettings;
using sdk::Outcome;
using testing::makeEvents;

// Two CAs, a server certificate for 127.0.0.1 and a client certificate, all
// issued by the first CA, made with the openssl CLI once for the suite.
class HttpSinkTls : public testing::HttpSinkFixture {
protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir;
    const std::string log = dir_->file("openssl.log");
    const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    const auto run = [&](const std::string& command) {
      const std::string line = "cd '" + dir_->file("") + "' && " + command + " >>'" + log + "' 2>&1";
      ASSERT_EQ(std::system(line.c_str()), 0) << line << " failed; see " << log;
    };
    for (const std::string ca : {"ca", "other-ca"}) {
      run("openssl req -x509" + ec + " -keyout " + ca + ".key -out " + ca + ".pem -days 2 -subj /CN=ccm-test-" + ca);
    }
    for (const std::string role : {"server", "client"}) {
      const std::string usage = role == "server" ? "serverAuth" : "clientAuth";
      std::ofstream(file(role + ".ext")) << "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=" << usage
                                         << "\n";
      run("openssl req -new" + ec + " -keyout " + role + ".key -out " + role + ".csr -subj /CN=ccm-test-" + role);
      run("openssl x509 -req -in " + role + ".csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 2 -extfile " + role +
          ".ext -out " + role + ".pem");
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string file(const std::string& name) { return dir_->file(name); }
  static TlsSettings serverSettings(const std::string& client_ca_file = "") {
    return {file("server.pem"), file("server.key"), client_ca_file};
  }

  std::unique_ptr<HttpSink> sinkFor(const CloudEventsReceiver& receiver, const std::string& tls) {
    return makeSink(R"({"url":")" + receiver.url() + "\"" + (tls.empty() ? "" : R"(,"tls":)" + tls) + "}");
  }

  static testing::TempDir* dir_;
};

testing::TempDir* HttpSinkTls::dir_ = nullptr;

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
