#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "mosquitto_broker.hpp"
#include "mqtt_sink.hpp"
#include "sink_test_events.hpp"

namespace ccm::sinks::mqtt::testing {

using ccm::testing::MosquittoBroker;

using ccm::testing::exampleEvent;

inline sdk::CloudEvent makeEvent(int n, std::optional<std::string> subject = std::nullopt) {
  sdk::CloudEvent event = ccm::testing::numberedEvent("mqtt", n);
  event.subject = std::move(subject);
  return event;
}

inline std::vector<sdk::CloudEvent> makeEvents(int count) { return ccm::testing::numberedEvents("mqtt", count); }

// The sink's config for a broker: host and port, then `members` (JSON
// members without braces).
inline std::string configFor(std::uint16_t port, const std::string& members = "") {
  return R"({"host":"127.0.0.1","port":)" + std::to_string(port) + (members.empty() ? "" : ",") + members + "}";
}

// Skips tests that need a broker when mosquitto is not installed.
class MqttSinkFixture : public ::testing::Test {
protected:
  void SetUp() override {
    if (!MosquittoBroker::installed()) {
      GTEST_SKIP() << MosquittoBroker::kExecutable
                   << " is not installed: run packaging/install-deps.sh (or apt-get install mosquitto)";
    }
  }

  std::unique_ptr<MqttSink> makeSink(const std::string& config_json) {
    return std::make_unique<MqttSink>(sdk::PluginContext{"events-mqtt", config_json, "urn:test", "", host_});
  }

  // The error sdk::construct reports for this config, as the loader sees it.
  std::string constructError(const std::string& config_json) {
    const auto created =
        sdk::construct<MqttSink, sdk::Sink>(sdk::PluginContext{"events-mqtt", config_json, "", "", host_});
    EXPECT_EQ(created.object, nullptr);
    return created.error;
  }

  sdk::testing::FakeHost host_;
};

}  // namespace ccm::sinks::mqtt::testing
