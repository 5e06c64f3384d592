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

}  // namespace ccm::testing
