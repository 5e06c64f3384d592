#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>

#include "assessment_platform_client.hpp"
#include "ccm/sdk/circuit_breaker.hpp"
#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "fakes/assessment_platform_fake.hpp"
#include "fakes/keycloak_fake.hpp"
#include "plugin/http_client.hpp"

namespace ccm::plugins::assessment_client::testing {

inline constexpr const char* kSecretVariable = "CCM_TEST_ASSESSMENT_CLIENT_SECRET";
inline const std::string kPodSchemaFile = std::string(CCM_SOURCE_DIR) + "/config/schemas/pod.schema.json";

// A real fake Keycloak and Assessment Platform on 127.0.0.1, and clients that
// reach them through the gateway's PooledHttpClient via a FakeHost whose clock
// the test may set and advance. The circuit breaker's steady clock follows the
// FakeHost's while the test holds it.
class AssessmentClientFixture : public ::testing::Test {
protected:
  AssessmentClientFixture() : platform_(keycloak_, kPodSchemaFile) {
    ::setenv(kSecretVariable, "gateway-secret", 1);
    host_.http_client_factory = [](const sdk::HttpClientOptions& options) {
      return std::make_unique<core::PooledHttpClient>(options);
    };
  }
  ~AssessmentClientFixture() override { ::unsetenv(kSecretVariable); }

  // The config for the fakes, with quick retries; `extra` adds or overrides keys.
  std::string configJson(const std::string& extra = "") const {
    std::string json = "{\"base_url\":\"" + platform_.baseUrl() + "\",\"token_url\":\"" + keycloak_.tokenUrl() +
                       "\",\"client_id\":\"ccm-gateway\",\"client_secret\":\"env:" + kSecretVariable +
                       "\",\"timeout_ms\":2000,\"retry\":{\"max_attempts\":3,\"initial_backoff_ms\":1,"
                       "\"max_backoff_ms\":4}";
    return json + (extra.empty() ? "" : "," + extra) + "}";
  }

  std::unique_ptr<AssessmentPlatformClient> makeClient(const std::string& extra = "") {
    return std::make_unique<AssessmentPlatformClient>(
        sdk::PluginContext{"assessment", configJson(extra), "", "", host_}, [this] { return breakerNow(); });
  }

  // Starts the FakeHost clock at a fixed instant the test then moves by hand.
  void freezeClock() { host_.fixed_now = std::chrono::system_clock::time_point(std::chrono::hours(500000)); }
  void advanceClock(std::chrono::milliseconds by) { host_.fixed_now += by; }
  sdk::CircuitBreaker::TimePoint breakerNow() const {
    if (host_.fixed_now == std::chrono::system_clock::time_point{}) return sdk::CircuitBreaker::Clock::now();
    return sdk::CircuitBreaker::TimePoint(host_.fixed_now.time_since_epoch());
  }

  std::size_t tokenRequests() const { return keycloak_.requests().size(); }

  static sdk::CollectionRequest collectionRequest(const std::string& session_id = "sess-1") {
    return sdk::CollectionRequest{session_id, "lab-9f2c", "worker-1.cml.example.com"};
  }

  fakes::KeycloakFake keycloak_;
  fakes::AssessmentPlatformFake platform_;
  sdk::testing::FakeHost host_;
};

}  // namespace ccm::plugins::assessment_client::testing
