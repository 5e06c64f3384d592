#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "kafka_mock_cluster.hpp"
#include "kafka_sink.hpp"
#include "sink_test_events.hpp"

namespace ccm::sinks::kafka::testing {

using ccm::testing::KafkaMockCluster;
using ccm::testing::KafkaTopicReader;

using ccm::testing::exampleEvent;
using Headers = std::vector<std::pair<std::string, std::string>>;

// The headers binary mode sends for exampleEvent(), as docs/sinks/kafka.md shows them.
inline Headers exampleBinaryHeaders() {
  return {{"ce_specversion", "1.0"},           {"ce_id", "0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10"},
          {"ce_source", "urn:ccm-gateway"},    {"ce_type", "ccm.lablet.session.graded"},
          {"ce_subject", "session 42"},        {"ce_time", "2025-03-14T09:26:53Z"},
          {"content-type", "application/json"}};
}

// The value structured mode sends for exampleEvent().
inline std::string exampleStructuredValue() {
  return R"({"specversion":"1.0","id":"0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10","source":"urn:ccm-gateway",)"
         R"("type":"ccm.lablet.session.graded","datacontenttype":"application/json","subject":"session 42",)"
         R"("time":"2025-03-14T09:26:53Z","data":{"score":87}})";
}

inline sdk::CloudEvent makeEvent(int n, std::optional<std::string> subject = std::nullopt) {
  sdk::CloudEvent event = ccm::testing::numberedEvent("kafka", n);
  event.subject = std::move(subject);
  return event;
}

inline std::vector<sdk::CloudEvent> makeEvents(int count) {
  return ccm::testing::numberedEvents("kafka", count);
}

// The sink's config for a cluster: its bootstrap servers, then `members`
// (JSON members without braces).
inline std::string configFor(const KafkaMockCluster& cluster, const std::string& members = "") {
  return R"({"bootstrap_servers":")" + cluster.bootstraps() + "\"" + (members.empty() ? "" : ",") + members + "}";
}

class KafkaSinkFixture : public ::testing::Test {
protected:
  std::unique_ptr<KafkaSink> makeSink(const std::string& config_json) {
    return std::make_unique<KafkaSink>(sdk::PluginContext{"events-kafka", config_json, "urn:test", "", host_});
  }

  // The error sdk::construct reports for this config, as the loader sees it.
  std::string constructError(const std::string& config_json) {
    const auto created =
        sdk::construct<KafkaSink, sdk::Sink>(sdk::PluginContext{"events-kafka", config_json, "", "", host_});
    EXPECT_EQ(created.object, nullptr);
    return created.error;
  }

  sdk::testing::FakeHost host_;
};

}  // namespace ccm::sinks::kafka::testing
