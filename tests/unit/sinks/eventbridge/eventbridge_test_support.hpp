#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "eventbridge_sink.hpp"
#include "fakes/eventbridge_fake.hpp"
#include "http_sink_test_support.hpp"
#include "plugin/http_client.hpp"

namespace ccm::sinks::eventbridge::testing {

using http::testing::ScopedEnv;
using http::testing::TempDir;

// 2025-03-14T09:26:53Z.
inline const auto kNow = std::chrono::system_clock::from_time_t(1741944413);
inline constexpr const char* kKeyIdVariable = "CCM_EVENTBRIDGE_TEST_KEY_ID";
inline constexpr const char* kSecretVariable = "CCM_EVENTBRIDGE_TEST_SECRET";

inline sdk::CloudEvent makeEvent(int n) {
  sdk::CloudEvent event;
  event.id = "evt-" + std::to_string(n);
  event.source = "urn:ccm-gateway:lab-7";
  event.type = "ccm.lablet.session.graded";
  event.subject = "session-" + std::to_string(n);
  event.time = "2025-03-14T09:26:53Z";
  event.datacontenttype = "application/json";
  event.data = sdk::Data::json("{\"score\":" + std::to_string(n) + "}");
  return event;
}

inline std::vector<sdk::CloudEvent> makeEvents(int count) {
  std::vector<sdk::CloudEvent> events;
  for (int n = 1; n <= count; ++n) events.push_back(makeEvent(n));
  return events;
}

// The config of a sink that puts events on `fake`, credentials in kKeyIdVariable and kSecretVariable.
inline std::string configFor(const fakes::EventBridgeFake& fake, const std::string& extra = "") {
  return R"({"region":"eu-west-1","endpoint":")" + fake.endpoint() + R"(","credentials":{"access_key_id":"env:)" +
         kKeyIdVariable + R"(","secret_access_key":"env:)" + kSecretVariable + "\"}" +
         (extra.empty() ? "" : "," + extra) + "}";
}

// Sinks under test get the gateway's real PooledHttpClient through a FakeHost,
// and the fake's default credentials in the environment.
class EventBridgeFixture : public ::testing::Test {
protected:
  EventBridgeFixture() {
    // The tests decide what the AWS SDKs' standard variables hold.
    for (const char* name : {"AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}) {
      ::unsetenv(name);
    }
    host_.http_client_factory = [](const sdk::HttpClientOptions& options) {
      return std::make_unique<core::PooledHttpClient>(options);
    };
  }

  std::unique_ptr<EventBridgeSink> makeSink(const std::string& config_json) {
    return std::make_unique<EventBridgeSink>(sdk::PluginContext{"events-aws", config_json, "", "", host_});
  }

  // The error sdk::construct reports for this config, as the loader sees it.
  std::string constructError(const std::string& config_json) {
    const auto created =
        sdk::construct<EventBridgeSink, sdk::Sink>(sdk::PluginContext{"events-aws", config_json, "", "", host_});
    EXPECT_EQ(created.object, nullptr);
    return created.error;
  }

  sdk::testing::FakeHost host_;
  ScopedEnv key_id_{kKeyIdVariable, fakes::AwsAccount{}.access_key_id};
  ScopedEnv secret_{kSecretVariable, fakes::AwsAccount{}.secret_access_key};
};

}  // namespace ccm::sinks::eventbridge::testing
