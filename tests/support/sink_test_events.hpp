#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"

// The numbered events sink tests send: "evt-<n>" from "/tests/<sink>-sink",
// type "com.example.<sink>-sink.test", JSON data {"n":<n>}.
namespace ccm::testing {

inline sdk::CloudEvent numberedEvent(std::string_view sink, int n) {
  sdk::CloudEvent event;
  event.id = "evt-" + std::to_string(n);
  event.source = "/tests/" + std::string(sink) + "-sink";
  event.type = "com.example." + std::string(sink) + "-sink.test";
  event.datacontenttype = "application/json";
  event.data = sdk::Data::json("{\"n\":" + std::to_string(n) + "}");
  return event;
}

// Events 1..count.
inline std::vector<sdk::CloudEvent> numberedEvents(std::string_view sink, int count) {
  std::vector<sdk::CloudEvent> events;
  for (int n = 1; n <= count; ++n) events.push_back(numberedEvent(sink, n));
  return events;
}

// The example event of docs/sinks/http.md, which every sink's page shows on the wire.
inline sdk::CloudEvent docsExampleEvent() {
  sdk::CloudEvent event;
  event.id = "0b7e5a3c-2f1d-4d8e-9a61-3c5f0e2b7d10";
  event.source = "urn:ccm-gateway";
  event.type = "ccm.lablet.session.graded";
  event.datacontenttype = "application/json";
  event.subject = "session 42";
  event.time = "2025-03-14T09:26:53Z";
  event.data = sdk::Data::json(R"({"score":87})");
  return event;
}

}  // namespace ccm::testing
