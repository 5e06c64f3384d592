#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "jetstream_client.hpp"
#include "nats_server.hpp"
#include "nats_sink.hpp"
#include "sink_test_events.hpp"

namespace ccm::sinks::nats::testing {

using ccm::testing::JetStreamClient;
using ccm::testing::NatsServer;

inline sdk::CloudEvent makeEvent(int n, std::optional<std::string> subject = std::nullopt) {
  sdk::CloudEvent event = ccm::testing::numberedEvent("nats", n);
  event.subject = std::move(subject);
  return event;
}

inline std::vector<sdk::CloudEvent> makeEvents(int count) {
  return ccm::testing::numberedEvents("nats", count);
}

// Where the default template puts the numbered events: "." in the type is encoded.
inline constexpr const char* kNumberedSubject = "ccm.events.com%2Eexample%2Enats-sink%2Etest";

// The sink's config for a server: its URL, then `members` (JSON members
// without braces).
inline std::string configFor(const NatsServer& server, const std::string& members = "") {
  return R"({"url":")" + server.url() + "\"" + (members.empty() ? "" : ",") + members + "}";
}

// Skips tests that need a server when nats-server is not installed.
class NatsSinkFixture : public ::testing::Test {
protected:
  void SetUp() override {
    if (!NatsServer::installed()) {
      GTEST_SKIP() << NatsServer::kExecutable
                   << " is not installed: run packaging/install-deps.sh (or apt-get install nats-server)";
    }
  }

  std::unique_ptr<NatsSink> makeSink(const std::string& config_json) {
    return std::make_unique<NatsSink>(sdk::PluginContext{"events-nats", config_json, "urn:test", "", host_});
  }

  // A server with the stream "CCM" taking ccm.events.>.
  static void addEventsStream(const NatsServer& server, std::int32_t max_msg_size = -1) {
    JetStreamClient(server).addStream("CCM", {"ccm.events.>"}, max_msg_size);
  }

  sdk::testing::FakeHost host_;
};

}  // namespace ccm::sinks::nats::testing
