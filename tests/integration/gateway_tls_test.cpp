// The real ccm-gateway serving HTTPS (server.tls): start-up refusals naming
// the file, certificate renewal through POST /api/v1/admin/reload while a
// keep-alive connection stays open, and a reload with a broken key refused.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "child_process.hpp"
#include "support/test_pki.hpp"
#include "support/tls_client.hpp"

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using ccm::testing::ChildProcess;
using ccm::testing::runCommand;
using ccm::testing::TestPki;
using ccm::testing::TlsClient;

const std::string kGateway = CCM_GATEWAY_EXECUTABLE;
const std::string kPluginDir = CCM_PLUGIN_OUTPUT_DIR;

class GatewayTls : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    pki_ = new TestPki;
    pki_->issue("renewed", "ca", "serverAuth", "ccm-test-renewed");
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccm-tls-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    // The files the gateway reads, as a certificate manager would keep them.
    fs::copy_file(pki_->file("server.pem"), dir_ / "tls.crt");
    fs::copy_file(pki_->file("server.key"), dir_ / "tls.key");
  }
  void TearDown() override {
    gateway_.reset();
    fs::remove_all(dir_);
  }

  std::string config() {
    const auto file = dir_ / "gateway.json";
    std::ofstream(file) << R"({
  "server": {"host": "127.0.0.1", "port": 0,
             "tls": {"cert_file": ")" << (dir_ / "tls.crt").string() << R"(", "key_file": ")"
                        << (dir_ / "tls.key").string() << R"("}},
  "plugins": {"directories": [")" << kPluginDir << R"("]},
  "store": {"sqlite": {"path": ")" << (dir_ / "gw.db").string() << R"("}},
  "sinks": []
})";
    return file.string();
  }

  void replace(const std::string& name, const std::string& with) {
    fs::copy_file(pki_->file(with), dir_ / name, fs::copy_options::overwrite_existing);
  }

  TlsClient client() { return TlsClient(port_, {pki_->file("ca.pem"), "", "", 0}); }

  static TestPki* pki_;
  fs::path dir_;
  std::unique_ptr<ChildProcess> gateway_;
  std::uint16_t port_ = 0;
};

TestPki* GatewayTls::pki_ = nullptr;

TEST_F(GatewayTls, RenewsItsCertificateOnReloadWhileOpenConnectionsStay) {
  gateway_ = std::make_unique<ChildProcess>(std::vector<std::string>{kGateway, "--config", config()});
  const auto port = waitForListeningPort(*gateway_, std::chrono::seconds(60));
  ASSERT_TRUE(port) << gateway_->stderrText();
  port_ = *port;

  auto open = client();
  ASSERT_FALSE(open.handshakeError()) << open.handshakeError().message();
  EXPECT_EQ(open.serverCommonName(), "ccm-test-server");
  EXPECT_THAT(open.get("/healthz"), StartsWith("HTTP/1.1 200 OK\r\n"));

  replace("tls.crt", "renewed.pem");
  replace("tls.key", "renewed.key");
  EXPECT_THAT(open.request("POST", "/api/v1/admin/reload"), StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(client().serverCommonName(), "ccm-test-renewed");
  EXPECT_THAT(open.get("/healthz"), StartsWith("HTTP/1.1 200 OK\r\n")) << "the open connection stayed";

  // A key that does not belong to the certificate: refused, the renewed one stays.
  replace("tls.key", "server.key");
  const auto refused = open.request("POST", "/api/v1/admin/reload");
  EXPECT_THAT(refused, StartsWith("HTTP/1.1 422 "));
  EXPECT_THAT(refused, HasSubstr("server.tls.key_file " + (dir_ / "tls.key").string() + ": does not match"));
  auto after = client();
  EXPECT_EQ(after.serverCommonName(), "ccm-test-renewed");
  EXPECT_THAT(after.get("/healthz"), StartsWith("HTTP/1.1 200 OK\r\n"));
}

// server.auth.client_certificates: a verified client certificate's subject
// is the caller, with the roles it maps to; without one, credentials are needed.
TEST_F(GatewayTls, AClientCertificateMapsToItsRoles) {
  const auto file = dir_ / "mtls.json";
  std::ofstream(file) << R"({
  "server": {"host": "127.0.0.1", "port": 0,
             "tls": {"cert_file": ")" << (dir_ / "tls.crt").string() << R"(", "key_file": ")"
                      << (dir_ / "tls.key").string() << R"(", "client_ca_file": ")" << pki_->file("ca.pem")
                      << R"(", "client_auth": "optional"},
             "auth": {"client_certificates": [{"subject": "CN=ccm-test-client", "roles": ["viewer"]}]}},
  "plugins": {"directories": [")" << kPluginDir << R"("]},
  "store": {"sqlite": {"path": ")" << (dir_ / "gw.db").string() << R"("}},
  "sinks": []
})";
  gateway_ = std::make_unique<ChildProcess>(std::vector<std::string>{kGateway, "--config", file.string()});
  const auto port = waitForListeningPort(*gateway_, std::chrono::seconds(60));
  ASSERT_TRUE(port) << gateway_->stderrText();
  TlsClient with_certificate(*port, {pki_->file("ca.pem"), pki_->file("client.pem"), pki_->file("client.key"), 0});
  EXPECT_THAT(with_certificate.get("/api/v1/sessions"), StartsWith("HTTP/1.1 200 OK\r\n"));
  const auto command = with_certificate.request("POST", "/api/v1/workers", "{}");
  EXPECT_THAT(command, StartsWith("HTTP/1.1 403 "));
  EXPECT_THAT(command, HasSubstr("needs role operator; certificate \\\"CN=ccm-test-client\\\" has roles [viewer]"));
  TlsClient without(*port, {pki_->file("ca.pem"), "", "", 0});
  EXPECT_THAT(without.get("/api/v1/sessions"), StartsWith("HTTP/1.1 401 "));
  EXPECT_THAT(without.get("/healthz"), StartsWith("HTTP/1.1 200 OK\r\n"));
}

TEST_F(GatewayTls, ACertificateThatCannotBeUsedIsAConfigurationError) {
  const auto file = config();
  fs::remove(dir_ / "tls.crt");
  const auto check = runCommand({kGateway, "--config", file, "--check-config"});
  EXPECT_EQ(check.exit_code, 78);
  EXPECT_THAT(check.err, HasSubstr("server.tls.cert_file " + (dir_ / "tls.crt").string() + ": cannot read"));
  const auto serve = runCommand({kGateway, "--config", file});
  EXPECT_EQ(serve.exit_code, 78);
  EXPECT_THAT(serve.err, HasSubstr("server.tls.cert_file"));
  EXPECT_FALSE(fs::exists(dir_ / "gw.db")) << "refused before the store was opened";
}

}  // namespace
