#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "http/http_server.hpp"
#include "http/tls_context.hpp"
#include "support/test_pki.hpp"
#include "support/tls_client.hpp"

namespace ccm::core {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using testing::TlsClient;

class TlsServerTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    pki_ = new testing::TestPki;
    pki_->issue("renewed", "ca", "serverAuth", "ccm-test-renewed");
    pki_->issue("stranger", "other-ca", "clientAuth", "ccm-test-stranger");
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  static std::string file(const std::string& name) { return pki_->file(name); }

  static TlsSettings settings(TlsSettings::ClientAuth client_auth = TlsSettings::ClientAuth::None) {
    TlsSettings tls;
    tls.cert_file = file("server.pem");
    tls.key_file = file("server.key");
    tls.client_auth = client_auth;
    if (client_auth != TlsSettings::ClientAuth::None) tls.client_ca_file = file("ca.pem");
    return tls;
  }

  // A server that answers every request with the client certificate's subject.
  void start(TlsSettings tls) {
    HttpServer::Options options;
    options.tls = std::move(tls);
    options.on_tls_failure = [this](const std::string& reason) {
      std::lock_guard lock(mutex_);
      failures_.push_back(reason);
    };
    server_ = std::make_unique<HttpServer>(
        options, [](std::string_view, std::string_view) { return BodyLimit{1024, {}}; },
        [this](HttpRequest request, HttpResponder responder) {
          ++handled_;
          responder.send({200, {{"Content-Type", "text/plain"}}, "subject=" + request.client_subject, false});
        });
    server_->start();
  }

  TlsClient client(const std::string& certificate = "", int max_version = 0) {
    TlsClient::Options options{file("ca.pem"), "", "", max_version};
    if (!certificate.empty()) {
      options.cert_file = file(certificate + ".pem");
      options.key_file = file(certificate + ".key");
    }
    return TlsClient(server_->port(), options);
  }

  std::vector<std::string> failures() {
    // The server reports a failed handshake after the client saw it end.
    for (int i = 0; i < 200; ++i) {
      {
        std::lock_guard lock(mutex_);
        if (!failures_.empty()) return failures_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return {};
  }

  static testing::TestPki* pki_;
  std::unique_ptr<HttpServer> server_;
  std::atomic<int> handled_{0};
  std::mutex mutex_;
  std::vector<std::string> failures_;
};

testing::TestPki* TlsServerTest::pki_ = nullptr;

TEST_F(TlsServerTest, ServesRequestsOverTlsWithItsCertificate) {
  start(settings());
  auto tls = client();
  ASSERT_FALSE(tls.handshakeError()) << tls.handshakeError().message();
  EXPECT_EQ(tls.serverCommonName(), "ccm-test-server");
  const auto response = tls.get("/one");
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(response, ::testing::EndsWith("subject="));
  EXPECT_THAT(tls.get("/two"), StartsWith("HTTP/1.1 200 OK\r\n")) << "keep-alive over TLS";
}

TEST_F(TlsServerTest, PlaintextSentToTheTlsPortIsNeverServed) {
  start(settings());
  tcp::iostream plain(tcp::endpoint(net::ip::address_v4::loopback(), server_->port()));
  plain << "GET / HTTP/1.1\r\nHost: t\r\n\r\n" << std::flush;
  std::string line;
  std::getline(plain, line);
  EXPECT_THAT(line, ::testing::Not(StartsWith("HTTP/1.1 200")));
  EXPECT_EQ(failures(), std::vector<std::string>{"http_request"});
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(TlsServerTest, RequiredClientCertificateIsVerifiedAndItsSubjectHandedOn) {
  start(settings(TlsSettings::ClientAuth::Required));
  auto with = client("client");
  EXPECT_THAT(with.get("/"), HasSubstr("subject=CN=ccm-test-client"));

  auto without = client();
  // TLS 1.3 reports the refusal after the client's side of the handshake.
  EXPECT_EQ(without.get("/"), "");
  EXPECT_EQ(failures(), std::vector<std::string>{"no_client_certificate"});
  EXPECT_EQ(handled_.load(), 1);
}

TEST_F(TlsServerTest, AClientCertificateFromAnotherCaIsRefused) {
  start(settings(TlsSettings::ClientAuth::Optional));
  auto stranger = client("stranger");
  EXPECT_EQ(stranger.get("/"), "");
  EXPECT_EQ(failures(), std::vector<std::string>{"client_certificate_rejected"});
  EXPECT_EQ(handled_.load(), 0);
}

TEST_F(TlsServerTest, OptionalClientCertificateMayBeLeftOut) {
  start(settings(TlsSettings::ClientAuth::Optional));
  EXPECT_THAT(client().get("/"), ::testing::EndsWith("\r\n\r\nsubject="));
  EXPECT_THAT(client("client").get("/"), ::testing::EndsWith("subject=CN=ccm-test-client"));
}

TEST_F(TlsServerTest, MinimumVersionRefusesOlderClients) {
  auto tls = settings();
  tls.min_version = "1.3";
  start(tls);
  auto old = client("", TLS1_2_VERSION);
  EXPECT_TRUE(old.handshakeError());
  EXPECT_EQ(failures(), std::vector<std::string>{"protocol_version"});
}

TEST_F(TlsServerTest, ARenewedCertificateServesNewConnectionsWhileOpenOnesStay) {
  start(settings());
  auto before = client();
  ASSERT_THAT(before.get("/"), StartsWith("HTTP/1.1 200 OK\r\n"));
  auto renewed = settings();
  renewed.cert_file = file("renewed.pem");
  renewed.key_file = file("renewed.key");
  server_->useTls(makeServerTlsContext(renewed));
  auto after = client();
  EXPECT_EQ(after.serverCommonName(), "ccm-test-renewed");
  EXPECT_THAT(after.get("/"), StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(before.serverCommonName(), "ccm-test-server");
  EXPECT_THAT(before.get("/still-open"), StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_F(TlsServerTest, ACertificateThatCannotBeUsedIsRefusedNamingTheSetting) {
  auto missing = settings();
  missing.cert_file = file("nowhere.pem");
  EXPECT_THAT([&] { makeServerTlsContext(missing); },
              ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("server.tls.cert_file " + file("nowhere.pem") +
                                                                     ": cannot read: No such file")));
  auto mismatched = settings();
  mismatched.key_file = file("renewed.key");
  EXPECT_THAT([&] { makeServerTlsContext(mismatched); },
              ::testing::ThrowsMessage<std::runtime_error>(
                  HasSubstr("server.tls.key_file " + file("renewed.key") + ": does not match server.tls.cert_file")));
  auto not_pem = settings();
  not_pem.key_file = file("openssl.log");
  EXPECT_THAT([&] { makeServerTlsContext(not_pem); },
              ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("server.tls.key_file")));
  HttpServer::Options options;
  options.tls = mismatched;
  EXPECT_THAT([&] { HttpServer(options, nullptr, nullptr); },
              ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("does not match")));
}

}  // namespace
}  // namespace ccm::core
