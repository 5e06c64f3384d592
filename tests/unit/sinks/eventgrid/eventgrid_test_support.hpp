#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "eventgrid_sink.hpp"
#include "fakes/event_grid_fake.hpp"
#include "http_sink_test_support.hpp"
#include "plugin/http_client.hpp"

namespace ccm::sinks::eventgrid::testing {

using http::testing::ScopedEnv;
using http::testing::TempDir;

// 2025-03-14T09:26:53Z.
inline const auto kNow = std::chrono::system_clock::from_time_t(1741944413);
inline constexpr const char* kKeyVariable = "CCM_EVENTGRID_TEST_KEY";

// A lab-session event whose data is `data` (JSON).
inline sdk::CloudEvent makeEvent(int n, const std::string& data = "") {
  sdk::CloudEvent event;
  event.id = "evt-" + std::to_string(n);
  event.source = "urn:ccm-gateway:lab-7";
  event.type = "ccm.lablet.session.graded";
  event.subject = "session-" + std::to_string(n);
  event.datacontenttype = "application/json";
  event.data = sdk::Data::json(data.empty() ? "{\"score\":" + std::to_string(n) + "}" : data);
  return event;
}

inline std::vector<sdk::CloudEvent> makeEvents(int count) {
  std::vector<sdk::CloudEvent> events;
  for (int n = 1; n <= count; ++n) events.push_back(makeEvent(n));
  return events;
}

// An event whose CloudEvents JSON is exactly `bytes` long.
inline sdk::CloudEvent eventOfSize(int n, std::size_t bytes) {
  sdk::CloudEvent event = makeEvent(n, "\"\"");
  const std::size_t base = sdk::toStructured(event).size();
  event.data = sdk::Data::json("\"" + std::string(bytes - base, 'x') + "\"");
  return event;
}

// Sinks under test get the gateway's real PooledHttpClient through a FakeHost.
class EventGridFixture : public ::testing::Test {
protected:
  EventGridFixture() {
    host_.http_client_factory = [](const sdk::HttpClientOptions& options) {
      return std::make_unique<core::PooledHttpClient>(options);
    };
  }

  std::unique_ptr<EventGridSink> makeSink(const std::string& config_json) {
    return std::make_unique<EventGridSink>(sdk::PluginContext{"events-azure", config_json, "", "", host_});
  }

  // The error sdk::construct reports for this config, as the loader sees it.
  std::string constructError(const std::string& config_json) {
    const auto created =
        sdk::construct<EventGridSink, sdk::Sink>(sdk::PluginContext{"events-azure", config_json, "", "", host_});
    EXPECT_EQ(created.object, nullptr);
    return created.error;
  }

  sdk::testing::FakeHost host_;
};

// A config for `fake`'s topic with `auth`, the access key in kKeyVariable.
inline std::string configFor(const fakes::EventGridFake& fake, bool is_namespace, const std::string& auth,
                             const std::string& extra = "") {
  std::string config = R"({"endpoint":")" + fake.endpoint() + "\",\"auth\":" + auth;
  if (is_namespace) config += R"(,"topic_type":"namespace","topic":"lab-events")";
  return config + (extra.empty() ? "" : "," + extra) + "}";
}

inline std::string accessKeyAuth() {
  return R"({"type":"access_key","key":"env:)" + std::string(kKeyVariable) + "\"}";
}

}  // namespace ccm::sinks::eventgrid::testing
