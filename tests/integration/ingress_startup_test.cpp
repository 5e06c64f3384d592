// Ingress configuration the gateway must refuse at start-up, before it
// accepts a single event.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "child_process.hpp"

namespace ccm::testing {
namespace {

using ::testing::HasSubstr;

class IngressStartUp : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ccm-ingress-start-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CommandResult run(const std::string& sources, const std::vector<std::string>& env) {
    const auto file = dir_ / "gateway.json";
    std::ofstream(file) << R"({
  "server": {"host": "127.0.0.1", "port": 0},
  "plugins": {"directories": [")" << CCM_PLUGIN_OUTPUT_DIR << R"("]},
  "store": {"driver": "sqlite", "sqlite": {"path": ")" << (dir_ / "gw.db").string() << R"("}},
  "sinks": [],
  "sources": )" << sources << "}";
    return runCommand({CCM_GATEWAY_EXECUTABLE, "--config", file.string()}, env, std::chrono::seconds(30));
  }

  std::filesystem::path dir_;
};

TEST_F(IngressStartUp, OverlappingClaimsAreAConfigurationError) {
  auto result = run(R"([{"name": "lds-a", "plugin": "lds", "auth": {"bearer_token": "env:CCM_TEST_TOKEN"}},
                        {"name": "lds-b", "plugin": "lds", "auth": {"bearer_token": "env:CCM_TEST_TOKEN"}}])",
                    {"CCM_TEST_TOKEN=t"});
  EXPECT_EQ(result.exit_code, 78);
  EXPECT_THAT(result.err, HasSubstr("cannot start"));
  EXPECT_THAT(result.err, HasSubstr("source \\\"lds-b\\\" claim \\\"lds.session.started\\\" overlaps source "
                                    "\\\"lds-a\\\""));
}

TEST_F(IngressStartUp, AnUnresolvableCredentialNamesItsConfigPointer) {
  auto result = run(R"([{"name": "lds", "plugin": "lds", "auth": {"bearer_token": "env:CCM_TEST_UNSET_TOKEN"}}])", {});
  EXPECT_EQ(result.exit_code, 78);
  EXPECT_THAT(result.err, HasSubstr("/sources/0/auth/bearer_token"));
  EXPECT_THAT(result.err, HasSubstr("CCM_TEST_UNSET_TOKEN is not set"));
}

}  // namespace
}  // namespace ccm::testing
