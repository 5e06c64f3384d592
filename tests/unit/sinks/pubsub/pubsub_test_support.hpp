#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "fakes/pubsub_fake.hpp"
#include "http_sink_test_support.hpp"
#include "plugin/http_client.hpp"
#include "pubsub_sink.hpp"
#include "sink_test_events.hpp"

namespace ccm::sinks::pubsub::testing {

using http::testing::ScopedEnv;
using http::testing::TempDir;

// 2025-03-14T09:26:53Z.
inline const auto kNow = std::chrono::system_clock::from_time_t(1741944413);
inline constexpr const char* kKeyVariable = "CCM_PUBSUB_TEST_KEY";

inline sdk::CloudEvent makeEvent(int n, std::optional<std::string> subject = std::nullopt) {
  sdk::CloudEvent event = ccm::testing::numberedEvent("pubsub", n);
  event.subject = std::move(subject);
  return event;
}

inline std::vector<sdk::CloudEvent> makeEvents(int count) {
  return ccm::testing::numberedEvents("pubsub", count);
}

// The example event docs/sinks/pubsub.md shows on the wire.
using ccm::testing::exampleEvent;

// A sink against a PubSubFake, with the fake's service account key in
// kKeyVariable; the sink gets the gateway's real PooledHttpClient.
class PubSubFixture : public ::testing::Test {
protected:
  PubSubFixture() {
    // The variables Google's libraries read would change what every test here sends.
    for (const char* name : {"PUBSUB_EMULATOR_HOST", "GOOGLE_APPLICATION_CREDENTIALS", "GCE_METADATA_HOST"}) {
      ::unsetenv(name);
    }
    host_.http_client_factory = [](const sdk::HttpClientOptions& options) {
      return std::make_unique<core::PooledHttpClient>(options);
    };
  }

  std::unique_ptr<PubSubSink> makeSink(const std::string& config_json) {
    return std::make_unique<PubSubSink>(sdk::PluginContext{"events-pubsub", config_json, "", "", host_});
  }

  // The error sdk::construct reports for this config, as the loader sees it.
  std::string constructError(const std::string& config_json) {
    const auto created =
        sdk::construct<PubSubSink, sdk::Sink>(sdk::PluginContext{"events-pubsub", config_json, "", "", host_});
    EXPECT_EQ(created.object, nullptr);
    return created.error;
  }

  // The fake's project and topic at its endpoint, with `credentials` (JSON)
  // and further members.
  std::string configWith(const std::string& credentials, const std::string& members = "") const {
    return R"({"project":"ccm-labs","topic":"lab-events","endpoint":")" + fake_.endpoint() + "\"" +
           (credentials.empty() ? "" : R"(,"credentials":)" + credentials) + (members.empty() ? "" : "," + members) +
           "}";
  }
  // The service account key in kKeyVariable, and further members.
  std::string config(const std::string& members = "") const {
    return configWith(R"({"type":"service_account","key":"env:)" + std::string(kKeyVariable) + "\"}", members);
  }

  std::vector<sdk::Outcome> deliver(const std::string& config_json, const std::vector<sdk::CloudEvent>& events) {
    return makeSink(config_json)->deliver(events);
  }

  static void expectAllDelivered(const std::vector<sdk::Outcome>& outcomes, std::size_t count) {
    ASSERT_EQ(outcomes.size(), count);
    for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, sdk::Outcome::Kind::Delivered) << outcome.message;
  }

  sdk::testing::FakeHost host_;
  fakes::PubSubFake fake_;
  ScopedEnv key_{kKeyVariable, fake_.serviceAccountKey()};
};

}  // namespace ccm::sinks::pubsub::testing
