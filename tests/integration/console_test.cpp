// GET /console against the real ccm-gateway: the console's static files are
// public, typed and fenced by headers; nothing outside its directory is
// served; its sign-in settings are published; a bad directory is refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "child_process.hpp"
#include "http_call.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ccm::testing::ChildProcess;
using ccm::testing::httpCall;
using ccm::testing::HttpReply;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kGateway = CCM_GATEWAY_EXECUTABLE;
const std::string kPluginDir = CCM_PLUGIN_OUTPUT_DIR;
const std::string kConsoleDir = std::string(CCM_SOURCE_DIR) + "/console";
// sha256("k")
const std::string kKeyDigest = "8254c329a92850f6d539dd376f4816ee2764517da5e0235514af433164480d7a";

class Console : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccm-console-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    gateway_.reset();
    fs::remove_all(dir_);
  }

  std::string writeConfig(const std::string& server_extra) {
    const auto file = dir_ / "gateway.json";
    std::ofstream(file) << R"({
  "server": {"host": "127.0.0.1", "port": 0)"
                        << server_extra << R"(},
  "plugins": {"directories": [")"
                        << kPluginDir << R"("]},
  "store": {"sqlite": {"path": ")"
                        << (dir_ / "gw.db").string() << R"("}},
  "sinks": []
})";
    return file.string();
  }

  void start(const std::string& server_extra) {
    gateway_ =
        std::make_unique<ChildProcess>(std::vector<std::string>{kGateway, "--config", writeConfig(server_extra)});
    const auto port = waitForListeningPort(*gateway_, 60s);
    ASSERT_TRUE(port) << gateway_->stderrText();
    port_ = *port;
  }

  static std::string withApiKey(const std::string& console) {
    return R"(, "auth": {"api_keys": [{"name": "ops", "key_sha256": ")" + kKeyDigest +
           R"(", "roles": ["viewer"]}]}, "console": )" + console;
  }

  fs::path dir_;
  std::unique_ptr<ChildProcess> gateway_;
  std::uint16_t port_ = 0;
};

TEST_F(Console, ServesItsFilesWithoutCredentialsAndWithSafeHeaders) {
  start(withApiKey(R"({"directory": ")" + kConsoleDir + R"("})"));
  const auto page = httpCall(port_, "GET", "/console/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(page.body, HasSubstr("<script type=\"module\" src=\"/console/app.js\">"));
  EXPECT_EQ(page.header("Content-Security-Policy"),
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
  EXPECT_EQ(page.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(httpCall(port_, "GET", "/console").body, page.body);

  const auto script = httpCall(port_, "GET", "/console/app.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  // The data behind it still needs credentials.
  EXPECT_EQ(httpCall(port_, "GET", "/api/v1/sessions").status, 401);
}

TEST_F(Console, ServesNothingOutsideItsOwnFiles) {
  const auto files = dir_ / "console";
  fs::create_directories(files);
  std::ofstream(files / "index.html") << "<!doctype html><title>console</title>";
  std::ofstream(files / ".hidden.js") << "TOP-SECRET-CONTENT";
  std::ofstream(files / "notes.txt") << "TOP-SECRET-CONTENT";
  std::ofstream(dir_ / "secret.js") << "TOP-SECRET-CONTENT";
  start(R"(, "console": {"directory": ")" + files.string() + R"("})");

  for (const auto* target : {"/console/..%2Fsecret.js", "/console/%2e%2e/secret.js", "/console/.hidden.js",
                             "/console/notes.txt", "/console/console/index.html"}) {
    const auto reply = httpCall(port_, "GET", target);
    EXPECT_EQ(reply.status, 404) << target;
    EXPECT_THAT(reply.body, Not(HasSubstr("TOP-SECRET-CONTENT"))) << target;
  }
  const auto missing = httpCall(port_, "GET", "/console/nope.js");
  EXPECT_EQ(missing.content_type, "application/problem+json");
  EXPECT_THAT(missing.body, HasSubstr("the console has no file \\\"nope.js\\\""));
}

TEST_F(Console, PublishesItsSignInSettings) {
  start(R"(, "auth": {"oidc": {"issuer": "http://127.0.0.1:9/realms/labs", "audience": "ccm-gateway"},
    "api_keys": [{"name": "ops", "key_sha256": ")" +
        kKeyDigest + R"(", "roles": ["viewer"]}]},
    "console": {"directory": ")" +
        kConsoleDir + R"(", "oidc_client_id": "ccm-console"})");
  const auto config = httpCall(port_, "GET", "/console/config.json");
  EXPECT_EQ(config.status, 200);
  EXPECT_EQ(config.body,
            R"({"auth_required":true,"oidc":{"issuer":"http://127.0.0.1:9/realms/labs","client_id":"ccm-console"}})");
  // The browser may call the issuer (discovery, token endpoint) and nothing else.
  EXPECT_THAT(config.header("Content-Security-Policy"), HasSubstr("connect-src 'self' http://127.0.0.1:9;"));
}

TEST_F(Console, RefusesToStartWithADirectoryWithoutTheConsole) {
  ChildProcess gateway(
      {kGateway, "--config", writeConfig(R"(, "console": {"directory": ")" + dir_.string() + R"("})")});
  EXPECT_NE(gateway.waitForExit(30s).value_or(0), 0);
  gateway.collectOutput();
  EXPECT_THAT(gateway.stderrText(), HasSubstr("/server/console/directory"));
  EXPECT_THAT(gateway.stderrText(), HasSubstr("has no index.html"));
}

}  // namespace
