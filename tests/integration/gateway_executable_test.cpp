// Runs the real ccm-gateway executable: option handling, --check-config exit
// codes and messages, and a start / serve / SIGTERM cycle.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ccm/sdk/plugin.hpp"
#include "child_process.hpp"
#include "http_call.hpp"

namespace {

namespace fs = std::filesystem;
using ccm::testing::ChildProcess;
using ccm::testing::httpCall;
using ccm::testing::HttpReply;
using ccm::testing::runCommand;
using ::testing::HasSubstr;

const std::string kGateway = CCM_GATEWAY_EXECUTABLE;
const std::string kPluginDir = CCM_PLUGIN_OUTPUT_DIR;

class GatewayExecutable : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccm-exe-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string writeConfig(const std::string& text) {
    const auto file = dir_ / "gateway.json";
    std::ofstream(file) << text;
    return file.string();
  }
  std::string configWith(const std::string& sink_config, int port = 0) {
    return writeConfig(R"({
  "server": {"host": "127.0.0.1", "port": )" +
                       std::to_string(port) + R"(},
  "plugins": {"directories": [")" +
                       kPluginDir + R"("]},
  "store": {"sqlite": {"path": ")" +
                       (dir_ / "gw.db").string() + R"("}},
  "sinks": [{"name": "events-file", "plugin": "file", "config": )" +
                       sink_config + R"(}]
})");
  }

  fs::path dir_;
};

HttpReply httpGet(std::uint16_t port, const std::string& path) {
  return httpCall(port, "GET", path);
}

TEST_F(GatewayExecutable, VersionPrintsVersionAndAbi) {
  auto result = runCommand({kGateway, "--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("ccm-gateway " CCM_VERSION_STRING " (plugin SDK ABI " +
                                    std::to_string(ccm::sdk::kAbiVersion) + ")"));
}

TEST_F(GatewayExecutable, HelpListsTheOptions) {
  auto result = runCommand({kGateway, "--help"});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* option : {"--config", "--check-config", "--list-plugins", "--version", "--plugin-dir"}) {
    EXPECT_THAT(result.out, HasSubstr(option));
  }
}

TEST_F(GatewayExecutable, UnknownOptionIsAUsageError) {
  auto result = runCommand({kGateway, "--frobnicate"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.err + result.out, HasSubstr("frobnicate"));
}

TEST_F(GatewayExecutable, CheckConfigAcceptsTheShippedDefaultConfig) {
  auto result = runCommand({kGateway, "--config", CCM_SOURCE_DIR "/config/gateway.json", "--check-config"},
                           {"CCM_PLUGIN_DIR=" + kPluginDir});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("gateway.json: configuration is valid (1 sink(s), 2 source(s)"));
}

TEST_F(GatewayExecutable, CheckConfigNamesFileLineAndPointerOfAPluginConfigError) {
  const auto file = configWith(R"({"path": "x.jsonl",
    "fsink": "always"})");
  auto result = runCommand({kGateway, "--config", file, "--check-config"});
  EXPECT_EQ(result.exit_code, 78);
  EXPECT_THAT(result.err, HasSubstr(file + ":6: /sinks/0/config/fsink: unknown property \"fsink\""));
  EXPECT_THAT(result.err, HasSubstr("(schema of plugin \"file\")"));
}

TEST_F(GatewayExecutable, CheckConfigRejectsInvalidJsonWithExitCode78) {
  const auto file = writeConfig("{\"sinks\": [}");
  auto result = runCommand({kGateway, "--config", file, "--check-config"});
  EXPECT_EQ(result.exit_code, 78);
  EXPECT_THAT(result.err, HasSubstr(file + ":1:12: invalid JSON"));
}

TEST_F(GatewayExecutable, CheckConfigReportsAMissingConfigFile) {
  auto result = runCommand({kGateway, "--config", (dir_ / "absent.json").string(), "--check-config"});
  EXPECT_EQ(result.exit_code, 78);
  EXPECT_THAT(result.err, HasSubstr("absent.json: cannot open config file"));
}

TEST_F(GatewayExecutable, ListPluginsShowsTheFileSinkWithItsVersion) {
  auto result = runCommand({kGateway, "--list-plugins", "--plugin-dir", kPluginDir});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("file\tsink\t0.1.0\t" + kPluginDir + "/libccm-sink-file.so\t"));
}

TEST_F(GatewayExecutable, ListPluginsShowsEveryShippedSink) {
  auto result = runCommand({kGateway, "--list-plugins", "--plugin-dir", kPluginDir});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  for (const char* sink : {"file", "http", "eventgrid", "eventbridge", "knative", "mqtt", "kafka", "nats", "pubsub"}) {
    EXPECT_THAT(result.out,
                HasSubstr(std::string(sink) + "\tsink\t0.1.0\t" + kPluginDir + "/libccm-sink-" + sink + ".so\t"))
        << sink;
  }
}

TEST_F(GatewayExecutable, ListPluginsWithoutArgumentsFindsTheBuiltPlugins) {
  auto result = runCommand({kGateway, "--list-plugins"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("file\tsink\t0.1.0\t"));
}

TEST_F(GatewayExecutable, ListPluginsWithAnUnreadableConfigSaysWhy) {
  auto result = runCommand({kGateway, "--list-plugins", "--config", (dir_ / "absent.json").string()});
  EXPECT_EQ(result.exit_code, 78);
  EXPECT_THAT(result.err, HasSubstr("absent.json: cannot open config file"));
}

TEST_F(GatewayExecutable, StartsServesHealthAndMetricsAndStopsOnSigterm) {
  const auto events = (dir_ / "events.jsonl").string();
  ChildProcess gateway({kGateway, "--config", configWith(R"({"path": ")" + events + R"("})")});
  const auto listening = waitForListeningPort(gateway, std::chrono::seconds(30));
  ASSERT_TRUE(listening) << gateway.stderrText();
  const auto port = *listening;

  auto health = httpGet(port, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, R"({"status":"ok"})");
  auto ready = httpGet(port, "/readyz");
  EXPECT_EQ(ready.status, 200);
  auto metrics = httpGet(port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");
  // The allocator the build links (heap_trim.cpp looks for jemalloc's mallctl).
  EXPECT_THAT(metrics.body,
              HasSubstr("ccm_build_info{allocator=\"" CCM_GATEWAY_ALLOCATOR "\",sdk_abi=\"" +
                        std::to_string(ccm::sdk::kAbiVersion) + "\",version=\"" CCM_VERSION_STRING "\"} 1\n"));
  EXPECT_THAT(metrics.body, HasSubstr("ccm_plugin_instances{kind=\"sink\"} 1\n"));
  EXPECT_THAT(metrics.body, HasSubstr("ccm_http_requests_total{route=\"/healthz\",status=\"200\"} 1\n"));
  auto missing = httpGet(port, "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.content_type, "application/problem+json");
  EXPECT_THAT(missing.body, HasSubstr(R"("status":404,"detail":"no resource at /nope")"));

  gateway.signal(SIGTERM);
  auto code = gateway.waitForExit(std::chrono::seconds(20));
  ASSERT_TRUE(code) << "gateway did not stop on SIGTERM";
  EXPECT_EQ(*code, 0) << gateway.stderrText();
  gateway.collectOutput();
  EXPECT_THAT(gateway.stderrText(), HasSubstr("\"message\":\"stopped\""));
}

TEST_F(GatewayExecutable, StopsCleanlyOnSigint) {
  ChildProcess gateway({kGateway, "--config", configWith(R"({"path": ")" + (dir_ / "e.jsonl").string() + R"("})")});
  ASSERT_TRUE(gateway.waitForStderrLine("\"message\":\"listening\"", std::chrono::seconds(30)));
  gateway.signal(SIGINT);
  auto code = gateway.waitForExit(std::chrono::seconds(20));
  ASSERT_TRUE(code);
  EXPECT_EQ(*code, 0);
}

TEST_F(GatewayExecutable, EveryLogLineIsOneJsonObject) {
  ChildProcess gateway({kGateway, "--config", configWith(R"({"path": ")" + (dir_ / "e.jsonl").string() + R"("})")});
  ASSERT_TRUE(gateway.waitForStderrLine("\"message\":\"listening\"", std::chrono::seconds(30)));
  gateway.signal(SIGTERM);
  ASSERT_TRUE(gateway.waitForExit(std::chrono::seconds(20)));
  gateway.collectOutput();
  std::istringstream lines(gateway.stderrText());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_TRUE(line.starts_with("{\"time\":\"") && line.ends_with("}")) << line;
  }
  EXPECT_GE(count, 3);
}

TEST_F(GatewayExecutable, PortInUseExitsWithUnavailable) {
  ChildProcess first({kGateway, "--config", configWith(R"({"path": ")" + (dir_ / "a.jsonl").string() + R"("})")});
  const auto port = waitForListeningPort(first, std::chrono::seconds(30));
  ASSERT_TRUE(port);
  const auto second_dir = dir_ / "second";
  fs::create_directories(second_dir);
  const auto file = second_dir / "gateway.json";
  std::ofstream(file) << R"({"server": {"port": )" << *port << R"(},
    "plugins": {"directories": [")"
                      << kPluginDir << R"("]},
    "store": {"sqlite": {"path": ")"
                      << (second_dir / "gw.db").string() << R"("}},
    "sinks": [{"name": "f", "plugin": "file", "config": {"path": ")"
                      << (second_dir / "b.jsonl").string() << R"("}}]})";
  auto result = runCommand({kGateway, "--config", file.string()});
  EXPECT_EQ(result.exit_code, 69);
  EXPECT_THAT(result.err, HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(*port)));
}

// docs/configuration.md (store.driver): one gateway per SQLite file; the
// second is refused before it opens the database, and the first goes on.
TEST_F(GatewayExecutable, ASecondGatewayOnTheSameSqliteFileIsRefused) {
  ChildProcess first({kGateway, "--config", configWith(R"({"path": ")" + (dir_ / "a.jsonl").string() + R"("})")});
  const auto port = waitForListeningPort(first, std::chrono::seconds(30));
  ASSERT_TRUE(port) << first.stderrText();
  const auto second_dir = dir_ / "second";
  fs::create_directories(second_dir);
  const auto file = second_dir / "gateway.json";
  std::ofstream(file) << R"({"server": {"host": "127.0.0.1", "port": 0},
    "plugins": {"directories": [")"
                      << kPluginDir << R"("]},
    "store": {"sqlite": {"path": ")"
                      << (dir_ / "gw.db").string() << R"("}}, "sinks": []})";
  auto result = runCommand({kGateway, "--config", file.string()});
  EXPECT_EQ(result.exit_code, 78);
  EXPECT_THAT(result.err, HasSubstr((dir_ / "gw.db").string() + ": another gateway (pid " +
                                    std::to_string(first.pid()) + ") has this SQLite database open"));
  EXPECT_EQ(httpGet(*port, "/readyz").status, 200) << "the first gateway goes on";
  first.signal(SIGTERM);
  ASSERT_TRUE(first.waitForExit(std::chrono::seconds(20)));
  // The lock goes with its gateway: the next one starts.
  ChildProcess next({kGateway, "--config", file.string()});
  EXPECT_TRUE(waitForListeningPort(next, std::chrono::seconds(30))) << next.stderrText();
}

}  // namespace
